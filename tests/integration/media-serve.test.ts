import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaObjects } from "~/db/schema";
import type { TRole, TSessionUser } from "~/server/auth/roles";
import type { TLocale } from "~/server/i18n/locales";
import { intakeMedia, mediaRefOf, type TIntakeResult } from "~/server/media/intake";
import { MB, WHATSAPP_MEDIA_LIMITS } from "~/server/media/limits";
import { MEDIA_CSP, serveMedia } from "~/server/media/serve";
import type { TMediaStore } from "~/server/media/store";
import { handleMediaUpload, type TUploadDeps, type TUploadResponse } from "~/server/media/upload";
import { signedMediaLinks, verifyMediaRequest } from "~/server/media/urls";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { mediaStoreVariants, type TStartedMediaStore } from "../support/media-stores";
import { exeBytes, jpegBytes, oggOpusBytes, pdfBytes, pngBytes, streamOf } from "../support/media-fixtures";
import { freePort } from "../support/ports";
import { spawnTs, waitFor, type TSpawned } from "../support/processes";

/**
 * The media routes' handlers (server/media/serve.ts, upload.ts) called with real Requests, a
 * real database and a real store: what GET /api/media/<sha256> and POST /api/media/uploads
 * answer. The route files only wire these to the web's store, session and language.
 */

const SECRET = "media-serve-test-secret-0123456789abcdef";
const BASE = "http://127.0.0.1:3999";

let database: TTestDatabase;
/** The store of the variant whose tests are running (each variant's tests run after its beforeAll). */
let store: TMediaStore;

beforeAll(async () => {
  database = await useTestDatabase();
});

async function take(bytes: Buffer, expect: Parameters<typeof intakeMedia>[3]): Promise<TIntakeResult> {
  return intakeMedia(database.db, store, Readable.from([bytes]), expect);
}

function linksOf(result: TIntakeResult, now = new Date()) {
  return signedMediaLinks(mediaRefOf(result), { secret: SECRET, ttlS: 3_600, now })!;
}

function get(url: string, init: RequestInit & { now?: Date } = {}) {
  const request = new Request(new URL(url, BASE), init);
  const sha256 = new URL(request.url).pathname.split("/").at(-1)!;
  return serveMedia(request, sha256, {
    db: database.db,
    store,
    secret: SECRET,
    baseHeaders: { "x-frame-options": "DENY" },
    ...(init.now ? { now: () => init.now! } : {}),
  });
}

