import http from "node:http";
import type { AddressInfo } from "node:net";

export type TOrderSystem = {
  /** `http://127.0.0.1:<port>`: the flow's HTTP step calls `${url}/orders/<n>`. */
  url: string;
  /** The paths asked for, in order (`/orders/1001`). */
  requests: string[];
  close: () => Promise<void>;
};

/**
 * The shop's order system for a browser journey, on loopback (the e2e stack lets flows call
 * private networks): `GET /orders/:n` answers `{ order, status }` for an order in `statuses`, 404
 * `{ error }` otherwise. The spec closes it in `finally` (Playwright has no per-test hook here).
 */
export async function startOrderSystem(statuses: Record<string, string>): Promise<TOrderSystem> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? "";
    requests.push(path);
    const match = req.method === "GET" ? /^\/orders\/([^/?]+)$/.exec(path) : null;
    const order = match ? decodeURIComponent(match[1]!) : null;
    const status = order !== null ? statuses[order] : undefined;
    res.writeHead(status ? 200 : 404, { "Content-Type": "application/json" });
    res.end(JSON.stringify(status ? { order, status } : { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
