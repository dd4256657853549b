import http from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

/**
 * A real HTTP server on 127.0.0.1 (a free port) that hands each request, as a web `Request`, to
 * a route handler (what Next does for app/api routes), and writes its `Response` back. Stops
 * when the test ends. For clients that need a real URL: the MCP SDK's own client transport.
 */
export async function serveHandler(handler: (request: Request) => Promise<Response>): Promise<{ url: string }> {
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      }
      const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
      const request = new Request(`http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`, {
        method: incoming.method ?? "GET",
        headers,
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
      });
      handler(request)
        .then(async (response) => {
          const body = Buffer.from(await response.arrayBuffer());
          outgoing.writeHead(response.status, Object.fromEntries(response.headers));
          outgoing.end(body);
        })
        .catch((error: unknown) => {
          outgoing.writeHead(500, { "content-type": "text/plain" });
          outgoing.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