describe.each(mediaStoreVariants())("media routes ($name store)", ({ start }) => {
  let started: TStartedMediaStore;
  beforeAll(async () => {
    started = await start();
    store = started.store;
  });
  afterAll(async () => {
    await started?.stop();
  });

  describe("GET /api/media/<sha256>", () => {
    let jpeg: Buffer;
    let photo: TIntakeResult;
    let pdf: TIntakeResult;

    beforeAll(async () => {
      jpeg = await jpegBytes(900, 600);
      photo = await take(jpeg, { kind: "image", fileName: "recibo março.jpg" });
      pdf = await take(pdfBytes("invoice"), { kind: "document", fileName: "Fatura março.pdf" });
    });

    it("sends the whole file as its real type, inline for a picture, with the safety headers", async () => {
      const response = await get(linksOf(photo).url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(jpeg)).toBe(true);
      expect(Object.fromEntries(response.headers)).toMatchObject({
        "content-type": "image/jpeg",
        "content-length": String(jpeg.length),
        "accept-ranges": "bytes",
        "x-content-type-options": "nosniff",
        "content-security-policy": MEDIA_CSP,
        "x-frame-options": "DENY",
        etag: `"${photo.sha256}"`,
      });
      expect(response.headers.get("content-disposition")).toBe(
        `inline; filename="recibo mar_o.jpg"; filename*=UTF-8''recibo%20mar%C3%A7o.jpg`,
      );
      const maxAge = Number(/^private, max-age=(\d+)$/.exec(response.headers.get("cache-control") ?? "")?.[1]);
      expect(maxAge).toBeGreaterThanOrEqual(3_600);
      expect(maxAge).toBeLessThanOrEqual(3_600 + 300);
    });

    it("a PDF, or a picture asked for as a download, is an attachment under its name", async () => {
      const response = await get(linksOf(pdf).url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/pdf");
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="Fatura mar_o.pdf"; filename*=UTF-8''Fatura%20mar%C3%A7o.pdf`,
      );
      await response.body?.cancel();
      const download = await get(linksOf(photo).downloadUrl);
      expect(download.headers.get("content-disposition")?.startsWith("attachment;")).toBe(true);
      await download.body?.cancel();
    });

    it("answers byte ranges (206), suffix ranges, and refuses a range past the end (416)", async () => {
      const url = linksOf(photo).url;
      const first = await get(url, { headers: { range: "bytes=0-99" } });
      expect(first.status).toBe(206);
      expect(first.headers.get("content-range")).toBe(`bytes 0-99/${jpeg.length}`);
      expect(first.headers.get("content-length")).toBe("100");
      expect(Buffer.from(await first.arrayBuffer()).equals(jpeg.subarray(0, 100))).toBe(true);

      const rest = await get(url, { headers: { range: `bytes=${jpeg.length - 10}-` } });
      expect(rest.status).toBe(206);
      expect(Buffer.from(await rest.arrayBuffer()).equals(jpeg.subarray(jpeg.length - 10))).toBe(true);

      const suffix = await get(url, { headers: { range: "bytes=-5" } });
      expect(suffix.headers.get("content-range")).toBe(`bytes ${jpeg.length - 5}-${jpeg.length - 1}/${jpeg.length}`);
      expect(Buffer.from(await suffix.arrayBuffer()).equals(jpeg.subarray(jpeg.length - 5))).toBe(true);

      const past = await get(url, { headers: { range: `bytes=${jpeg.length}-` } });
      expect(past.status).toBe(416);
      expect(past.headers.get("content-range")).toBe(`bytes */${jpeg.length}`);
      expect(((await past.json()) as { error: { code: string } }).error.code).toBe("range_not_satisfiable");

      // Several ranges (or nonsense) are answered with the whole file.
      const several = await get(url, { headers: { range: "bytes=0-1,5-6" } });
      expect(several.status).toBe(200);
      expect((await several.arrayBuffer()).byteLength).toBe(jpeg.length);
    });

    it("HEAD says what GET would send, without a body", async () => {
      const response = await get(linksOf(photo).url, { method: "HEAD" });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe(String(jpeg.length));
      expect(response.headers.get("content-type")).toBe("image/jpeg");
      expect(response.body).toBeNull();
      const ranged = await get(linksOf(photo).url, { method: "HEAD", headers: { range: "bytes=10-19" } });
      expect([ranged.status, ranged.headers.get("content-length")]).toEqual([206, "10"]);
    });

    it("the thumbnail variant is the small WebP", async () => {
      const response = await get(linksOf(photo).thumbUrl!);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/webp");
      const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([metadata.format, metadata.width]).toEqual(["webp", 320]);
    });

    it("a voice note plays inline as OGG", async () => {
      const voice = await take(oggOpusBytes(1), { kind: "voice" });
      const response = await get(linksOf(voice).url);
      expect(response.headers.get("content-type")).toBe("audio/ogg; codecs=opus");
      expect(response.headers.get("content-disposition")?.startsWith("inline;")).toBe(true);
      await response.body?.cancel();
    });

    it("a revalidation with the ETag is a 304", async () => {
      const response = await get(linksOf(photo).url, { headers: { "if-none-match": `"${photo.sha256}"` } });
      expect(response.status).toBe(304);
    });

    it("a tampered link is 403 and an expired one 410, with a JSON error in the reader's language", async () => {
      const url = new URL(linksOf(photo).url, BASE);
      url.searchParams.set("d", "1");
      const tampered = await get(url.toString(), { headers: { "accept-language": "es" } });
      expect(tampered.status).toBe(403);
      expect(tampered.headers.get("cache-control")).toBe("no-store");
      expect(await tampered.json()).toEqual({ error: { code: "bad_signature", message: "Este enlace no es válido." } });

      const madeAt = new Date(Date.now() - 3 * 3_600_000);
      const expired = await get(linksOf(photo, madeAt).url, { headers: { "accept-language": "pt-BR" } });
      expect(expired.status).toBe(410);
      expect(await expired.json()).toEqual({
        error: { code: "expired", message: "Este link expirou. Recarregue a página para obter um novo." },
      });

      const unsigned = await get(`/api/media/${photo.sha256}`);
      expect(unsigned.status).toBe(403);
    });

    it("a file retention removed is 410 removed; an unknown one 404", async () => {
      const gone = await take(await pngBytes(50, 40), { kind: "image" });
      const url = linksOf(gone).url;
      await database.db
        .update(mediaObjects)
        .set({ deletedAt: sql`now()`, deletedReason: "retention" })
        .where(eq(mediaObjects.sha256, gone.sha256));
      const removed = await get(url);
      expect(removed.status).toBe(410);
      expect(((await removed.json()) as { error: { code: string } }).error.code).toBe("removed");

      const unknown = signedMediaLinks(
        { mimeType: "image/png", storageKey: "c".repeat(64), state: "stored" },
        { secret: SECRET, ttlS: 600 },
      )!;
      expect((await get(unknown.url)).status).toBe(404);
      expect((await get("/api/media/..%2F..%2Fetc%2Fpasswd?e=1&s=x")).status).toBe(404);
    });

    it("a name that would run when opened is not given to the download", async () => {
      const links = signedMediaLinks({ ...mediaRefOf(pdf), fileName: "invoice.html" }, { secret: SECRET, ttlS: 600 })!;
      const response = await get(links.downloadUrl);
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="${pdf.sha256.slice(0, 12)}.pdf"; filename*=UTF-8''${pdf.sha256.slice(0, 12)}.pdf`,
      );
      await response.body?.cancel();
    });
  });

  describe("POST /api/media/uploads", () => {
    const users = new Map<TRole, TSessionUser>();
    beforeAll(async () => {
      for (const role of ["agent", "manager"] as const) users.set(role, await insertUser(database.db, role));
    });

    function upload(
      body: Buffer | BodyInit | null,
      options: {
        kind?: string;
        type?: string;
        name?: string;
        user?: TSessionUser | null;
        headers?: Record<string, string>;
        locale?: TLocale;
      } = {},
    ) {
      const headers = new Headers({ "sec-fetch-site": "same-origin", ...options.headers });
      if (options.type) headers.set("content-type", options.type);
      if (options.name) headers.set("x-file-name", encodeURIComponent(options.name));
      const request = new Request(`${BASE}/api/media/uploads${options.kind ? `?kind=${options.kind}` : ""}`, {
        method: "POST",
        body: Buffer.isBuffer(body) ? new Uint8Array(body) : body,
        headers,
        ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
      });
      const deps: TUploadDeps = {
        db: database.db,
        store,
        limits: WHATSAPP_MEDIA_LIMITS,
        secret: SECRET,
        ttlS: 600,
        originConfig: { trustedProxyHops: 0 },
        currentUser: () => Promise.resolve(options.user === undefined ? users.get("agent")! : options.user),
        locale: () => Promise.resolve(options.locale ?? "en"),
      };
      return handleMediaUpload(request, deps);
    }

    it("stores a good file and answers 201 with its real type and signed links", async () => {
      const jpeg = await jpegBytes(400, 300);
      const response = await upload(jpeg, {
        kind: "image",
        type: "image/jpeg",
        name: "Screenshot 2026-12-06 às 10.00.jpg",
      });
      expect(response.status).toBe(201);
      const body = (await response.json()) as TUploadResponse;
      expect(body).toMatchObject({
        kind: "image",
        mimeType: "image/jpeg",
        size: jpeg.length,
        fileName: "Screenshot 2026-12-06 às 10.00.jpg",
        width: 400,
        height: 300,
      });
      const url = new URL(body.links.url, BASE);
      expect(verifyMediaRequest(SECRET, body.sha256, url.searchParams)).toMatchObject({ ok: true });
      expect(body.links.thumbUrl).toBeDefined();
      const served = await get(body.links.url);
      expect(Buffer.from(await served.arrayBuffer()).equals(jpeg)).toBe(true);
    });

    it("auto lets the content decide; a streamed body works", async () => {
      const ogg = oggOpusBytes(1);
      const stream = Readable.toWeb(Readable.from([ogg.subarray(0, 100), ogg.subarray(100)])) as ReadableStream;
      const response = await upload(stream, { kind: "auto", type: "audio/ogg" });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ kind: "audio", mimeType: "audio/ogg; codecs=opus" });
    });

    it("a signed-out request is 401; a role that cannot reply is 403", async () => {
      const signedOut = await upload(pdfBytes(), { user: null, kind: "document" });
      expect(signedOut.status).toBe(401);
      expect(await signedOut.json()).toMatchObject({
        error: { code: "unauthorized", message: "Sign in to upload files." },
      });
      const manager = await upload(pdfBytes(), { user: users.get("manager")!, kind: "document" });
      expect(manager.status).toBe(403);
    });

    it("a request from another site is refused before the session is looked at", async () => {
      let asked = false;
      const request = new Request(`${BASE}/api/media/uploads?kind=document`, {
        method: "POST",
        body: new Uint8Array(pdfBytes()),
        headers: { "sec-fetch-site": "cross-site", "content-type": "application/pdf" },
      });
      const response = await handleMediaUpload(request, {
        db: database.db,
        store,
        limits: WHATSAPP_MEDIA_LIMITS,
        secret: SECRET,
        ttlS: 600,
        originConfig: { trustedProxyHops: 0 },
        currentUser: () => {
          asked = true;
          return Promise.resolve(users.get("agent")!);
        },
        locale: () => Promise.resolve("en" as const),
      });
      expect(response.status).toBe(403);
      expect(asked).toBe(false);
      // Without fetch metadata, an Origin of another host is refused too.
      const byOrigin = await upload(pdfBytes(), {
        kind: "document",
        headers: { "sec-fetch-site": "", origin: "https://evil.example" },
      });
      expect(byOrigin.status).toBe(403);
    });

    it("a file that lies about its type is 415 with the reader's words and the English detail", async () => {
      const response = await upload(pdfBytes(), { kind: "image", type: "image/jpeg", name: "photo.jpg", locale: "es" });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        error: {
          code: "type_mismatch",
          message: "Este archivo no es lo que dice ser: dice ser image/jpeg, pero su contenido es application/pdf.",
          detail: "the file claims to be image/jpeg but its content is application/pdf",
        },
      });
      const program = await upload(exeBytes(), {
        kind: "document",
        type: "application/x-msdownload",
        name: "setup.exe",
      });
      expect(program.status).toBe(415);
      expect(((await program.json()) as { error: { code: string } }).error.code).toBe("unsupported_type");
    });

    it("a declared size over the kind's limit is 413 before a byte is read", async () => {
      let pulled = false;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulled = true;
            controller.close();
          },
        },
        // Nothing is pulled until someone reads.
        { highWaterMark: 0 },
      );
      const response = await upload(body, {
        kind: "image",
        type: "image/jpeg",
        headers: { "content-length": String(6 * MB) },
        locale: "pt-BR",
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
        "Este arquivo é grande demais: fotos podem ter no máximo 5 MB.",
      );
      expect(pulled).toBe(false);
    });

    it("a body that turns out larger than declared is cut off at the limit (413)", async () => {
      const jpeg = await jpegBytes(64, 64);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(jpeg);
          else controller.enqueue(new Uint8Array(256 * 1024));
          sent += 1;
          if (sent > 30) controller.close();
        },
      });
      const response = await upload(body, { kind: "image", type: "image/jpeg" });
      expect(response.status).toBe(413);
      expect(sent).toBeLessThan(30);
    });

    it("an unknown kind is 400; an empty body is 400 empty", async () => {
      expect((await upload(pdfBytes(), { kind: "hologram" })).status).toBe(400);
      const empty = await upload(new Uint8Array(0), { kind: "document" });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("empty");
    });
  });

  /**
   * Through the built app (the web as the launcher starts it): the route files' wiring (session,
   * language, the web's store), file-type and sharp inside Next's server bundle, and the page
   * proxy leaving the media routes alone: Next would hold a proxied upload in memory and cut it
   * at 10 MB, so a 12 MB document must arrive whole.
   */
  describe("through the built app", () => {
    const APP_SECRET = "media-serve-web-secret-0123456789abcdef";
    let base: string;
    let web: TSpawned;
    let cookie: string;

    beforeAll(async () => {
      const user = await insertUser(database.db, "agent");
      const port = await freePort();
      // The web makes its own store from these settings: the variant's (a fresh directory, or the bucket).
      web = spawnTs("server/web/server.ts", ["--port", String(port), "--hostname", "127.0.0.1"], {
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        AUTH_TRUST_HOST: "true",
        APP_SECRET,
        DATABASE_URL: database.url,
        LOG_LEVEL: "warn",
        ...started.vars,
      });
      base = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => {
          if (web.child.exitCode !== null) throw new Error(`the stack exited early:\n${web.output().slice(-3000)}`);
          return (await fetch(`${base}/login`)).status === 200;
        },
        90_000,
        () => `the web to answer; output so far:\n${web.output().slice(-2000)}`,
      );
      const csrf = await fetch(`${base}/api/auth/csrf`);
      const csrfCookies = csrf.headers.getSetCookie().map((line) => line.split(";")[0]!);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const login = await fetch(`${base}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies.join("; ") },
        body: new URLSearchParams({ csrfToken, email: user.email, password: "password-123", json: "true" }),
      });
      cookie = [...csrfCookies, ...login.headers.getSetCookie().map((line) => line.split(";")[0]!)].join("; ");
      expect(cookie).toContain("next-auth.session-token=");
    }, 120_000);

    afterAll(async () => {
      if (web && web.child.exitCode === null && web.child.signalCode === null) {
        web.child.kill("SIGTERM");
        await web.exited;
      }
    });

    const post = (body: Buffer, query: string, headers: Record<string, string>) =>
      fetch(`${base}/api/media/uploads?${query}`, {
        method: "POST",
        body: new Uint8Array(body),
        headers: { origin: base, cookie, ...headers },
      });

    it("a 12 MB document uploads whole and downloads with the media headers, not the pages' CSP", async () => {
      const size = 12 * MB;
      const document = Buffer.concat(await streamOf(pdfBytes("big"), size).toArray());
      const response = await post(document, "kind=document", {
        "content-type": "application/pdf",
        "x-file-name": encodeURIComponent("Relatório anual.pdf"),
      });
      expect(response.status).toBe(201);
      const body = (await response.json()) as TUploadResponse;
      expect(body).toMatchObject({
        kind: "document",
        mimeType: "application/pdf",
        size,
        fileName: "Relatório anual.pdf",
      });

      const served = await fetch(`${base}${body.links.url}`);
      expect(served.status).toBe(200);
      expect(Object.fromEntries(served.headers)).toMatchObject({
        // (Next 16 drops a route handler's Content-Length and sends the body chunked.)
        "content-type": "application/pdf",
        "content-security-policy": MEDIA_CSP,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
      });
      expect(served.headers.get("content-disposition")?.startsWith("attachment;")).toBe(true);
      expect(Buffer.from(await served.arrayBuffer()).equals(document)).toBe(true);

      const ranged = await fetch(`${base}${body.links.url}`, { headers: { range: "bytes=100-199" } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get("content-range")).toBe(`bytes 100-199/${size}`);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(document.subarray(100, 200))).toBe(true);

      // The pages still get the proxy's own headers.
      const login = await fetch(`${base}/login`);
      expect(login.headers.get("content-security-policy")).toContain("script-src");
    });

    it("a photo gets its thumbnail made by sharp inside the server bundle", async () => {
      const jpeg = await jpegBytes(1000, 700);
      const response = await post(jpeg, "kind=image", { "content-type": "image/jpeg" });
      expect(response.status).toBe(201);
      const body = (await response.json()) as TUploadResponse;
      expect([body.width, body.height]).toEqual([1000, 700]);
      const thumb = await fetch(`${base}${body.links.thumbUrl!}`);
      expect([thumb.status, thumb.headers.get("content-type")]).toEqual([200, "image/webp"]);
      expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(320);
    });

    it("signed out, or from another site, an upload is refused in the reader's language", async () => {
      const signedOut = await fetch(`${base}/api/media/uploads?kind=document`, {
        method: "POST",
        body: new Uint8Array(pdfBytes()),
        headers: { origin: base, "content-type": "application/pdf", "accept-language": "es" },
      });
      expect(signedOut.status).toBe(401);
      expect(await signedOut.json()).toMatchObject({
        error: { code: "unauthorized", message: "Inicia sesión para subir archivos." },
      });
      const crossSite = await post(pdfBytes(), "kind=document", {
        origin: "https://evil.example",
        "content-type": "application/pdf",
      });
      expect(crossSite.status).toBe(403);
      const lying = await post(pdfBytes(), "kind=image", { "content-type": "image/jpeg" });
      expect(lying.status).toBe(415);
    });
  });
});
