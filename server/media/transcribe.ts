import type { Readable } from "node:stream";
import { GoogleGenAI } from "@google/genai";
import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { messages } from "~/db/schema";
import type { TGeminiConfig } from "~/server/ai/models";
import { isRetryable } from "~/server/ai/providers";
import { mediaOf, ZMessageContent } from "~/server/messages/content";
import { hasTranscriptOutcome, isTranscribable, recordTranscript, type TTranscriptFlag } from "./message-media";
import type { TMediaStore } from "./store";
import { recordAiUsage } from "~/server/ai/usage";

/**
 * The largest recording sent to the model inline (base64 in the request, which Gemini takes up to
 * about 20 MB of request). Larger ones would need the Files API upload; WhatsApp voice notes are
 * far smaller (minutes of Opus are a few hundred KB), so they are left without a transcript.
 */
export const INLINE_AUDIO_MAX_BYTES = 14 * 1024 * 1024;

/** How long one transcription call may take before it counts as failed (and is tried again). */
export const TRANSCRIBE_TIMEOUT_MS = 60_000;

/** What the model is asked to do with the recording. */
export const TRANSCRIBE_INSTRUCTION =
  "Transcribe this voice message verbatim, in the language it is spoken in. Do not translate, " +
  "summarise or comment: answer with the spoken words only. If nothing is said, answer with nothing.";

/**
 * A stream as base64, read a chunk at a time: each chunk is encoded as it comes (carrying over
 * the 0–2 bytes that do not fill a 3-byte group), so the bytes are never held as one Buffer
 * beside the string. The string itself is needed whole: the SDK's `inlineData.data` is one.
 */
export async function base64OfStream(stream: Readable): Promise<string> {
  const parts: string[] = [];
  let carry = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 3);
    parts.push(bytes.subarray(0, whole).toString("base64"));
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (carry.length > 0) parts.push(carry.toString("base64"));
  return parts.join("");
}

export type TTranscribeOutcome = "transcribed" | "skipped" | "failed" | "already_recorded" | "not_found";

/**
 * `media.transcribe`: writes out what a stored voice note or audio says with Gemini (the real
 * `@google/genai` client, the recording inline as base64), keeps it as `content.transcript` with
 * `body` from it (so rules' `message.text`, AI replies and search read it), then queues
 * `message.process` (message-media.ts, in one transaction). Without Gemini, a recording too large
 * to send inline, or silence, the message is processed without a transcript (flag
 * `transcript_skipped`); a call that fails for good (a refused request, or the last attempt of a
 * retryable failure) leaves the flag `transcript_failed`. Rate limits, server errors, the network
 * and timeouts are thrown for pg-boss to retry before that.
 */
export async function transcribeMessage(
  db: TDb,
  boss: PgBoss,
  store: TMediaStore,
  gemini: TGeminiConfig | null,
  messageId: string,
  options: { isLastAttempt: boolean; signal: AbortSignal; timeoutMs?: number },
): Promise<TTranscribeOutcome> {
  const [row] = await db
    .select({ content: messages.content, flags: messages.flags })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!row) return "not_found";
  const parsed = ZMessageContent.safeParse(row.content);
  if (!parsed.success) return "not_found";
  const content = parsed.data;
  if (!isTranscribable(content.kind) || hasTranscriptOutcome(content, row.flags)) return "already_recorded";

  const settle = async (outcome: { transcript: string } | { flag: TTranscriptFlag }): Promise<TTranscribeOutcome> => {
    const recorded = await recordTranscript(db, boss, messageId, outcome);
    if (recorded !== "recorded") return recorded;
    return "transcript" in outcome ? "transcribed" : outcome.flag === "transcript_failed" ? "failed" : "skipped";
  };

  const media = mediaOf(content);
  if (!gemini || media?.state !== "stored" || !media.storageKey) return settle({ flag: "transcript_skipped" });
  const file = await store.get(media.storageKey);
  if (!file) return settle({ flag: "transcript_failed" });
  if (file.size > INLINE_AUDIO_MAX_BYTES) {
    file.stream.destroy();
    return settle({ flag: "transcript_skipped" });
  }
  const data = await base64OfStream(file.stream);

  const client = new GoogleGenAI({
    apiKey: gemini.apiKey,
    httpOptions: { ...(gemini.baseUrl ? { baseUrl: gemini.baseUrl } : {}), retryOptions: { attempts: 1 } },
  });
  const deadline = AbortSignal.timeout(options.timeoutMs ?? TRANSCRIBE_TIMEOUT_MS);
  let text: string;
  let usage: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined;
  try {
    const response = await client.models.generateContent({
      model: gemini.model,
      contents: [
        {
          role: "user",
          // The bare type (Gemini lists audio/ogg, not "audio/ogg; codecs=opus").
          parts: [
            { inlineData: { mimeType: media.mimeType.split(";")[0]!.trim(), data } },
            { text: TRANSCRIBE_INSTRUCTION },
          ],
        },
      ],
      config: {
        abortSignal: AbortSignal.any([options.signal, deadline]),
        temperature: 0,
        thinkingConfig: { thinkingBudget: 0 },
      },
    });
    text = response.text?.trim() ?? "";
    usage = response.usageMetadata;
  } catch (error) {
    // The job itself ran out of time: pg-boss retries it (or has given up on it).
    if (options.signal.aborted) throw error;
    if ((isRetryable(error) || deadline.aborted) && !options.isLastAttempt) throw error;
    return settle({ flag: "transcript_failed" });
  }
  // Its tokens and estimated cost (server/ai/usage.ts). Outside the transcript's transaction: a
  // job retried after this point counts the call again, as the provider bills it again.
  await recordAiUsage(db, {
    profileId: null,
    model: gemini.model,
    purpose: "transcription",
    promptTokens: usage?.promptTokenCount ?? 0,
    outputTokens: usage?.candidatesTokenCount ?? 0,
  });
  return text ? settle({ transcript: text }) : settle({ flag: "transcript_skipped" });
}
