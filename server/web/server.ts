/**
 * The web process (`npm start` and `npm run dev` spawn it): Next.js behind a plain Node HTTP
 * server instead of `next start`. It exists for one reason: `next start` sets X-Forwarded-For
 * from the socket only when the client did not send one, so a client could choose the address
 * that login throttling counts. Here the header is always rewritten from the socket first
 * (`forwardedForWithPeer`): replaced without a trusted proxy, appended to behind one.
 *
 * Usage: node --import tsx server/web/server.ts --port 3000 --hostname 0.0.0.0 [--dev]
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { forwardedForWithPeer } from "~/server/auth/client-address";
import { ConfigError, webEnv } from "~/server/env";
import { createLogger } from "~/server/logger";
import { isMetricsPath, serveMetrics } from "~/server/metrics/http";
import { MALFORMED_PATH_ERROR } from "~/server/rest/path";
import { createNonce, securityHeaders } from "~/server/security/headers";
import { isHttpsRequest } from "~/server/security/request-origin";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** How long in-flight requests (and open event streams) get after SIGTERM before they are cut. */
const DRAIN_MS = 2_000;

function fail(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchboard web: ${message}\n`);
  process.exit(1);
}

/** Whether the path of a request target holds a %-escape that does not decode. */
function hasMalformedEscape(target: string): boolean {
  const pathname = target.split("?", 1)[0] ?? "";
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3000" },
      hostname: { type: "string", default: "0.0.0.0" },
      dev: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  const hostname = values.hostname;
  const env = webEnv();
  const log = createLogger("web", env.LOG_LEVEL);

  const app = next({ dev: values.dev, dir: ROOT, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();

  const ownForwardedFor = (req: IncomingMessage) => {
    const value = forwardedForWithPeer(
      req.headers["x-forwarded-for"],
      req.socket.remoteAddress,
      env.TRUSTED_PROXY_HOPS,
    );
    if (value) req.headers["x-forwarded-for"] = value;
    else delete req.headers["x-forwarded-for"];
  };
  /**
   * An answer of our own, for what never reaches Next's proxy.ts (which sets the security
   * headers on everything else): the same headers, and the REST API's JSON error shape under /api.
   */
  const answer = (req: IncomingMessage, res: ServerResponse, status: 400 | 500) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const isHttps = isHttpsRequest(headers, { trustedProxyHops: env.TRUSTED_PROXY_HOPS, publicUrl: env.NEXTAUTH_URL });
    const isApi = (req.url ?? "").startsWith("/api/");
    const body =
      status === 400
        ? MALFORMED_PATH_ERROR
        : { error: { code: "internal_error", message: "Something went wrong on the server; it has been logged." } };
    res.writeHead(status, {
      ...securityHeaders({ nonce: createNonce(), isHttps, isDev: values.dev }),
      "content-type": isApi ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
      "cache-control": "no-store",
    });
    res.end(isApi ? JSON.stringify(body) : `${body.error.message}\n`);
  };
  const server = createServer((req, res) => {
    ownForwardedFor(req);
    // Next fails on a malformed %-escape in a dynamic segment before any of our code runs, with a
    // bare 500; it is the client's mistake.
    if (hasMalformedEscape(req.url ?? "/")) {
      answer(req, res, 400);
      return;
    }
    // Prometheus's scrape, answered here and not by Next: no session, no page, this process's registry.
    if (isMetricsPath(req.url)) {
      serveMetrics(req, res, env.METRICS_TOKEN).catch((error: unknown) => {
        log.error({ err: error }, "metrics scrape failed");
        if (!res.headersSent) answer(req, res, 500);
      });
      return;
    }
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, "request failed");
      if (!res.headersSent) answer(req, res, 500);
    });
  });
  // Hot reload's websocket in development.
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    ownForwardedFor(req);
    upgrade(req, socket, head).catch(() => socket.destroy());
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "web stopping");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, DRAIN_MS).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  log.info({ port, hostname, dev: values.dev, trustedProxyHops: env.TRUSTED_PROXY_HOPS }, "web listening");
}

main().catch(fail);
