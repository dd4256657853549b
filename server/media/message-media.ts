import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TTx } from "~/db/client";
import { messages, threads } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import { enqueue } from "~/server/jobs/boss";
import { repairStrings } from "~/server/lib/storable-text";
import {
  isMediaKind,
  MAX_TEXT_CHARS,
  mediaOf,
  repairContent,
  textOf,
  ZMessageContent,
  type TMediaError,
  type TMediaRef,
  type TMessageContent,
} from "~/server/messages/content";
import { mediaMetaOf } from "~/server/messaging/inbound-message";
import type { TIntakeResult } from "./intake";

/**
 * The one writer of an inbound message's media fields (`messages.content` / `body` / `media` /
 * `flags` after ingest): the media job records where the file went, the transcription job what a
 * voice note says. Each write is a compare-and-set on the message's state, in ONE transaction
 * with the job that comes next (`media.transcribe` or `message.process`): the write that moves a
 * message on queues its next job exactly once, and a retried job that finds the message moved
 * on already changes and queues nothing.
 */

/** What happened to an inbound message's file. */
export type TMediaOutcome =
  { state: "stored"; file: TIntakeResult } | { state: "failed"; error: TMediaError; detail: string };

/** Flags a transcription leaves when it wrote nothing: it failed for good, or was not attempted (no model, too large, silence). */
export const TRANSCRIPT_FLAGS = ["transcript_failed", "transcript_skipped"] as const;
export type TTranscriptFlag = (typeof TRANSCRIPT_FLAGS)[number];

/** Kinds whose words a model writes out once stored (when Gemini is configured). */
export function isTranscribable(kind: string): boolean {
  return kind === "voice" || kind === "audio";
}

type TLockedMessage = {
  id: string;
  sessionId: string;
  threadId: string;
  contactId: string;
  content: TMessageContent;
  flags: string[];
};

async function lockInbound(tx: TTx, messageId: string): Promise<TLockedMessage | null> {
  const [row] = await tx
    .select({
      id: messages.id,
      sessionId: messages.sessionId,
      threadId: messages.threadId,
      contactId: threads.contactId,
      content: messages.content,
      flags: messages.flags,
      direction: messages.direction,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .where(eq(messages.id, messageId))
    .for("update", { of: messages });
  if (!row || row.direction !== "in" || !row.content) return null;
  const parsed = ZMessageContent.safeParse(row.content);
  if (!parsed.success) return null;
  return { ...row, content: parsed.data };
}

/** A content made valid (a file name from WhatsApp may be anything): repaired rather than refused. */
function valid(content: unknown): TMessageContent {
  return repairContent(repairStrings(content).value).content;
}

/** The message's media reference once its file is stored: the real type, size, key, thumbnail and picture size. */
export function storedMediaRef(before: TMediaRef, file: TIntakeResult): TMediaRef {
  // What WhatsApp said stays (duration, a video's size in pixels), what the store found wins.
  const rest: TMediaRef = { ...before };
  delete rest.error;
  delete rest.errorDetail;
  delete rest.thumbKey;
  const fileName = file.fileName ?? before.fileName;
  return {
    ...rest,
    state: "stored",
    mimeType: file.mimeType,
    size: file.size,
    sha256: file.sha256,
    storageKey: file.sha256,
    ...(fileName ? { fileName } : {}),
    ...(file.thumbSha256 ? { thumbKey: file.thumbSha256 } : {}),
    ...(file.width !== undefined ? { width: file.width } : {}),
    ...(file.height !== undefined ? { height: file.height } : {}),
  };
}

/**
 * Records where an inbound message's file went (stored, or failed for good with the reason),
 * with a `media.stored` / `media.failed` event, and queues what comes next in the same
 * transaction: `media.transcribe` for a stored voice note or audio when `transcribe`, else
 * `message.process` (a failed file is processed all the same: the bot still answers). Only a
 * message still `pending` moves: "already_recorded" otherwise, and nothing is queued.
 */
export async function recordMediaOutcome(
  db: TDb,
  boss: PgBoss,
  messageId: string,
  outcome: TMediaOutcome,
  options: { transcribe?: boolean } = {},
): Promise<"recorded" | "already_recorded" | "not_found"> {
  return db.transaction(async (tx) => {
    const message = await lockInbound(tx, messageId);
    if (!message) return "not_found";
    const media = mediaOf(message.content);
    if (!isMediaKind(message.content.kind) || media?.state !== "pending") return "already_recorded";
    const ref: TMediaRef =
      outcome.state === "stored"
        ? storedMediaRef(media, outcome.file)
        : {
            ...media,
            state: "failed",
            error: outcome.error,
            errorDetail: outcome.detail.slice(0, 500).toWellFormed(),
          };
    const content = valid({ ...message.content, media: ref });
    await tx
      .update(messages)
      .set({ content, body: textOf(content), media: mediaMetaOf(content) })
      .where(eq(messages.id, messageId));
    const ids = { sessionId: message.sessionId, threadId: message.threadId, contactId: message.contactId, messageId };
    await recordEvent(
      tx,
      outcome.state === "stored"
        ? {
            type: "media.stored",
            ...ids,
            payload: {
              kind: content.kind,
              sha256: outcome.file.sha256,
              mimeType: outcome.file.mimeType,
              size: outcome.file.size,
            },
          }
        : {
            type: "media.failed",
            ...ids,
            payload: { kind: content.kind, error: outcome.error, detail: ref.errorDetail ?? "" },
          },
    );
    const next =
      outcome.state === "stored" && options.transcribe && isTranscribable(content.kind)
        ? "media.transcribe"
        : "message.process";
    await enqueue(boss, next, { messageId }, { tx });
    return "recorded";
  });
}

/** Whether a message's transcription has been settled (written, or given up with a flag). */
export function hasTranscriptOutcome(content: TMessageContent, flags: readonly string[]): boolean {
  return (
    ("transcript" in content && content.transcript !== undefined) ||
    flags.some((flag) => (TRANSCRIPT_FLAGS as readonly string[]).includes(flag))
  );
}

/**
 * Records what a voice note or audio says (`content.transcript`, and `body` from it so rules,
 * AI replies and search read it), or that there is no transcript (`flag`), and queues
 * `message.process` in the same transaction. A message settled already is left alone and
 * nothing is queued ("already_recorded").
 */
export async function recordTranscript(
  db: TDb,
  boss: PgBoss,
  messageId: string,
  outcome: { transcript: string } | { flag: TTranscriptFlag },
): Promise<"recorded" | "already_recorded" | "not_found"> {
  return db.transaction(async (tx) => {
    const message = await lockInbound(tx, messageId);
    if (!message) return "not_found";
    if (!isTranscribable(message.content.kind) || hasTranscriptOutcome(message.content, message.flags)) {
      return "already_recorded";
    }
    if ("transcript" in outcome) {
      const transcript = repairStrings(outcome.transcript).value.slice(0, MAX_TEXT_CHARS).toWellFormed();
      const content = valid({ ...message.content, transcript });
      await tx
        .update(messages)
        .set({ content, body: textOf(content) })
        .where(eq(messages.id, messageId));
    } else {
      await tx
        .update(messages)
        .set({ flags: sql`array_append(${messages.flags}, ${outcome.flag}::text)` })
        .where(eq(messages.id, messageId));
    }
    await enqueue(boss, "message.process", { messageId }, { tx });
    return "recorded";
  });
}
