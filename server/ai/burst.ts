import { and, asc, desc, eq, gt, lte, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDbOrTx } from "~/db/client";
import { events, messages } from "~/db/schema";
import { recordEvents } from "~/server/events/events";
import { enqueueMany } from "~/server/jobs/boss";
import type { TQueuePayload } from "~/server/jobs/queues";
import { getOrgSettings } from "~/server/settings/settings";
import { isContactTyping } from "./typing";

/**
 * One answer per burst. People write "hi" / "I ordered last week" / "where is it?" in a row; an
 * AI reply waits until the contact has been quiet for Settings `replyQuietMs` (and, where the
 * engine reports it, has stopped typing), then ONE reply answers the burst: the reply to its last
 * message, whose prompt holds every message of the burst (server/ai/prompt.ts merges consecutive
 * inbound messages into one user turn). The jobs of the burst's earlier messages find a newer
 * message that will be answered and do nothing (recorded as superseded).
 */

/** However long the contact keeps typing, the answer waits at most this long after their last message. */
export const MAX_BURST_WAIT_MS = 15_000;
/** The messages one burst answer names in its event (the prompt holds the recent history anyway). */
const MAX_BURST_IDS = 20;

export type TBurstMessage = { id: string; threadId: string; contactId: string; seq: number; createdAt: Date };

export type TBurstVerdict =
  /** Answer now: the burst's inbound messages, oldest first, ending with this one. */
  | { action: "answer"; messageIds: string[] }
  /** A newer message of the contact will be answered (or was): this one's reply is dropped. */
  | { action: "superseded"; byMessageId: string }
  /** Not quiet yet: try again at `at` (never later than MAX_BURST_WAIT_MS after the message). */
  | { action: "wait"; at: Date; why: "quiet" | "typing" | "deciding" };

/** Whether an `ai.reply` job exists for a message (queued, running or done): its reply is coming or came. */
export type THasAiReplyJob = (messageId: string) => Promise<boolean>;

/** How long to look again when a newer message is still being decided (message.process takes milliseconds). */
const DECIDING_RETRY_MS = 500;
/** Newer messages looked at (newest first) for one that answers the burst. */
const MAX_NEWER = 20;

/**
 * What an AI reply to `message` does now, with the quiet period `quietMs` (0: off, answer each
 * message at once). A newer inbound message of the thread supersedes it when that one gets an
 * answer of its own: an AI reply job, or a reply a rule queued with it. A newer message that got
 * no answer (no rule matched it, or the bot declined: blocked, reply cap…) does not: the AI still
 * answers the burst up to this message. One still being decided is waited for (bounded).
 */
export async function decideBurst(
  db: TDbOrTx,
  hasAiReplyJob: THasAiReplyJob,
  message: TBurstMessage,
  quietMs: number,
  now: number = Date.now(),
): Promise<TBurstVerdict> {
  if (quietMs <= 0) return { action: "answer", messageIds: [message.id] };
  const sent = message.createdAt.getTime();
  const latest = sent + MAX_BURST_WAIT_MS;
  const newer = await db
    .select({
      id: messages.id,
      processed: sql<boolean>`${messages.processedAt} is not null`,
      // Qualified by hand: drizzle leaves a one-table query's columns unqualified, and the
      // subquery's own alias would capture them.
      answered: sql<boolean>`exists (select 1 from ${messages} r where r.reply_to_message_id = "messages"."id" and r.direction = 'out')`,
    })
    .from(messages)
    .where(and(eq(messages.threadId, message.threadId), eq(messages.direction, "in"), gt(messages.seq, message.seq)))
    .orderBy(desc(messages.seq))
    .limit(MAX_NEWER);
  for (const candidate of newer) {
    if (!candidate.processed) {
      if (now < latest)
        return { action: "wait", at: new Date(Math.min(now + DECIDING_RETRY_MS, latest)), why: "deciding" };
      continue;
    }
    if (candidate.answered || (await hasAiReplyJob(candidate.id)))
      return { action: "superseded", byMessageId: candidate.id };
  }
  if (now < latest) {
    if (now < sent + quietMs) return { action: "wait", at: new Date(sent + quietMs), why: "quiet" };
    if (isContactTyping(message.contactId, message.createdAt, now))
      return { action: "wait", at: new Date(Math.min(now + quietMs, latest)), why: "typing" };
  }
  // The burst: the contact's messages since the last message to them (bot's or a person's).
  const burst = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.threadId, message.threadId),
        eq(messages.direction, "in"),
        lte(messages.seq, message.seq),
        sql`${messages.seq} > coalesce((
          select max(o.seq) from ${messages} o
          where o.thread_id = ${message.threadId} and o.direction = 'out' and o.seq < ${message.seq}), 0)`,
      ),
    )
    .orderBy(asc(messages.seq));
  const ids = burst.map((row) => row.id).slice(-MAX_BURST_IDS);
  return { action: "answer", messageIds: ids.length > 0 ? ids : [message.id] };
}

/** `THasAiReplyJob` through pg-boss: any `ai.reply` job for the message that did not fail for good. */
export function aiReplyJobFinder(boss: PgBoss): THasAiReplyJob {
  return async (messageId) => {
    const jobs = await boss.findJobs("ai.reply", { data: { messageId } });
    return jobs.some((job) => job.state !== "failed" && job.state !== "cancelled");
  };
}

type TBurstJob = TQueuePayload<"ai.reply">;
type TBurstRow = {
  message: Pick<typeof messages.$inferSelect, "id" | "threadId" | "sessionId" | "seq" | "createdAt">;
  contact: { id: string };
};

/**
 * The burst step of an `ai.reply` job, before the model is asked: with Settings' quiet period,
 * a job that is early (or whose contact is typing) queues itself again for later and does
 * nothing now ("waiting"); one whose message a newer message's answer supersedes records that on
 * the message (an `ai.replied` event with `discarded: "superseded"`, once) and does nothing
 * ("superseded"); otherwise it answers, naming the burst's messages.
 */
export async function answerBurst(
  db: TDbOrTx,
  boss: PgBoss,
  job: TBurstJob,
  row: TBurstRow,
): Promise<{ action: "answer"; messageIds: string[] } | { action: "waiting" } | { action: "superseded" }> {
  const { replyQuietMs } = await getOrgSettings(db);
  const message = { ...row.message, contactId: row.contact.id };
  const verdict = await decideBurst(db, aiReplyJobFinder(boss), message, replyQuietMs);
  if (verdict.action === "answer") return verdict;
  if (verdict.action === "wait") {
    await enqueueMany(boss, "ai.reply", [job], { startAfter: verdict.at });
    return { action: "waiting" };
  }
  const [recorded] = await db
    .select({ id: events.id })
    .from(events)
    .where(
      and(
        eq(events.threadId, row.message.threadId),
        eq(events.type, "ai.replied"),
        eq(events.messageId, row.message.id),
        sql`${events.payload}->>'discarded' = 'superseded'`,
      ),
    )
    .limit(1);
  if (!recorded)
    await recordEvents(db, [
      {
        type: "ai.replied",
        sessionId: row.message.sessionId,
        contactId: row.contact.id,
        threadId: row.message.threadId,
        messageId: row.message.id,
        payload: { discarded: "superseded", supersededBy: verdict.byMessageId, ruleId: job.ruleId },
      },
    ]);
  return { action: "superseded" };
}
