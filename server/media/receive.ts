import type { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { messages } from "~/db/schema";
import { isMediaKind, mediaOf, ZMessageContent, type TMessageContent } from "~/server/messages/content";
import { intakeMedia, MediaRefusedError, type TIntakeResult } from "./intake";
import type { TMediaLimits } from "./limits";
import { recordMediaOutcome, type TMediaOutcome } from "./message-media";
import { MediaTooLargeError, type TMediaStore } from "./store";

/** The bytes of an inbound message's file as an engine hands them over, with what it says about them (claims, checked by intake). */
export type TMediaDownload = { stream: Readable; mimeType?: string; fileName?: string; size?: number };

/**
 * What the media job needs of an engine's connection (workers/engines/types.ts,
 * `TEngineConnection.downloadMedia`): the file of a message it marked pending, or null when the
 * engine no longer has it.
 */
export type TMediaDownloader = {
  downloadMedia?: (
    message: { waMessageId: string; content: TMessageContent },
    signal: AbortSignal,
  ) => Promise<TMediaDownload | null>;
};

export type TReceiveOptions = {
  /** pg-boss will not try this job again: a failure is recorded on the message now. */
  isLastAttempt: boolean;
  signal: AbortSignal;
  /** Size limits per kind (`mediaLimitsFromEnv`); WhatsApp's own without. */
  limits?: TMediaLimits;
  /** Gemini is configured: a stored voice note or audio goes to `media.transcribe` before `message.process`. */
  transcribe?: boolean;
  /** Test seams: production code passes none. */
  hooks?: { afterIntake?: (file: TIntakeResult) => Promise<void> };
};

export type TReceiveOutcome =
  | "stored"
  | "failed"
  /** The message had moved on already (a retried job): nothing was done, nothing queued. */
  | "already_recorded"
  | "not_found";

/** A download failure as the message keeps it: the error's own words, bounded. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message || "the download failed").slice(0, 400);
}

/**
 * The media job (`media.<sessionId>`) for one inbound message whose file is pending: fetches it
 * through the session's engine, lets `intakeMedia` check its real type and size and store it, and
 * records the outcome on the message (message-media.ts), which queues `media.transcribe` or
 * `message.process` in the same transaction.
 *
 * Failures: a file intake refuses (too large, its content contradicting its kind, a type the kind
 * cannot be, empty) fails for good at once with the reason; an engine that no longer has the file
 * (null) is `unavailable` at once; any other error (the download, the store) is thrown for pg-boss
 * to retry, and on the last attempt recorded as `download_failed`. Either way the message is then
 * processed: the bot still answers, and the message is never lost.
 *
 * Idempotent: a message no longer pending (a retried job after the outcome was recorded) is left
 * alone; its next job was queued with the outcome, once. A crash after the file was stored but
 * before the outcome was recorded only means the retry stores the same bytes again (a no-op in a
 * content-addressed store) and records them then.
 */
export async function receiveMedia(
  db: TDb,
  boss: PgBoss,
  store: TMediaStore,
  transport: TMediaDownloader,
  messageId: string,
  options: TReceiveOptions,
): Promise<TReceiveOutcome> {
  const [row] = await db
    .select({ waMessageId: messages.waMessageId, content: messages.content, direction: messages.direction })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!row || row.direction !== "in" || !row.waMessageId) return "not_found";
  const parsed = ZMessageContent.safeParse(row.content);
  if (!parsed.success) return "not_found";
  const content = parsed.data;
  const media = mediaOf(content);
  if (!isMediaKind(content.kind) || media?.state !== "pending") return "already_recorded";

  const record = async (outcome: TMediaOutcome): Promise<TReceiveOutcome> => {
    const recorded = await recordMediaOutcome(db, boss, messageId, outcome, { transcribe: options.transcribe });
    if (recorded === "not_found") return "not_found";
    return recorded === "already_recorded" ? "already_recorded" : outcome.state;
  };

  let download: TMediaDownload | null = null;
  try {
    download = transport.downloadMedia
      ? await transport.downloadMedia({ waMessageId: row.waMessageId, content }, options.signal)
      : null;
    if (!download) {
      return await record({
        state: "failed",
        error: "unavailable",
        detail: transport.downloadMedia
          ? "the engine no longer has the file (WhatsApp may have expired it)"
          : "this engine cannot fetch files",
      });
    }
    const file = await intakeMedia(
      db,
      store,
      download.stream,
      {
        kind: content.kind,
        claimedMimeType: download.mimeType ?? media.mimeType,
        ...((download.fileName ?? media.fileName) ? { fileName: download.fileName ?? media.fileName } : {}),
      },
      options.limits,
    );
    await options.hooks?.afterIntake?.(file);
    return await record({ state: "stored", file });
  } catch (error) {
    if (error instanceof MediaRefusedError) {
      return record({ state: "failed", error: error.code, detail: error.detail });
    }
    if (error instanceof MediaTooLargeError) {
      return record({ state: "failed", error: "too_large", detail: error.message });
    }
    if (!options.isLastAttempt) throw error;
    return record({ state: "failed", error: "download_failed", detail: describe(error) });
  } finally {
    // Whatever intake did not read (it refused early, or failed) is let go.
    download?.stream.destroy();
  }
}
