import { and, eq, isNull, sql } from "drizzle-orm";
import { fromDrizzle, type PgBoss } from "pg-boss";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import { sendQueueName } from "~/server/jobs/queues";
import { getOrgSettings } from "~/server/settings/settings";

/** What the bot answers to one message. */
export type TReplyDecision = { replies: { body: string; source: "rule" | "ai"; ruleId?: string | null }[] };

export type TDecisionContext = {
  message: { id: string; body: string; type: string; flags: string[] };
  contact: { id: string; waId: string; name: string | null };
  thread: { id: string; mode: "bot" | "human" | "closed" };
};

/**
 * The one place the bot decides. Until the rules issue replaces it, it applies the org-wide
 * default from Settings: nothing, or a fixed text.
 */
export async function decideReply(db: TDbOrTx, _context: TDecisionContext): Promise<TReplyDecision> {
  const { defaultReply } = await getOrgSettings(db);
  return defaultReply.mode === "text"
    ? { replies: [{ body: defaultReply.text, source: "rule", ruleId: null }] }
    : { replies: [] };
}

export type TProcessOutcome = "replied" | "no_reply" | "human_mode" | "already_processed" | "not_found";

/**
 * `message.process`: in one transaction, locks the inbound message, and unless it was
 * processed already (a retried job), decides, stores each reply as `queued` with its send job,
 * and marks the message processed. So a message gets its replies exactly once, however often
 * the job runs. A thread in `human` mode gets no reply: an agent owns it.
 */
export async function processInbound(db: TDb, boss: PgBoss, messageId: string): Promise<TProcessOutcome> {
  return db.transaction(async (tx) => {
    const [row] = await tx
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
      .where(and(eq(messages.id, messageId), eq(messages.direction, "in")))
      .for("update", { of: messages });
    if (!row) return "not_found";
    if (row.message.processedAt) return "already_processed";
    const markProcessed = () =>
      tx
        .update(messages)
        .set({ processedAt: new Date() })
        .where(and(eq(messages.id, messageId), isNull(messages.processedAt)));
    const ids = { sessionId: row.message.sessionId, contactId: row.contact.id, threadId: row.thread.id };

    if (row.thread.mode === "human") {
      await recordEvent(tx, { type: "thread.awaiting_human", ...ids, messageId });
      await markProcessed();
      return "human_mode";
    }
    const decision = await decideReply(tx, row);
    for (const reply of decision.replies) {
      const [queued] = await tx
        .insert(messages)
        .values({
          sessionId: row.message.sessionId,
          threadId: row.thread.id,
          direction: "out",
          body: reply.body,
          source: reply.source,
          ruleId: reply.ruleId ?? null,
          replyToMessageId: messageId,
          status: "queued",
          queuedAt: new Date(),
        })
        .returning({ id: messages.id });
      await recordEvent(tx, { type: "message.queued", ...ids, messageId: queued!.id });
      await enqueueSend(boss, row.message.sessionId, row.thread.id, queued!.id, tx);
    }
    await markProcessed();
    return decision.replies.length > 0 ? "replied" : "no_reply";
  });
}

/** Puts a queued message on its session's send queue, grouped by thread (one send at a time per thread). */
export function enqueueSend(boss: PgBoss, sessionId: string, threadId: string, messageId: string, tx?: TTx) {
  return boss.send(
    sendQueueName(sessionId),
    { messageId },
    { group: { id: threadId }, ...(tx ? { db: fromDrizzle(tx, sql) } : {}) },
  );
}
