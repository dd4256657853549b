import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "~/server/logger";
import { metrics } from "./metrics";

/** The path Prometheus scrapes, on the web and on a worker's own port. */
export const METRICS_PATH = "/metrics";

/** Whether a request target is the metrics path (any query string aside). */
export function isMetricsPath(url: string | undefined): boolean {
  return (url ?? "/").split("?", 1)[0] === METRICS_PATH;
}

/** Whether an Authorization header carries the bearer token (compared in constant time). */
export function hasMetricsToken(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!match) return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

/**
 * Answers a request for /metrics: 404 when no METRICS_TOKEN is configured (metrics are off),
 * 405 for anything but GET/HEAD, 401 without the token, else this process's registry in the
 * Prometheus text format. Returns false for any other path (the caller answers those).
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
): Promise<boolean> {
  if (!isMetricsPath(req.url)) return false;
  const text = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
    res.end(body);
  };
  if (!token) text(404, "Not found\n");
  else if (req.method !== "GET" && req.method !== "HEAD") text(405, "Method not allowed\n", { allow: "GET, HEAD" });
  else if (!hasMetricsToken(req.headers.authorization, token))
    text(401, "Unauthorized\n", { "www-authenticate": 'Bearer realm="metrics"' });
  else {
    const body = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  }
  return true;
}

export type TMetricsServer = { port: number; stop: () => Promise<void> };

/**
 * A worker's own metrics listener (WORKER_METRICS_PORT on METRICS_HOST): /metrics with the
 * bearer token, 404 for everything else. Port 0 picks a free port (logged).
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  token: string;
  log: Logger;
}): Promise<TMetricsServer> {
  const server = createServer((req, res) => {
    serveMetrics(req, res, options.token)
      .then((handled) => {
        if (handled) return;
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not found\n");
      })
      .catch((error: unknown) => {
        options.log.warn({ err: error }, "metrics scrape failed");
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  options.log.info({ host: options.host, port, path: METRICS_PATH }, "metrics listening");
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
