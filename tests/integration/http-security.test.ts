import { randomUUID } from "node:crypto";
import http from "node:http";
import { readdirSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { chromium, type Page } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contacts, waSessions } from "~/db/schema";
import { createApiKey } from "~/server/rest/api-keys";
import { createUser } from "~/server/users/users";
import { CHROMIUM_FLAGS } from "~/server/lib/chromium";
import { CHROMIUM_PATH, RUN_BROWSER_TESTS } from "../support/chromium";
import { useTestDatabase, type TTestDatabase } from "../support/database";
import { createFakeGemini } from "../support/fake-gemini-server";
import { freePort } from "../support/ports";
import { ROOT, spawnTs, type TEnv, type TSpawned, waitFor } from "../support/processes";

/**
 * Security headers, HTTPS and CSRF, over HTTP against the production server as `npm start` runs
 * it (server/stack/start.ts: the built app, the worker, our database): every page and every
 * kind of API route carries the headers; tRPC and the cookie-authenticated route handlers
 * answer only the app's own pages; HSTS and Secure cookies come only with HTTPS.
 */

const APP_SECRET = "http-security-test-secret-0123456789abcdef";
const ADMIN = { email: "owner@example.test", password: "a-long-password" };

type TServer = { base: string; output: () => string; stop: () => Promise<void> };

async function stopProcess(spawned: TSpawned) {
  if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) return;
  spawned.child.kill("SIGTERM");
  const timer = setTimeout(() => spawned.child.kill("SIGKILL"), 20_000);
  await spawned.exited;
  clearTimeout(timer);
}

/** `npm start` on a free port, ready when /api/health answers 200. */
async function startStack(env: TEnv): Promise<TServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-http-security-"));
  await chmod(dataDir, 0o755);
  const stack = spawnTs("server/stack/start.ts", [], {
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    APP_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "warn",
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(stack);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (stack.child.exitCode !== null) throw new Error(`the stack exited early:\n${stack.output().slice(-3000)}`);
        return (await fetch(`${base}/api/health`)).status === 200;
      },
      120_000,
      () => `health 200; output so far:\n${stack.output().slice(-2000)}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, output: stack.output, stop };
}

function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!);
}

/** Signs in through next-auth's own form endpoint; returns the Cookie header and the Set-Cookie lines. */
async function signIn(base: string, headers: Record<string, string> = {}, as: typeof ADMIN = ADMIN) {
  const csrfResponse = await fetch(`${base}/api/auth/csrf`, { headers });
  const cookies = cookiePairs(csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email: as.email, password: as.password, json: "true" }),
  });
  const setCookies = login.headers.getSetCookie();
  const all = [...cookies, ...cookiePairs(login)];
  return { cookie: all.join("; "), csrfToken, csrfCookies: cookies.join("; "), setCookies };
}

function sessionCookieLine(setCookies: string[]): string | undefined {
  return setCookies.find((line) => /^(__Secure-)?next-auth\.session-token=/.test(line));
}

/**
 * A GET with exactly these headers (fetch would write its own Sec-Fetch-Mode); the body is read
 * to its end or for at most `maxMs` (an event stream never ends).
 */
function rawGet(
  url: string,
  headers: Record<string, string>,
  maxMs = 3_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let body = "";
      const done = () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, body });
      };
      const timer = setTimeout(() => {
        request.destroy();
        done();
      }, maxMs);
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", done);
    });
    request.on("error", reject);
  });
}

/** The CSP's directives by name. */
function cspDirectives(response: Response): Map<string, string[]> {
  const policy = response.headers.get("content-security-policy") ?? "";
  return new Map(
    policy
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name = "", ...values] = part.split(/\s+/);
        return [name, values];
      }),
  );
}

/** The headers every response must carry; HSTS exactly when served over HTTPS. */
function expectSecurityHeaders(response: Response, what: string, options: { https: boolean }) {
  const csp = cspDirectives(response);
  const scripts = csp.get("script-src") ?? [];
  expect(
    scripts.some((value) => /^'nonce-[A-Za-z0-9+/]{22}=='$/.test(value)),
    `${what}: script nonce`,
  ).toBe(true);
  expect(scripts, `${what}: script-src`).toContain("'strict-dynamic'");
  expect(scripts, `${what}: no eval`).not.toContain("'unsafe-eval'");
  expect(scripts, `${what}: no inline scripts`).not.toContain("'unsafe-inline'");
  expect(csp.get("default-src"), `${what}: default-src`).toEqual(["'self'"]);
  expect(csp.get("object-src"), `${what}: object-src`).toEqual(["'none'"]);
  expect(csp.get("base-uri"), `${what}: base-uri`).toEqual(["'self'"]);
  expect(csp.get("form-action"), `${what}: form-action`).toEqual(["'self'"]);
  expect(csp.get("frame-ancestors"), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(csp.get("connect-src"), `${what}: connect-src`).toEqual(["'self'"]);
  expect(csp.has("upgrade-insecure-requests"), `${what}: upgrade-insecure-requests`).toBe(options.https);
  expect(response.headers.get("x-content-type-options"), `${what}: nosniff`).toBe("nosniff");
  expect(response.headers.get("referrer-policy"), `${what}: Referrer-Policy`).toBe("same-origin");
  expect(response.headers.get("x-frame-options"), `${what}: X-Frame-Options`).toBe("DENY");
  const permissions = response.headers.get("permissions-policy") ?? "";
  for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) {
    expect(permissions, `${what}: Permissions-Policy ${feature}`).toContain(`${feature}=()`);
  }
  if (options.https) {
    expect(response.headers.get("strict-transport-security"), `${what}: HSTS`).toBe(
      "max-age=31536000; includeSubDomains",
    );
  } else {
    expect(response.headers.get("strict-transport-security"), `${what}: no HSTS over HTTP`).toBeNull();
  }
}

/** Every <script> of a page carries the nonce of its own response's CSP. */
function expectScriptsNonced(response: Response, html: string, what: string) {
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1];
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${what}: has scripts`).toBeGreaterThan(0);
  for (const script of scripts) expect(script, what).toContain(`nonce="${nonce}"`);
}

