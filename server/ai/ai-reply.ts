import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TDbOrTx } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { recordAiCall } from "~/server/analytics/responses";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { handOffQuietly } from "~/server/conversations/state";
import { recordEvents } from "~/server/events/events";
import { metrics } from "~/server/metrics/metrics";
import { answerWithAi, threadHistory, type TAiAnswer, type TAiConfig } from "./answer";
import { answerBurst } from "./burst";
import { budgetSpentAnswer, recordReplyUsage } from "./usage";

export type { TAiConfig } from "./answer";

export type TAiReplyJob = {
  messageId: string;
  ruleId: string | null;
  ruleVersion: number | null;
  profileId: string | null;
};

/**
 * `ai.reply`: writes the reply to one inbound message with the contact's profile (or the
 * rule's), their details and the thread's recent messages, then stores it as `queued` with its
 * send job and an `ai.replied` event (provider, model, latency, tokens, outcome and reason).
 * A failed, slow or refused model call sends the profile's fallback text: never silence. Runs
 * once per message and rule: a retried job finds the reply stored and does nothing. A reply
 * whose thread a person took over, or whose contact was blocked, meanwhile is discarded.
 */
export async function replyWithAi(db: TDb, boss: PgBoss, config: TAiConfig, job: TAiReplyJob) {
  const [row] = await db
    .select({ message: messages, thread: threads, contact: contacts })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(messages.id, job.messageId), eq(messages.direction, "in")));
  if (!row) return "not_found" as const;
  if (await alreadyAnswered(db, job)) return "already_answered" as const;
  // One answer per burst (server/ai/burst.ts): wait for quiet, or leave it to a newer message.
  const burst = await answerBurst(db, boss, job, row);
  if (burst.action !== "answer") return burst.action;
  // The daily budget spent (server/ai/usage.ts): the fallback text, without asking the model.
  const reply =
    (await budgetSpentAnswer(db, job.profileId, row.contact)) ??
    // A retried job's tool calls carry the same Idempotency-Keys as the first try's.
    (await writeAiReply(db, config, row, job.profileId, `${job.messageId}:${job.ruleId ?? "default"}`));
  const aiOutcome = reply.outcome === "fallback" ? reply.reason : reply.outcome;
  metrics.aiCalls.inc({ outcome: aiOutcome });
  metrics.aiLatency.observe({ outcome: aiOutcome }, reply.latencyMs / 1000);

  return db.transaction(async (tx) => {
    // One writer per inbound message: a concurrent retry waits here, then finds the reply.
    await tx.execute(sql`select 1 from ${messages} where id = ${job.messageId} for update`);
    // Every model call is counted, whatever becomes of its reply.
    await recordReplyUsage(tx, reply);
    if (await alreadyAnswered(tx, job)) return "already_answered" as const;
    const [thread] = await tx
      .select({ mode: threads.mode, blocked: contacts.blocked })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(threads.id, row.thread.id));
    const ids = { sessionId: row.message.sessionId, contactId: row.contact.id, threadId: row.thread.id };
    const outcome = {
      provider: reply.provider,
      model: reply.model,
      latencyMs: reply.latencyMs,
      tokens: reply.tokens,
      attempts: reply.attempts,
      outcome: reply.outcome,
      ...(reply.outcome === "fallback" ? { reason: reply.reason, error: reply.error } : {}),
      ruleId: job.ruleId,
      profileId: reply.profileId,
      // What the knowledge base gave (each passage, its ranks and whether the reply cited it).
      ...(reply.knowledge ? { knowledge: reply.knowledge } : {}),
      ...(reply.handoff ? { handoff: reply.handoff.reason } : {}),
      ...(burst.messageIds.length > 1 ? { burst: burst.messageIds } : {}),
      // The tools the model called: tool, arguments, status, result (cut short), time.
      ...(reply.toolCalls.length > 0 ? { toolCalls: reply.toolCalls } : {}),
    };
    if (thread?.mode === "human") {
      // A person took the conversation over while the model was thinking: the bot stays quiet.
      await recordEvents(tx, [
        { type: "ai.replied", ...ids, messageId: job.messageId, payload: { ...outcome, discarded: "human_mode" } },
      ]);
      return "human_mode" as const;
    }
    if (thread?.blocked) {
      // The contact was blocked while the model was thinking: nothing automatic answers them.
      await recordEvents(tx, [
        { type: "ai.replied", ...ids, messageId: job.messageId, payload: { ...outcome, discarded: "blocked" } },
      ]);
      return "blocked" as const;
    }
    // The reply's id is chosen here so its `ai.replied` event comes first, as before.
    const replyId = randomUUID();
    await recordEvents(tx, [{ type: "ai.replied", ...ids, messageId: replyId, payload: outcome }]);
    await queueOutboundOne(tx, boss, {
      ...ids,
      id: replyId,
      body: reply.text,
      source: "ai",
      ruleId: job.ruleId,
      ruleVersion: job.ruleVersion,
      replyToMessageId: job.messageId,
      aiLatencyMs: reply.latencyMs,
    });
    if (reply.handoff) {
      // Nothing in the knowledge base answers it and the profile answers only from there: the
      // contact was told, and the conversation goes to the people with the question as its note.
      await handOffQuietly(
        tx,
        { id: row.thread.id, contactId: row.contact.id, sessionId: row.message.sessionId },
        job.messageId,
        {
          by: "ai",
          reason: reply.handoff.reason,
          note: `Nothing in the knowledge base answers: ${reply.handoff.question}`,
        },
      );
      return "handed_off" as const;
    }
    await recordAiCall(tx, {
      sessionId: row.message.sessionId,
      latencyMs: reply.latencyMs,
      fallback: reply.outcome === "fallback",
    });
    return reply.outcome === "ok" ? ("replied" as const) : ("fallback" as const);
  });
}

type TMessageInThread = {
  message: Pick<typeof messages.$inferSelect, "body" | "seq">;
  thread: Pick<typeof threads.$inferSelect, "id">;
  contact: Pick<typeof contacts.$inferSelect, "name" | "relationship" | "tags" | "profileId">;
};

/**
 * The AI's answer to one message of a thread (`answerWithAi` with the thread's recent history):
 * the profile (`profileId`, else the contact's own, else by relationship, else the default), its
 * knowledge, Gemini or the offline provider; deadline, retries, circuit breaker and fallback.
 * Writes nothing: the job stores and sends it, the inbox offers it to the agent to edit.
 */
export async function writeAiReply(
  db: TDbOrTx,
  config: TAiConfig,
  row: TMessageInThread,
  ruleProfileId: string | null,
  callKey?: string,
): Promise<TAiAnswer> {
  return answerWithAi(db, config, {
    profileId: ruleProfileId,
    contact: row.contact,
    history: await threadHistory(db, row.thread.id, row.message.seq),
    message: row.message.body,
    ...(callKey ? { callKey } : {}),
  });
}

async function alreadyAnswered(db: TDbOrTx, job: TAiReplyJob): Promise<boolean> {
  const [existing] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.replyToMessageId, job.messageId),
        eq(messages.source, "ai"),
        job.ruleId ? eq(messages.ruleId, job.ruleId) : sql`${messages.ruleId} is null`,
      ),
    )
    .orderBy(asc(messages.seq))
    .limit(1);
  return existing !== undefined;
}
