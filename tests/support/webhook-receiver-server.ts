import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type TReceivedWebhook = { headers: IncomingMessage["headers"]; body: string; at: number };

/** How the receiver answers one request: a status (and headers, body), or hanging until told. */
export type TReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

/**
 * A webhook receiver on 127.0.0.1 for tests and benchmarks: records every request (headers,
 * raw body) and answers as `answer` decides. Bounded connections; `close` ends hanging requests.
 */
export async function createWebhookReceiver(
  answer: (request: TReceivedWebhook, index: number) => TReceiverAnswer = () => ({ status: 200 }),
) {
  const received: TReceivedWebhook[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), at: performance.now() };
      received.push(entry);
      const decided = answer(entry, received.length - 1);
      if (decided === "hang") {
        hanging.add(response);
        response.on("close", () => hanging.delete(response));
        return;
      }
      response
        .writeHead(decided.status, { "content-type": "text/plain", ...decided.headers })
        .end(decided.body ?? "ok");
    });
  });
  server.maxConnections = 200;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
