import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake server does with the next request. */
export type TFakeGeminiStep =
  | { reply: string; tokens?: { prompt: number; output: number } }
  | { status: number; message?: string }
  | { hang: true };

/**
 * A stand-in for the Gemini API on 127.0.0.1, for the real `@google/genai` client
 * (`httpOptions.baseUrl`): answers `…:generateContent` requests from a script of steps (then
 * the default), records every request body. `setOtherwise` changes the default (a browser test
 * makes the model fail halfway).
 */
export async function createFakeGemini(
  options: { steps?: TFakeGeminiStep[]; otherwise?: TFakeGeminiStep; port?: number } = {},
) {
  const steps = [...(options.steps ?? [])];
  let otherwise = options.otherwise ?? { reply: "Hello from the fake model." };
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const hanging = new Set<ServerResponse>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? "";
    // Browser tests, in another process, change what the model does next.
    if (request.method === "POST" && path === "/__control") {
      otherwise = JSON.parse(Buffer.concat(chunks).toString("utf8")) as TFakeGeminiStep;
      response.writeHead(204).end();
      return;
    }
    if (request.method !== "POST" || !path.includes(":generateContent")) {
      response.writeHead(404).end();
      return;
    }
    requests.push({
      path,
      body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>,
    });
    const step = steps.shift() ?? otherwise;
    if ("hang" in step) {
      hanging.add(response);
      response.on("close", () => hanging.delete(response));
      return;
    }
    if ("status" in step) {
      response.writeHead(step.status, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: { code: step.status, message: step.message ?? "fake failure", status: "UNAVAILABLE" },
        }),
      );
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        candidates: [{ content: { role: "model", parts: [{ text: step.reply }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: {
          promptTokenCount: step.tokens?.prompt ?? 120,
          candidatesTokenCount: step.tokens?.output ?? 12,
          totalTokenCount: (step.tokens?.prompt ?? 120) + (step.tokens?.output ?? 12),
        },
      }),
    );
  };

  const server = createServer((request, response) => void handle(request, response));
  server.maxConnections = 50;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const close = async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    push: (step: TFakeGeminiStep) => steps.push(step),
    setOtherwise: (step: TFakeGeminiStep) => {
      otherwise = step;
    },
    close,
  };
}
