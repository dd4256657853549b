/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   The API answers untyped JSON; the assertions are what check its shape. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaObjects, messages } from "~/db/schema";
import type { PgBoss } from "pg-boss";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { MB, WHATSAPP_MEDIA_LIMITS } from "~/server/media/limits";
import { serveMedia } from "~/server/media/serve";
import { createFsMediaStore } from "~/server/media/store-fs";
import type { TMediaStore } from "~/server/media/store";
import { createRestMedia } from "~/server/rest/media-deps";
import type { TRestMedia } from "~/server/rest/media";
import { insertUser } from "../support/database";
import { databaseFingerprint, fingerprintDifference } from "../support/fingerprint";
import { fuzzSettings } from "../support/fuzz";
import { exeBytes, jpegBytes, pdfBytes } from "../support/media-fixtures";
import { startPipeline, usePreparedDatabase, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { restClient, type TApiRequest, type TApiResponse } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

const SECRET = "rest-media-test-secret-0123456789abcdef";
/** Small limits, so "too large" needs no large files: documents 256 KiB, images 64 KiB. */
const LIMITS = { ...WHATSAPP_MEDIA_LIMITS, document: 256 * 1024, image: 64 * 1024 };

type TCall = (method: string, path: string, request?: TApiRequest) => Promise<TApiResponse>;

/** A prepared database with a web-side boss (no worker): what most tests here need. */
let pipeline: { db: TPipeline["db"]; boss: PgBoss };
let storeDir: string;
let store: TMediaStore;
let call: TCall;
let callNoPrivate: TCall;
let media: TRestMedia;
let writeKey: string;
let readKey: string;

/** A loopback server standing in for the internet: files, errors, redirects, liars and stalls. */
let server: http.Server;
let base = "";
const sockets = new Set<Socket>();
const PDF = pdfBytes("Invoice 1042");

beforeAll(async () => {
  const database = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  pipeline = { db: database.db, boss };
  storeDir = await mkdtemp(path.join(tmpdir(), "rest-media-"));
  store = createFsMediaStore(storeDir);
  const options = {
    db: pipeline.db,
    store,
    limits: LIMITS,
    secret: SECRET,
    ttlS: 600,
    fetchTimeoutMs: 1_500,
  };
  media = createRestMedia({ ...options, allowPrivate: true });
  call = restClient({ db: pipeline.db, boss: pipeline.boss, media });
  callNoPrivate = restClient({
    db: pipeline.db,
    boss: pipeline.boss,
    media: createRestMedia({ ...options, allowPrivate: false }),
  });
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  writeKey = (await admin.apiKeys.create({ name: "CRM", scopes: ["read", "write"] })).key;
  readKey = (await admin.apiKeys.create({ name: "Reports", scopes: ["read"] })).key;

  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/invoice.pdf":
        response.writeHead(200, { "content-type": "application/pdf", "content-length": PDF.length });
        return response.end(PDF);
      case "/photo.jpg":
        // Says it is a photo; it is a PDF.
        response.writeHead(200, { "content-type": "image/jpeg" });
        return response.end(PDF);
      case "/gone":
        response.writeHead(404, { "content-type": "text/html" });
        return response.end("<h1>Not here</h1>");
      case "/to-unspecified":
        response.writeHead(302, { location: "http://0.0.0.0:9/x.pdf" });
        return response.end();
      case "/big-declared":
        response.writeHead(200, { "content-type": "application/pdf", "content-length": String(10 * MB) });
        return response.end(PDF);
      case "/endless": {
        // No Content-Length: a PDF header, then bytes well past the limit.
        response.writeHead(200, { "content-type": "application/pdf" });
        response.write(PDF.subarray(0, 64));
        let sent = 0;
        const pump = () => {
          while (sent < 4 * MB) {
            sent += 64 * 1024;
            if (!response.write(randomBytes(64 * 1024))) return void response.once("drain", pump);
          }
          response.end();
        };
        response.on("error", () => undefined);
        return pump();
      }
      case "/stall":
        response.writeHead(200, { "content-type": "application/pdf" });
        response.write(PDF.subarray(0, 32));
        return; // and nothing more
      default:
        response.writeHead(500);
        response.end();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  if (server) await new Promise((resolve) => server.close(resolve));
  await pipeline?.boss.stop({ graceful: false });
  await rm(storeDir, { recursive: true, force: true });
});

const BOUNDARY = "----switchboard-test-7d1f";

/** A multipart body: text fields, then (optionally) the file part. */
function multipart(
  fields: Record<string, string>,
  file?: { name?: string; fileName: string; type: string; bytes: Buffer },
  after: Record<string, string> = {},
): Pick<TApiRequest, "rawBody" | "headers"> {
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [name, value] of Object.entries(fields)) field(name, value);
  if (file) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name ?? "file"}"; filename="${file.fileName}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from("\r\n"),
    );
  }
  for (const [name, value] of Object.entries(after)) field(name, value);
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return {
    rawBody: new Uint8Array(Buffer.concat(parts)),
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

function send(request: Pick<TApiRequest, "body" | "rawBody" | "headers">, key = randomUUID(), client = call) {
  return client("POST", "/messages", {
    key: writeKey,
    ...request,
    headers: { "idempotency-key": key, ...request.headers },
  });
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function storedFiles(): Promise<number> {
  const walk = async (dir: string): Promise<number> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let count = 0;
    for (const entry of entries) {
      count += entry.isDirectory() ? await walk(path.join(dir, entry.name)) : 1;
    }
    return count;
  };
  return walk(storeDir);
}

/** Opens a signed link through GET /api/media/<sha256>'s handler (serveMedia): the bytes, or why it refused. */
async function download(link: string, now?: Date, db = pipeline.db): Promise<Buffer | string> {
  const url = new URL(link);
  const response = await serveMedia(new Request(url), url.pathname.split("/").pop()!, {
    db,
    store,
    secret: SECRET,
    ...(now ? { now: () => now } : {}),
  });
  if (!response.ok) return ((await response.json()) as { error: { code: string } }).error.code;
  return Buffer.from(await response.arrayBuffer());
}

describe("REST API: sending a file by upload", () => {
  it("[upload] stores a real PDF, queues it as a document with its caption, once per key; the simulator sends it", async () => {
    // A whole pipeline (a worker running the simulator session, sending from the same store).
    const running = await startPipeline({}, { mediaStore: store });
    const own = restClient({
      db: running.db,
      boss: running.boss,
      media: createRestMedia({
        db: running.db,
        store,
        limits: LIMITS,
        secret: SECRET,
        ttlS: 600,
        allowPrivate: true,
        fetchTimeoutMs: 1_500,
      }),
    });
    const admin = createCaller(testContext({ db: running.db, user: await insertUser(running.db, "admin") }));
    const ownKey = (await admin.apiKeys.create({ name: "CRM", scopes: ["read", "write"] })).key;
    const key = randomUUID();
    const body = multipart(
      { to: "+14155550140", caption: "Invoice 1042" },
      { fileName: "invoice-1042.pdf", type: "application/pdf", bytes: PDF },
    );
    const post = () =>
      own("POST", "/messages", { key: ownKey, ...body, headers: { "idempotency-key": key, ...body.headers } });
    const first = await post();
    expect(first.status, first.text).toBe(202);
    const { content } = first.body.message;
    expect(content).toMatchObject({
      kind: "document",
      caption: "Invoice 1042",
      media: { mimeType: "application/pdf", size: PDF.length, storageKey: sha(PDF), fileName: "invoice-1042.pdf" },
    });
    expect(first.body.message).toMatchObject({ type: "document", status: "queued", source: "api" });
    expect(await store.has(sha(PDF))).toBe(true);
    // Links are absolute, under the request's origin (no NEXTAUTH_URL here), and download the same bytes.
    expect(content.media.url).toMatch(/^http:\/\/localhost\/api\/media\/[0-9a-f]{64}\?/);
    expect(await download(content.media.downloadUrl, undefined, running.db)).toEqual(PDF);

    const again = await post();
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.message.id).toBe(first.body.message.id);
    expect(await running.db.$count(messages, eq(messages.source, "api"))).toBe(1);
    expect(await running.db.$count(mediaObjects, eq(mediaObjects.sha256, sha(PDF)))).toBe(1);

    const sent = await waitFor(
      async () => {
        const [row] = await running.db.select().from(messages).where(eq(messages.id, first.body.message.id));
        return row && row.status !== "queued" ? row : undefined;
      },
      15_000,
      "the document to be sent",
    );
    expect(sent.status, sent.error ?? "").not.toBe("failed");
  });

  it("[upload] refuses a file that lies about its type with 415, and stores nothing", async () => {
    const before = await storedFiles();
    const lying = await send(
      multipart(
        { to: "+14155550141", kind: "image" },
        { fileName: "photo.jpg", type: "image/jpeg", bytes: pdfBytes("not a photo") },
      ),
    );
    expect(lying.status, lying.text).toBe(415);
    expect(lying.body.error.code).toBe("unsupported_media_type");
    expect(lying.body.error.message).toMatch(/application\/pdf/);
    const program = await send(
      multipart({ to: "+14155550141" }, { fileName: "invoice.pdf", type: "application/pdf", bytes: exeBytes() }),
    );
    expect(program.status, program.text).toBe(415);
    expect(await storedFiles()).toBe(before);
  });

  it("[upload] refuses a file over its kind's limit with 413 while it streams, storing nothing", async () => {
    const before = await storedFiles();
    const big = Buffer.concat([PDF, randomBytes(LIMITS.document)]);
    const response = await send(
      multipart({ to: "+14155550142" }, { fileName: "big.pdf", type: "application/pdf", bytes: big }),
    );
    expect(response.status, response.text).toBe(413);
    expect(response.body.error.code).toBe("payload_too_large");
    expect(await storedFiles()).toBe(before);
  });

  it("[upload] refuses a missing file, a second file and fields after the file with 400", async () => {
    const pdf = { fileName: "a.pdf", type: "application/pdf", bytes: PDF };
    const missing = await send(multipart({ to: "+14155550143" }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toHaveProperty("file");
    const after = await send(multipart({}, pdf, { to: "+14155550143" }));
    expect(after.status).toBe(400);
    expect(after.body.error.message).toMatch(/before the file/);
    const filePart = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n${PDF.toString("latin1")}\r\n`;
    const second = await send({
      rawBody: new Uint8Array(
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="to"\r\n\r\n+14155550143\r\n${filePart}${filePart}--${BOUNDARY}--\r\n`,
          "latin1",
        ),
      ),
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(second.status).toBe(400);
    expect(second.body.error.message).toMatch(/one file/);
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBe(0);
  });

  it("[upload] POST /media stores a file once for sends by id; the read scope cannot upload", async () => {
    const photo = await jpegBytes(200, 120);
    const upload = (key: string) =>
      call("POST", "/media", { key, ...multipart({}, { fileName: "shelf.jpg", type: "image/jpeg", bytes: photo }) });
    expect((await upload(readKey)).status).toBe(403);
    const uploaded = await upload(writeKey);
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.body).toMatchObject({
      id: sha(photo),
      kind: "image",
      mimeType: "image/jpeg",
      width: 200,
      height: 120,
    });
    const byId = await send({ body: { to: "+14155550144", caption: "This one?", media: { id: uploaded.body.id } } });
    expect(byId.status, byId.text).toBe(202);
    expect(byId.body.message.content).toMatchObject({ kind: "image", caption: "This one?" });
    expect(byId.body.message.content.media.thumbUrl).toMatch(/^http:\/\/localhost\/api\/media\//);
    const unknown = await send({ body: { to: "+14155550144", media: { id: "0".repeat(64) } } });
    expect(unknown.status).toBe(404);
    const asVideo = await send({ body: { to: "+14155550144", media: { id: uploaded.body.id, kind: "video" } } });
    expect(asVideo.status).toBe(400);
  });
});

