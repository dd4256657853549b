import http from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

export type TOrdersServer = {
  url: string;
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[];
};

/**
 * The business's order system, on loopback: `GET /orders/:n` answers `{ status }` from
 * `statuses` (404 for an unknown order); with `hold`, each answer waits for it. Stops with the test.
 */
export async function startOrdersServer(
  statuses: Record<string, string>,
  options: { hold?: () => Promise<void> } = {},
): Promise<TOrdersServer> {
  const requests: TOrdersServer["requests"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", async () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      // `hold`: answers once it resolves (a slow system).
      if (options.hold) await options.hold();
      const match = /^\/orders\/([^/?]+)/.exec(req.url ?? "");
      const status = match ? statuses[decodeURIComponent(match[1]!)] : undefined;
      res.writeHead(status ? 200 : 404, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify(status ? { order: match![1], status, items: [{ name: "Lamp" }] } : { error: "not found" }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
