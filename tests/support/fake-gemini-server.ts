import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake server does with the next request. */
export type TFakeGeminiStep =
  | { reply: string; tokens?: { prompt: number; output: number } }
  | { status: number; message?: string }
  | { hang: true }
  /** A function call (function calling): the model asks for a tool with these arguments. */
  | { call: { name: string; args: Record<string, unknown> } };

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
  /** Every embedding request: the texts it asked to embed. */
  const embedRequests: string[][] = [];
  /** Failures for the next embedding requests (then they succeed). */
  const embedSteps: { status: number; message?: string }[] = [];
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
    // Browser tests queue the next answers (a tool call, then text…).
    if (request.method === "POST" && path === "/__steps") {
      const queued = JSON.parse(Buffer.concat(chunks).toString("utf8")) as TFakeGeminiStep | TFakeGeminiStep[];
      steps.push(...(Array.isArray(queued) ? queued : [queued]));
      response.writeHead(204).end();
      return;
    }
    if (request.method === "POST" && path.includes(":batchEmbedContents")) {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
        requests?: { content?: { parts?: { text?: string }[] } }[];
      };
      const texts = (body.requests ?? []).map((item) =>
        (item.content?.parts ?? []).map((part) => part.text ?? "").join(" "),
      );
      embedRequests.push(texts);
      const step = embedSteps.shift();
      if (step) {
        response.writeHead(step.status, { "content-type": "application/json" }).end(
          JSON.stringify({
            error: { code: step.status, message: step.message ?? "fake failure", status: "UNAVAILABLE" },
          }),
        );
        return;
      }
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ embeddings: texts.map((text) => ({ values: fakeEmbedding(text) })) }));
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
    const scripted = steps.shift();
    if (scripted) return respond(response, scripted);
    // After a tool's result, the model says what the tool said: tests see the result used.
    const toolEcho = functionResponseEcho(requests.at(-1)!.body);
    if (toolEcho !== null) return respond(response, { reply: toolEcho });
    // A request carrying knowledge passages is answered from them (the best-matching passage,
    // cited), after the contact's words: tests see which passages and messages reached the model.
    const echo = knowledgeEcho(requests.at(-1)!.body);
    respond(response, echo === null ? otherwise : { reply: echo });
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
    const parts =
      "call" in step ? [{ functionCall: { name: step.call.name, args: step.call.args } }] : [{ text: step.reply }];
    const tokens = "tokens" in step ? step.tokens : undefined;
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
        usageMetadata: {
          promptTokenCount: tokens?.prompt ?? 120,
          candidatesTokenCount: tokens?.output ?? 12,
          totalTokenCount: (tokens?.prompt ?? 120) + (tokens?.output ?? 12),
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
    embedRequests,
    failNextEmbedding: (status = 503, message?: string) => embedSteps.push({ status, message }),
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

/**
 * When the last turn of a request carries function responses (tool results), the fake model's
 * answer: "Tool <name> said: <response as JSON>" for each. Null otherwise.
 */
function functionResponseEcho(body: Record<string, unknown>): string | null {
  const contents = Array.isArray(body.contents) ? (body.contents as { parts?: unknown[] }[]) : [];
  const said = (contents.at(-1)?.parts ?? []).flatMap((part) => {
    const result = (part as { functionResponse?: { name?: unknown; response?: unknown } }).functionResponse;
    return result ? [`Tool ${String(result.name)} said: ${JSON.stringify(result.response)}`] : [];
  });
  return said.length > 0 ? said.join(" ") : null;
}

/** The words of a text as the fake model compares them: lower case, accents and plural "s" dropped. */
function wordsOf(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 2)
    .map((word) => (word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word));
}

/**
 * A deterministic stand-in for an embedding: each word hashed into one of 64 dimensions,
 * normalised. Texts sharing words point the same way, as real embeddings of related texts do.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(64).fill(0);
  for (const word of wordsOf(text)) {
    const digest = createHash("sha256").update(word).digest();
    vector[digest[0]! % 64]! += 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

/**
 * The fake model's answer to a request whose system instruction lists knowledge passages
 * ("[1] Title" lines, each followed by its text up to a blank line): what the contact wrote in the last turn, then
 * the passage sharing most words with it, cited by its number. Null without passages.
 */
function knowledgeEcho(body: Record<string, unknown>): string | null {
  const system = body.systemInstruction as { parts?: { text?: string }[] } | undefined;
  const instruction = (system?.parts ?? []).map((part) => part.text ?? "").join("\n");
  const passages: { marker: string; title: string; text: string }[] = [];
  const lines = instruction.split("\n");
  for (const [index, line] of lines.entries()) {
    const match = /^\[(\d+)\] (.*)$/.exec(line);
    if (!match) continue;
    const text: string[] = [];
    for (const next of lines.slice(index + 1)) {
      if (next.trim() === "" || /^\[\d+\] /.test(next)) break;
      text.push(next.trim());
    }
    passages.push({ marker: `[${match[1]}]`, title: match[2]!, text: text.join(" ") });
  }
  if (passages.length === 0) return null;
  const contents = Array.isArray(body.contents)
    ? (body.contents as { role?: string; parts?: { text?: string }[] }[])
    : [];
  const asked = (contents.at(-1)?.parts ?? []).map((part) => part.text ?? "").filter(Boolean);
  const question = new Set(wordsOf(asked.join(" ")));
  let best = passages[0]!;
  let bestScore = -1;
  for (const passage of passages) {
    const score = wordsOf(`${passage.title} ${passage.text}`).filter((word) => question.has(word)).length;
    if (score > bestScore) [best, bestScore] = [passage, score];
  }
  return `You asked: ${asked.join(" / ")}. ${best.text} ${best.marker}`;
}