describe("REST API: sending a file by URL", () => {
  it("[url] fetches a PDF from a URL, checks it and queues it as a document", async () => {
    const response = await send({
      body: { to: "+14155550150", caption: "Your invoice", media: { url: `${base}/invoice.pdf` } },
    });
    expect(response.status, response.text).toBe(202);
    expect(response.body.message.content).toMatchObject({
      kind: "document",
      caption: "Your invoice",
      media: { mimeType: "application/pdf", storageKey: sha(PDF), fileName: "invoice.pdf" },
    });
  });

  it("[url] says what went wrong: a 404 there, a refused address, a redirect to a reserved one, a lying type", async () => {
    const gone = await send({ body: { to: "+14155550151", media: { url: `${base}/gone` } } });
    expect(gone.status).toBe(422);
    expect(gone.body.error.message).toMatch(/404/);
    expect(gone.body.error.fields).toHaveProperty(["media.url"]);
    const loopback = await send(
      { body: { to: "+14155550151", media: { url: `${base}/invoice.pdf` } } },
      randomUUID(),
      callNoPrivate,
    );
    expect(loopback.status).toBe(400);
    expect(loopback.body.error.message).toMatch(/127\.0\.0\.1 is a private or loopback address/);
    const redirected = await send({ body: { to: "+14155550151", media: { url: `${base}/to-unspecified` } } });
    expect(redirected.status).toBe(400);
    expect(redirected.body.error.message).toMatch(/0\.0\.0\.0/);
    const photo = await send({ body: { to: "+14155550151", media: { url: `${base}/photo.jpg`, kind: "image" } } });
    expect(photo.status).toBe(415);
    expect(await pipeline.db.$count(messages, eq(messages.source, "api"))).toBeGreaterThan(0);
  });

  it("[url] refuses a file over the limit whether the server says so or not (413), storing nothing", async () => {
    const before = await storedFiles();
    const declared = await send({
      body: { to: "+14155550152", media: { url: `${base}/big-declared`, kind: "document" } },
    });
    expect(declared.status, declared.text).toBe(413);
    const endless = await send({ body: { to: "+14155550152", media: { url: `${base}/endless`, kind: "document" } } });
    expect(endless.status, endless.text).toBe(413);
    expect(await storedFiles()).toBe(before);
  });

  it("[url] gives up on a server that stalls (422, timeout)", async () => {
    const started = Date.now();
    const stalled = await send({ body: { to: "+14155550153", media: { url: `${base}/stall` } } });
    expect(stalled.status, stalled.text).toBe(422);
    expect(stalled.body.error.message).toMatch(/too slow/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("[url] a repeat with the same key is answered without fetching again", async () => {
    const key = randomUUID();
    const body = { body: { to: "+14155550154", media: { url: `${base}/invoice.pdf` } } };
    const first = await send(body, key);
    let fetched = 0;
    server.on("request", () => (fetched += 1));
    const again = await send(body, key);
    expect(again.body.message.id).toBe(first.body.message.id);
    expect(fetched).toBe(0);
  });
});

describe("REST API: reading media messages", () => {
  it("[read] a message's media has absolute signed links that download the same bytes and expire", async () => {
    const photo = await jpegBytes(48, 48);
    const sent = await send(
      multipart({ to: "+14155550160", caption: "Look" }, { fileName: "look.jpg", type: "image/jpeg", bytes: photo }),
    );
    expect(sent.status, sent.text).toBe(202);
    const read = await call("GET", `/messages/${sent.body.message.id}`, { key: readKey });
    expect(read.status).toBe(200);
    const { media: ref } = read.body.content;
    expect(ref.linkUnavailable).toBeNull();
    expect(await download(ref.url)).toEqual(photo);
    expect(await download(ref.downloadUrl)).toEqual(photo);
    expect(Buffer.isBuffer(await download(ref.thumbUrl))).toBe(true);
    const expiresAt = new Date(ref.expiresAt as string);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(500_000);
    expect(await download(ref.url, new Date(expiresAt.getTime() + 1_000))).toBe("expired");
    // A forged signature does not pass.
    expect(await download(String(ref.url).replace(/([?&])s=[^&]+/, "$1s=AAAA"))).toBe("bad_signature");

    const page = await call("GET", `/threads/${sent.body.threadId}/messages`, { key: readKey });
    expect(page.body.messages[0].content.media.url).toMatch(/^http:\/\/localhost\/api\/media\//);

    // NEXTAUTH_URL, when set, is the links' origin.
    const behindProxy = restClient({
      db: pipeline.db,
      boss: pipeline.boss,
      media: { ...media, publicOrigin: "https://switchboard.example.com" },
    });
    const again = await behindProxy("GET", `/messages/${sent.body.message.id}`, { key: readKey });
    expect(again.body.content.media.url).toMatch(/^https:\/\/switchboard\.example\.com\/api\/media\//);
  });
});

describe("REST API: hostile multipart bodies", () => {
  it("[fuzz] never answers 5xx nor sends anything for a broken multipart body", async () => {
    const { seed, runs } = fuzzSettings();
    const before = await pipeline.db.$count(messages);
    const fragments = [
      `--${BOUNDARY}\r\n`,
      `--${BOUNDARY}--\r\n`,
      'Content-Disposition: form-data; name="to"\r\n\r\n+14155550170\r\n',
      'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n',
      'Content-Disposition: form-data; name="file"\r\n\r\n',
      'Content-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n',
      'Content-Disposition: form-data; name="caption"\r\n\r\n\u0000\ud800\r\n',
      'Content-Disposition: form-data; name="kind"\r\n\r\nimage\r\n',
      "Content-Disposition: form-data; name*=UTF-8''%FF%FE\r\n\r\n",
      "Content-Type: text/plain\r\n\r\n",
      "\r\n",
      "%PDF-1.4\n",
      "x".repeat(20_000),
    ];
    const bodies = fc.sample(
      fc.tuple(
        fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string(), fc.uint8Array({ maxLength: 512 })), {
          maxLength: 12,
        }),
        fc.constantFrom(
          `multipart/form-data; boundary=${BOUNDARY}`,
          "multipart/form-data",
          "multipart/form-data; boundary=",
          `multipart/form-data; boundary="${"b".repeat(200)}"`,
          "multipart/mixed; boundary=x",
        ),
      ),
      { seed, numRuns: Math.min(runs, 300) },
    );
    const statuses = new Map<number, number>();
    for (const [pieces, contentType] of bodies) {
      const raw = Buffer.concat(
        pieces.map((piece) => (typeof piece === "string" ? Buffer.from(piece) : Buffer.from(piece))),
      );
      const response = await send({ rawBody: new Uint8Array(raw), headers: { "content-type": contentType } });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(
        response.status,
        `${contentType}\n${raw.toString("latin1").slice(0, 300)}\n→ ${response.text}`,
      ).toBeLessThan(500);
      expect(response.status).not.toBe(202);
    }
    expect(await pipeline.db.$count(messages)).toBe(before);
    // Mostly refused as malformed, some for a missing file or a field after it.
    expect(statuses.get(400)).toBeGreaterThan(0);
  });

  it("[fuzz] a body cut off mid-file is refused, and nothing is stored", async () => {
    const before = await databaseFingerprint(pipeline.db);
    const files = await storedFiles();
    const whole = Buffer.from(
      multipart(
        { to: "+14155550171" },
        { fileName: "a.pdf", type: "application/pdf", bytes: Buffer.concat([PDF, randomBytes(50_000)]) },
      ).rawBody as Uint8Array,
    );
    const response = await send({
      rawBody: new Uint8Array(whole.subarray(0, whole.length - 30_000)),
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    });
    expect(response.status).toBe(400);
    expect(fingerprintDifference(before, await databaseFingerprint(pipeline.db))).toEqual([]);
    expect(await storedFiles()).toBe(files);
  });
});
