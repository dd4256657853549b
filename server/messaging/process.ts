import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { recordEvents, type TEventInput } from "~/server/events/events";
import { sendQueueName } from "~/server/jobs/queues";
import { getOrgSettings } from "~/server/settings/settings";

/** What the bot answers to one message. */
export type TReplyDecision = { replies: { body: string; source: "rule" | "ai"; ruleId?: string | null }[] };

export type TDecisionContext = {
  message: { id: string; body: string; type: string; flags: string[] };
  contact: { id: string; waId: string; name: string | null };
  thread: { id: string; mode: "bot" | "human" | "closed" };
};

/** Decides the bot's replies to one message. */
export type TDecide = (context: TDecisionContext) => Promise<TReplyDecision> | TReplyDecision;

/**
 * The one place the bot decides: loads what a decision needs once (per batch of messages) and
 * returns the decision function. Until the rules issue replaces it, it applies the org-wide
 * default from Settings: nothing, or a fixed text.
 */
export async function loadDecider(db: TDbOrTx): Promise<TDecide> {
  const { defaultReply } = await getOrgSettings(db);
  return () =>
    defaultReply.mode === "text"
      ? { replies: [{ body: defaultReply.text, source: "rule", ruleId: null }] }
      : { replies: [] };
}

export type TProcessOutcome = "replied" | "no_reply" | "human_mode" | "already_processed" | "not_found";

/**
 * `message.process` for a batch of inbound messages, in ONE transaction: locks the messages (in
 * thread order, so two batches never deadlock), skips those processed already (a retried job),
 * decides each, stores every reply as `queued` with its send job, and marks the messages
 * processed. So a message gets its replies exactly once, however often its job runs. A thread
 * in `human` mode gets no reply: an agent owns it. Replies are stored in the order of the
 * messages they answer, which is the order they are sent in.
 */
export async function processInboundBatch(
  db: TDb,
  boss: PgBoss,
  messageIds: readonly string[],
): Promise<Map<string, TProcessOutcome>> {
  const outcomes = new Map<string, TProcessOutcome>(messageIds.map((id) => [id, "not_found"]));
  if (messageIds.length === 0) return outcomes;
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        message: {
          id: messages.id,
          body: messages.body,
          type: messages.type,
          flags: messages.flags,
          sessionId: messages.sessionId,
          processedAt: messages.processedAt,
        },
        thread: { id: threads.id, mode: threads.mode },
        contact: { id: contacts.id, waId: contacts.waId, name: contacts.name },
      })
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(inArray(messages.id, [...messageIds]), eq(messages.direction, "in")))
      .orderBy(asc(messages.seq))
      .for("update", { of: messages });
    const pending = rows.filter((row) => {
      outcomes.set(row.message.id, row.message.processedAt ? "already_processed" : "no_reply");
      return !row.message.processedAt;
    });
    if (pending.length === 0) return outcomes;

    const decide = await loadDecider(tx);
    const replies: (typeof messages.$inferInsert & { id: string; sessionId: string; threadId: string })[] = [];
    const toRecord: TEventInput[] = [];
    const queuedAt = new Date();
    for (const row of pending) {
      const ids = { sessionId: row.message.sessionId, contactId: row.contact.id, threadId: row.thread.id };
      if (row.thread.mode === "human") {
        toRecord.push({ type: "thread.awaiting_human", ...ids, messageId: row.message.id });
        outcomes.set(row.message.id, "human_mode");
        continue;
      }
      const decision = await decide(row);
      for (const reply of decision.replies) {
        const id = randomUUID();
        replies.push({
          id,
          sessionId: row.message.sessionId,
          threadId: row.thread.id,
          direction: "out",
          body: reply.body,
          source: reply.source,
          ruleId: reply.ruleId ?? null,
          replyToMessageId: row.message.id,
          status: "queued",
          queuedAt,
        });
        toRecord.push({ type: "message.queued", ...ids, messageId: id });
      }
      if (decision.replies.length > 0) outcomes.set(row.message.id, "replied");
    }
    // One statement each, whatever the batch size; VALUES rows take their `seq` in list order.
    if (replies.length > 0) await tx.insert(messages).values(replies);
    await recordEvents(tx, toRecord);
    await enqueueSends(boss, replies, tx);
    await tx
      .update(messages)
      .set({ processedAt: new Date() })
      .where(
        inArray(
          messages.id,
          pending.map((row) => row.message.id),
        ),
      );
    return outcomes;
  });
}

/** `message.process` for one message (see processInboundBatch). */
export async function processInbound(db: TDb, boss: PgBoss, messageId: string): Promise<TProcessOutcome> {
  return (await processInboundBatch(db, boss, [messageId])).get(messageId) ?? "not_found";
}

/**
 * Puts queued messages on their sessions' send queues (one insert per session), grouped by
 * thread. With `tx`, the jobs are part of that transaction.
 */
export async function enqueueSends(
  boss: PgBoss,
  queued: readonly { id: string; sessionId: string; threadId: string }[],
  tx?: TTx,
): Promise<void> {
  const bySession = Map.groupBy(queued, (message) => message.sessionId);
  for (const [sessionId, list] of bySession) {
    await boss.insert(
      sendQueueName(sessionId),
      list.map((message) => ({ data: { messageId: message.id }, group: { id: message.threadId } })),
      tx ? { db: fromDrizzle(tx, sql) } : {},
    );
  }
}