/** What the browser says about the CSP or Permissions-Policy, and uncaught errors, as they come. */
function watchPolicyComplaints(page: Page): string[] {
  const complaints: string[] = [];
  page.on("console", (message) => {
    if (/content.security.policy|permissions.policy/i.test(message.text())) {
      complaints.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => complaints.push(`${page.url()}: ${error.message}`));
  return complaints;
}

/**
 * An init script: Chromium prints blocked loads itself, but a blocked eval a library catches
 * (feature detection) or a refused inline style only shows as this event.
 */
function reportViolations() {
  document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`Content-Security-Policy violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
  });
}

/** The paths of every page under app/ (route groups dropped, a dynamic segment filled by `fill`). */
function pagePaths(fill: (segment: string) => string): string[] {
  const app = path.join(ROOT, "app");
  return readdirSync(app, { recursive: true })
    .map(String)
    .filter((file) => path.basename(file) === "page.tsx")
    .map((file) => {
      const segments = path
        .dirname(file)
        .split(path.sep)
        .filter((segment) => segment !== "." && !/^\(.*\)$/.test(segment))
        .map((segment) => (/^\[.*\]$/.test(segment) ? fill(segment) : segment));
      return `/${segments.join("/")}`;
    })
    .sort();
}

const ICONS: [string, string][] = [
  ["/favicon.ico", "image/x-icon"],
  ["/icon.svg", "image/svg+xml"],
  ["/apple-touch-icon.png", "image/png"],
  ["/icon-192.png", "image/png"],
  ["/icon-512.png", "image/png"],
  ["/icon-maskable-512.png", "image/png"],
  ["/manifest.webmanifest", "application/manifest+json"],
];

/** An MCP `initialize` request (JSON-RPC), as a client's first POST to /api/mcp. */
const MCP_INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "http-security", version: "1" } },
});

function mcpHeaders(key?: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  };
}

let database: TTestDatabase;
const servers: TServer[] = [];
beforeAll(async () => {
  database = await useTestDatabase();
}, 600_000);
afterAll(async () => {
  for (const server of servers) await server.stop();
});

describe("over plain HTTP, no proxy trusted (the defaults)", () => {
  let server: TServer;
  let gemini: Awaited<ReturnType<typeof createFakeGemini>>;
  let session: Awaited<ReturnType<typeof signIn>>;
  let contact: { id: string } | undefined;
  beforeAll(async () => {
    gemini = await createFakeGemini({ otherwise: { reply: "OK" } });
    server = await startStack({ DATABASE_URL: database.url, GEMINI_API_KEY: "test-key", GEMINI_BASE_URL: gemini.url });
    servers.push(server);
    session = await signIn(server.base);
    const [simulator] = await database.db.select({ id: waSessions.id }).from(waSessions).limit(1);
    [contact] = await database.db
      .insert(contacts)
      .values({ sessionId: simulator!.id, waId: "15550001111", name: "Header Check" })
      .returning({ id: contacts.id });
  }, 300_000);
  afterAll(async () => {
    await gemini.close();
  });
  const aiTests = () => gemini.requests.filter((request) => JSON.stringify(request.body).includes("Are you there?"));

  it("puts the headers, and the nonce on every script, on every page", { timeout: 120_000 }, async () => {
    const pages = pagePaths(() => contact!.id);
    expect(pages).toEqual(
      expect.arrayContaining(["/", "/login", "/settings", "/analytics", `/contacts/${contact!.id}`]),
    );
    const nonces = new Set<string>();
    const notFound = ["/no-such-page"];
    for (const page of [...pages, ...notFound]) {
      const response = await fetch(`${server.base}${page}`, { headers: { cookie: session.cookie } });
      const html = await response.text();
      expect(response.status, page).toBe(notFound.includes(page) ? 404 : 200);
      expect(response.headers.get("content-type"), page).toContain("text/html");
      expectSecurityHeaders(response, page, { https: false });
      expectScriptsNonced(response, html, page);
      nonces.add(/'nonce-([^']+)'/.exec(response.headers.get("content-security-policy") ?? "")![1]!);
      // The page declares its icons and manifest.
      if (response.status === 200) {
        for (const link of [
          '<link rel="manifest" href="/manifest.webmanifest"',
          '<link rel="icon" href="/favicon.ico"',
          '<link rel="apple-touch-icon" href="/apple-touch-icon.png"',
        ]) {
          expect(html, page).toContain(link);
        }
      }
    }
    expect(nonces.size, "a fresh nonce per response").toBe(pages.length + notFound.length);
    // Signed out, a page redirects to sign-in, headers and all.
    const signedOut = await fetch(`${server.base}/settings`, { redirect: "manual" });
    expect(signedOut.status).toBe(307);
    expect(signedOut.headers.get("location")).toContain("/login");
    expectSecurityHeaders(signedOut, "redirect to sign-in", { https: false });
  });

  it("puts the headers on every kind of API response and on static files", { timeout: 60_000 }, async () => {
    const [admin] = await database.db.query.users.findMany({ limit: 1 });
    const key = await createApiKey(
      database.db,
      { id: admin!.id, email: admin!.email, name: admin!.name, role: admin!.role },
      { name: "headers", scopes: ["read"] },
    );
    const own = { cookie: session.cookie, origin: server.base };
    const today = new Date().toISOString().slice(0, 10);
    const loginHtml = await (await fetch(`${server.base}/login`)).text();
    const script = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(loginHtml)?.[1];
    const stylesheet = /<link rel="stylesheet" href="(\/_next\/static\/[^"]+\.css)"/.exec(loginHtml)?.[1];
    expect(script).toBeDefined();
    expect(stylesheet).toBeDefined();
    const cases: { what: string; url: string; init?: RequestInit; status: number; type: string }[] = [
      { what: "health", url: "/api/health", status: 200, type: "application/json" },
      { what: "tRPC query", url: "/api/trpc/auth.me", init: { headers: own }, status: 200, type: "application/json" },
      {
        what: "tRPC batch mutation",
        url: "/api/trpc/settings.testAi?batch=1",
        init: { method: "POST", headers: { ...own, "content-type": "application/json" }, body: "{}" },
        status: 200,
        type: "application/json",
      },
      { what: "tRPC unknown procedure", url: "/api/trpc/nope", init: { headers: own }, status: 404, type: "json" },
      { what: "REST OpenAPI", url: "/api/v1/openapi.json", status: 200, type: "application/json" },
      {
        what: "REST with a key",
        url: "/api/v1/contacts",
        init: { headers: { authorization: `Bearer ${key.key}` } },
        status: 200,
        type: "application/json",
      },
      { what: "REST without a key", url: "/api/v1/contacts", status: 401, type: "application/json" },
      {
        what: "MCP initialize with a key",
        url: "/api/mcp",
        init: { method: "POST", headers: mcpHeaders(key.key), body: MCP_INITIALIZE },
        status: 200,
        type: "application/json",
      },
      {
        what: "MCP without a key",
        url: "/api/mcp",
        init: { method: "POST", headers: mcpHeaders(), body: MCP_INITIALIZE },
        status: 401,
        type: "application/json",
      },
      { what: "next-auth csrf", url: "/api/auth/csrf", status: 200, type: "application/json" },
      {
        what: "next-auth session",
        url: "/api/auth/session",
        init: { headers: own },
        status: 200,
        type: "application/json",
      },
      { what: "contacts CSV", url: "/api/contacts/export", init: { headers: own }, status: 200, type: "text/csv" },
      {
        what: "analytics CSV",
        url: `/api/analytics/export?kind=messages&from=${today}&to=${today}`,
        init: { headers: own },
        status: 200,
        type: "text/csv",
      },
      { what: "export signed out", url: "/api/contacts/export", status: 401, type: "text/plain" },
      {
        what: "campaign export signed out",
        url: "/api/campaigns/00000000-0000-4000-8000-000000000000/export",
        status: 401,
        type: "text/plain",
      },
      {
        what: "campaign export of no campaign",
        url: "/api/campaigns/00000000-0000-4000-8000-000000000000/export",
        init: { headers: own },
        status: 404,
        type: "text/plain",
      },
      {
        what: "contact data export",
        url: `/api/contacts/${contact!.id}/data-export`,
        init: { headers: own },
        status: 200,
        type: "application/zip",
      },
      {
        what: "contact data export signed out",
        url: `/api/contacts/${contact!.id}/data-export`,
        status: 401,
        type: "text/plain",
      },
      {
        what: "contact data export of no contact",
        url: "/api/contacts/00000000-0000-4000-8000-000000000000/data-export",
        init: { headers: own },
        status: 404,
        type: "text/plain",
      },
      {
        what: "contact data export of a malformed id",
        url: "/api/contacts/not-a-uuid/data-export",
        init: { headers: own },
        status: 404,
        type: "text/plain",
      },
      { what: "unknown API path", url: "/api/no-such-route", status: 404, type: "text/html" },
      // Next would fail on these before proxy.ts runs (a bare 500); the web entry answers them.
      { what: "malformed %-escape in a page path", url: "/contacts/%ZZ", status: 400, type: "text/plain" },
      { what: "malformed %-escape in a REST path", url: "/api/v1/messages/%ZZ", status: 400, type: "application/json" },
      { what: "script", url: script!, status: 200, type: "javascript" },
      { what: "stylesheet", url: stylesheet!, status: 200, type: "text/css" },
      { what: "missing static file", url: "/_next/static/chunks/no-such-chunk.js", status: 404, type: "text/plain" },
      ...ICONS.map(([url, type]) => ({ what: url, url, status: 200, type })),
    ];
    for (const { what, url, init, status, type } of cases) {
      const response = await fetch(`${server.base}${url}`, { redirect: "manual", ...init });
      await response.arrayBuffer();
      expect(response.status, `${what} status`).toBe(status);
      expect(response.headers.get("content-type"), `${what} type`).toContain(type);
      expectSecurityHeaders(response, what, { https: false });
    }
    // The event stream: headers first, then it stays open.
    const events = new AbortController();
    const stream = await fetch(`${server.base}/api/events`, { headers: own, signal: events.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expectSecurityHeaders(stream, "event stream", { https: false });
    events.abort();
  });

  it("serves the icons and the manifest without a session", async () => {
    for (const [url, type] of ICONS) {
      const response = await fetch(`${server.base}${url}`, { redirect: "manual" });
      expect(response.status, url).toBe(200);
      expect(response.headers.get("content-type"), url).toContain(type);
      const body = Buffer.from(await response.arrayBuffer());
      if (type === "image/png") expect(body.subarray(1, 4).toString(), url).toBe("PNG");
      if (url === "/favicon.ico") {
        // An icon directory (type 1) with 16, 32 and 48 pixel images.
        expect(body.readUInt16LE(2)).toBe(1);
        const sizes = Array.from({ length: body.readUInt16LE(4) }, (_, index) => body.readUInt8(6 + 16 * index));
        expect(sizes).toEqual([16, 32, 48]);
      }
      if (url === "/manifest.webmanifest") {
        const manifest = JSON.parse(body.toString()) as { name: string; icons: { src: string; sizes: string }[] };
        expect(manifest).toMatchObject({ name: "Switchboard", short_name: "Switchboard", theme_color: "#047857" });
        expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
        for (const icon of manifest.icons) expect((await fetch(`${server.base}${icon.src}`)).status).toBe(200);
      }
    }
  });

  it("refuses a cross-site form POST to a tRPC mutation, and runs the same call from the app itself", async () => {
    const before = aiTests().length;
    const form = new FormData();
    form.set("anything", "x");
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" },
      { origin: "http://127.0.0.1.evil.example", "sec-fetch-site": "same-site" },
      { origin: "null" },
      {},
    ];
    for (const headers of crossSite) {
      const response = await fetch(`${server.base}/api/trpc/settings.testAi`, {
        method: "POST",
        headers: { cookie: session.cookie, ...headers },
        body: form,
      });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("FORBIDDEN");
      expect(body.error.message).toMatch(/^Refused: /);
      expectSecurityHeaders(response, "refusal", { https: false });
    }
    expect(aiTests()).toHaveLength(before);

    const fromApp = await fetch(`${server.base}/api/trpc/settings.testAi`, {
      method: "POST",
      headers: { cookie: session.cookie, origin: server.base, "content-type": "application/json" },
      body: "{}",
    });
    expect(fromApp.status).toBe(200);
    expect(await fromApp.json()).toMatchObject({ result: { data: { json: { ok: true, reply: "OK" } } } });
    // Fetch metadata alone is enough: a reverse proxy may have rewritten Host.
    const behindProxy = await fetch(`${server.base}/api/trpc/settings.testAi`, {
      method: "POST",
      headers: { cookie: session.cookie, "sec-fetch-site": "same-origin", "content-type": "application/json" },
      body: "{}",
    });
    expect(behindProxy.status).toBe(200);
    expect(aiTests()).toHaveLength(before + 2);
  });

  it("accepts tRPC POSTs as JSON only, even from the app's own origin", async () => {
    const before = aiTests().length;
    const bodies: [string, BodyInit][] = [
      ["multipart/form-data", new FormData()],
      ["text/plain", "{}"],
      ["application/x-www-form-urlencoded", "a=b"],
      ["application/octet-stream", new Blob(["{}"], { type: "application/octet-stream" })],
    ];
    for (const [type, body] of bodies) {
      const headers: Record<string, string> = { cookie: session.cookie, origin: server.base };
      if (type !== "multipart/form-data") headers["content-type"] = type;
      const response = await fetch(`${server.base}/api/trpc/settings.testAi`, { method: "POST", headers, body });
      expect(response.status, type).toBe(415);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(type);
    }
    expect(aiTests()).toHaveLength(before);
  });

  it("refuses cross-site reads of tRPC, events and exports, but lets a link open an export", async () => {
    // node:http, not fetch: fetch writes its own Sec-Fetch-Mode.
    const corsRead = { cookie: session.cookie, "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" };
    const embedded = { cookie: session.cookie, "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" };
    const refused: Record<string, number> = {};
    for (const [url, headers] of [
      ["/api/trpc/auth.me", corsRead],
      ["/api/events", corsRead],
      ["/api/contacts/export", embedded],
      ["/api/analytics/export?kind=messages&from=2026-01-01&to=2026-01-02", embedded],
      ["/api/campaigns/00000000-0000-4000-8000-000000000000/export", embedded],
      [`/api/contacts/${contact!.id}/data-export`, embedded],
    ] as const) {
      const response = await rawGet(`${server.base}${url}`, headers);
      refused[url.split("?")[0]!] = response.status;
      if (response.status === 403) expect(response.body, url).toContain("Sec-Fetch-Site: cross-site");
    }
    expect(refused).toEqual({
      "/api/trpc/auth.me": 403,
      "/api/events": 403,
      "/api/contacts/export": 403,
      "/api/analytics/export": 403,
      "/api/campaigns/00000000-0000-4000-8000-000000000000/export": 403,
      [`/api/contacts/${contact!.id}/data-export`]: 403,
    });
    const link = await rawGet(`${server.base}/api/contacts/export`, {
      cookie: session.cookie,
      "sec-fetch-site": "cross-site",
      "sec-fetch-mode": "navigate",
      "sec-fetch-dest": "document",
    });
    expect(link.status).toBe(200);
    expect(link.body).toContain("Header Check");
    const own = await rawGet(`${server.base}/api/trpc/auth.me`, {
      cookie: session.cookie,
      "sec-fetch-site": "same-origin",
      "sec-fetch-mode": "cors",
    });
    expect(own.status).toBe(200);
  });

  it("lets only admins download a contact's data: a signed-in manager gets 403, and no ZIP", async () => {
    const manager = { email: "manager@example.test", password: "another-long-password" };
    await createUser(database.db, null, { ...manager, name: "Manager", role: "manager" });
    const managerSession = await signIn(server.base, {}, manager);
    const me = await fetch(`${server.base}/api/trpc/auth.me`, {
      headers: { cookie: managerSession.cookie, origin: server.base },
    });
    expect(await me.text()).toContain("manager@example.test");
    for (const id of [contact!.id, "00000000-0000-4000-8000-000000000000"]) {
      const response = await fetch(`${server.base}/api/contacts/${id}/data-export`, {
        headers: { cookie: managerSession.cookie, origin: server.base },
      });
      expect(response.status, id).toBe(403);
      expect(response.headers.get("content-type"), id).toContain("text/plain");
      expect(response.headers.get("content-disposition"), id).toBeNull();
      expectSecurityHeaders(response, "data export refused", { https: false });
    }
    const admin = await fetch(`${server.base}/api/contacts/${contact!.id}/data-export`, {
      headers: { cookie: session.cookie, origin: server.base },
    });
    expect(admin.status).toBe(200);
    expect(admin.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.zip"$/);
    const zip = Buffer.from(await admin.arrayBuffer());
    expect(zip.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(zip.includes(Buffer.from("contact.json"))).toBe(true);
  });

  it("keeps the REST API on keys alone: no cookie login, no origin check", async () => {
    const withCookie = await fetch(`${server.base}/api/v1/contacts`, {
      headers: { cookie: session.cookie, origin: server.base, "sec-fetch-site": "same-origin" },
    });
    expect(withCookie.status).toBe(401);
    const [admin] = await database.db.query.users.findMany({ limit: 1 });
    const key = await createApiKey(
      database.db,
      { id: admin!.id, email: admin!.email, name: admin!.name, role: admin!.role },
      { name: "cross-site", scopes: ["read"] },
    );
    const crossSite = await fetch(`${server.base}/api/v1/contacts`, {
      headers: { authorization: `Bearer ${key.key}`, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(crossSite.status).toBe(200);
    // The MCP server too: a bearer API, where a cookie alone is nobody and an origin no reason to refuse.
    const mcpWithCookie = await fetch(`${server.base}/api/mcp`, {
      method: "POST",
      headers: { ...mcpHeaders(), cookie: session.cookie, origin: server.base, "sec-fetch-site": "same-origin" },
      body: MCP_INITIALIZE,
    });
    expect(mcpWithCookie.status).toBe(401);
    const mcpCrossSite = await fetch(`${server.base}/api/mcp`, {
      method: "POST",
      headers: { ...mcpHeaders(key.key), origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: MCP_INITIALIZE,
    });
    expect(mcpCrossSite.status).toBe(200);
  });

  it("sends next-auth's errors to the sign-in page, which says what happened (its own page was a 500 the CSP broke)", async () => {
    const error = await fetch(`${server.base}/api/auth/error?error=Configuration`, { redirect: "manual" });
    expect(error.status).toBe(302);
    expect(new URL(error.headers.get("location")!, server.base).pathname).toBe("/login");
    expectSecurityHeaders(error, "next-auth error", { https: false });
    const page = await fetch(`${server.base}/login?error=Configuration`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Sign-in is not set up correctly on this server");
    // Nothing from the URL is shown as it is.
    const forged = await (await fetch(`${server.base}/login?error=${encodeURIComponent("<b>pay here</b>")}`)).text();
    expect(forged).not.toContain("pay here");
    expect(forged).toContain("Signing in did not work");
  });

  it("leaves next-auth's sign-in and sign-out to its CSRF token", async () => {
    // A cross-site login form (login CSRF) has no token: no session.
    const forged = await fetch(`${server.base}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }),
    });
    expect(sessionCookieLine(forged.headers.getSetCookie())).toBeUndefined();
    expect(forged.headers.get("location")).toContain("csrf=true");
    // A cross-site sign-out without the token leaves the session alone.
    const signOut = await fetch(`${server.base}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: session.cookie,
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
      },
      body: "",
    });
    expect(sessionCookieLine(signOut.headers.getSetCookie())).toBeUndefined();
    const me = await fetch(`${server.base}/api/trpc/auth.me`, { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
  });

  it.runIf(RUN_BROWSER_TESTS)(
    "renders every page in Chromium with no CSP violation, the Sessions QR code included",
    { timeout: 120_000 },
    async () => {
      // A number waiting to be linked; the lease is another worker's, so ours leaves it alone.
      await database.db.insert(waSessions).values({
        name: "Shop phone",
        kind: "wwebjs",
        status: "qr",
        qr: "2@csp-check,qr-string-from-whatsapp-web,0123456789==",
        leaseOwner: "another-worker",
        leaseExpiresAt: new Date(Date.now() + 3_600_000),
      });
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
      try {
        const context = await browser.newContext();
        await context.addCookies(
          session.cookie.split("; ").map((pair) => {
            const [name = "", ...value] = pair.split("=");
            return { name, value: value.join("="), url: server.base };
          }),
        );
        const page = await context.newPage();
        const complaints = watchPolicyComplaints(page);
        await page.addInitScript(reportViolations);
        for (const path of [...pagePaths(() => contact!.id), "/no-such-page"]) {
          await page.goto(`${server.base}${path}`);
          await page.waitForLoadState("networkidle");
          // Next's client runtime ran (it announces itself on window.next): the nonced scripts were allowed.
          await page.waitForFunction(
            () => typeof (window as { next?: { version?: string } }).next?.version === "string",
          );
        }
        await page.goto(`${server.base}/sessions`);
        const qr = page.getByRole("img", { name: "QR code to link Shop phone" });
        await qr.waitFor();
        expect(await qr.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
        expect(complaints).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );

  it("believes no client that claims HTTPS: no HSTS, no Secure cookies", async () => {
    const claim = { "x-forwarded-proto": "https" };
    const page = await fetch(`${server.base}/login`, { headers: claim });
    expectSecurityHeaders(page, "login claiming https", { https: false });
    const claimed = await signIn(server.base, claim);
    const cookie = sessionCookieLine(claimed.setCookies);
    expect(cookie).toMatch(/^next-auth\.session-token=/);
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });
});

describe("behind a trusted reverse proxy (TRUSTED_PROXY_HOPS=1)", () => {
  let server: TServer;
  beforeAll(async () => {
    server = await startStack({ DATABASE_URL: database.url, TRUSTED_PROXY_HOPS: "1" });
    servers.push(server);
  }, 300_000);
  afterAll(() => server.stop());

  it("sends HSTS and Secure cookies when the proxy says https, and neither when it says http", async () => {
    const https = { "x-forwarded-proto": "https", "x-forwarded-host": "switchboard.example.test" };
    for (const url of ["/login", "/api/health", "/favicon.ico", "/api/v1/openapi.json"]) {
      expectSecurityHeaders(await fetch(`${server.base}${url}`, { headers: https }), `${url} over https`, {
        https: true,
      });
      expectSecurityHeaders(
        await fetch(`${server.base}${url}`, { headers: { "x-forwarded-proto": "http" } }),
        `${url} over http`,
        { https: false },
      );
    }
    const secure = await signIn(server.base, https);
    expect(sessionCookieLine(secure.setCookies)).toMatch(/^__Secure-next-auth\.session-token=.*;\s*Secure/i);
    // The page proxy finds the __Secure- session cookie: the page opens rather than redirecting.
    const page = await fetch(`${server.base}/settings`, {
      redirect: "manual",
      headers: { ...https, cookie: secure.cookie },
    });
    expect(page.status).toBe(200);
    expectSecurityHeaders(page, "settings over https", { https: true });
    // The proxy's Origin and forwarded host agree: a same-origin call from an older browser passes.
    const fromApp = await fetch(`${server.base}/api/trpc/auth.me`, {
      method: "POST",
      headers: { ...https, cookie: secure.cookie, origin: "https://switchboard.example.test" },
    });
    expect(fromApp.status).not.toBe(403);
    const plain = await signIn(server.base, { "x-forwarded-proto": "http" });
    const cookie = sessionCookieLine(plain.setCookies);
    expect(cookie).toMatch(/^next-auth\.session-token=/);
    expect(cookie).not.toMatch(/;\s*Secure/i);
  });
});

describe("with an https NEXTAUTH_URL", () => {
  const publicUrl = "https://switchboard.example.test";
  let server: TServer;
  beforeAll(async () => {
    server = await startStack({ DATABASE_URL: database.url, NEXTAUTH_URL: publicUrl });
    servers.push(server);
  }, 300_000);
  afterAll(() => server.stop());

  it("always sends HSTS and Secure cookies, and takes NEXTAUTH_URL's origin as its own", async () => {
    expectSecurityHeaders(await fetch(`${server.base}/login`), "login", { https: true });
    expectSecurityHeaders(await fetch(`${server.base}/api/health`), "health", { https: true });
    const session = await signIn(server.base);
    expect(sessionCookieLine(session.setCookies)).toMatch(/^__Secure-next-auth\.session-token=.*;\s*Secure/i);
    for (const origin of [publicUrl, server.base]) {
      const call = await fetch(`${server.base}/api/trpc/settings.testAi`, {
        method: "POST",
        headers: { cookie: session.cookie, origin, "content-type": "application/json" },
        body: "{}",
      });
      expect(call.status, origin).toBe(200);
    }
    const other = await fetch(`${server.base}/api/trpc/settings.testAi`, {
      method: "POST",
      headers: {
        cookie: session.cookie,
        origin: "http://switchboard.example.test",
        "content-type": "application/json",
      },
      body: "{}",
    });
    expect(other.status).toBe(403);
  });
});

describe("when a page fails", () => {
  it("still sends the headers with the error page", { timeout: 120_000 }, async () => {
    // The web alone, as the launcher starts it, with its database unreachable: a signed-in page
    // then fails to load its session and Next answers with its error page.
    const port = await freePort();
    const web = spawnTs("server/web/server.ts", ["--port", String(port), "--hostname", "127.0.0.1"], {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AUTH_TRUST_HOST: "true",
      APP_SECRET,
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      LOG_LEVEL: "silent",
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/login`)).status === 200, 60_000, "the web to answer");
      const token = await encode({
        token: { uid: randomUUID(), sid: randomUUID(), role: "admin", email: ADMIN.email, name: "Owner" },
        secret: APP_SECRET,
      });
      const response = await fetch(`${base}/settings`, {
        headers: { cookie: `next-auth.session-token=${token}` },
        redirect: "manual",
      });
      const html = await response.text();
      expect(response.status).toBe(500);
      expectSecurityHeaders(response, "error page", { https: false });
      expectScriptsNonced(response, html, "error page");
      if (RUN_BROWSER_TESTS) {
        const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
        try {
          const context = await browser.newContext();
          await context.addCookies([{ name: "next-auth.session-token", value: token, url: base }]);
          const page = await context.newPage();
          const complaints = watchPolicyComplaints(page);
          await page.addInitScript(reportViolations);
          await page.goto(`${base}/settings`);
          await page.waitForFunction(
            () => typeof (window as { next?: { version?: string } }).next?.version === "string",
          );
          expect(complaints).toEqual([]);
          await expect(page.getByRole("heading", { name: "Something went wrong" }).isVisible()).resolves.toBe(true);
        } finally {
          await browser.close();
        }
      }
    } finally {
      await stopProcess(web);
    }
  });
});
