import { createHash } from "node:crypto";
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
 * makes the model fail halfway). A request carrying a recording inline (`inlineData`, a
 * transcription) is checked: audio, valid base64 of bytes registered with `transcript`, answered
 * with their words (or the next scripted step); anything else is refused with a 400.
 */
export async function createFakeGemini(
  options: { steps?: TFakeGeminiStep[]; otherwise?: TFakeGeminiStep; port?: number } = {},
) {
  const steps = [...(options.steps ?? [])];
  let otherwise = options.otherwise ?? { reply: "Hello from the fake model." };
  const requests: { path: string; body: Record<string, unknown> }[] = [];
  const hanging = new Set<ServerResponse>();
  /** What each recording says, by the SHA-256 of its bytes (`transcript`). */
  const transcripts = new Map<string, string>();
  /** Every recording a request carried inline: its type, size and hash, as decoded here. */
  const audio: { mimeType: string; size: number; sha256: string }[] = [];

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
    const inline = inlineAudioOf(requests.at(-1)!.body);
    if (inline) {
      // A transcription: the recording must be audio, and decode to bytes the test registered.
      const bytes = Buffer.from(inline.data, "base64");
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      audio.push({ mimeType: inline.mimeType, size: bytes.length, sha256 });
      const said = transcripts.get(sha256);
      const refusal = !inline.mimeType.startsWith("audio/")
        ? `inline data is ${inline.mimeType}, not audio`
        : bytes.toString("base64") !== inline.data.replace(/\s+/g, "")
          ? "inline data is not valid base64"
          : said === undefined
            ? `no recording with SHA-256 ${sha256} (${bytes.length} bytes)`
            : null;
      if (refusal) {
        response
          .writeHead(400, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { code: 400, message: refusal, status: "INVALID_ARGUMENT" } }));
        return;
      }
      const step = steps.shift() ?? { reply: said! };
      respond(response, step);
      return;
    }
    respond(response, steps.shift() ?? otherwise);
  };

  const respond = (response: ServerResponse, step: TFakeGeminiStep) => {
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
    /** Registers what a recording says: a request carrying exactly these bytes inline is answered with it. */
    transcript: (bytes: Buffer, text: string) => {
      transcripts.set(createHash("sha256").update(bytes).digest("hex"), text);
    },
    audio,
    setOtherwise: (step: TFakeGeminiStep) => {
      otherwise = step;
    },
    close,
  };
}

/** The first inline recording of a `generateContent` request body, if it carries one. */
function inlineAudioOf(body: Record<string, unknown>): { mimeType: string; data: string } | null {
  const contents = Array.isArray(body.contents) ? (body.contents as { parts?: unknown[] }[]) : [];
  for (const content of contents) {
    for (const part of content.parts ?? []) {
      const inline = (part as { inlineData?: { mimeType?: unknown; data?: unknown } }).inlineData;
      if (inline && typeof inline.data === "string") {
        return { mimeType: typeof inline.mimeType === "string" ? inline.mimeType : "", data: inline.data };
      }
    }
  }
  return null;
}
