import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, lt, or, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TDbOrTx } from "~/db/client";
import { contacts, contextProfiles, messages, threads } from "~/db/schema";
import { recordAiCall } from "~/server/analytics/responses";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { recordEvents } from "~/server/events/events";
import { getOrgSettings } from "~/server/settings/settings";
import { effectiveModel, type TGeminiConfig } from "./models";
import { buildPrompt, type TPromptProfile } from "./prompt";
import { createGeminiProvider, createOfflineProvider, type TAiProvider } from "./providers";
import { answerBurst } from "./burst";
import { generateAiReply, type TAiPolicy, type TAiReply } from "./reply";
import { budgetFallback, isDailyBudgetSpent, recordReplyUsage } from "./usage";

/** Which model answers: Gemini with a key, else the offline provider (built per profile). */
export type TAiConfig = {
  gemini: TGeminiConfig | null;
  policy?: Partial<TAiPolicy>;
};

const HISTORY_MESSAGES = 30;
const DEFAULT_FALLBACK = "Thanks for your message! We will get back to you shortly.";

const providers = new Map<string, TAiProvider>();
function geminiFor(config: NonNullable<TAiConfig["gemini"]>): TAiProvider {
  const key = `${config.baseUrl ?? ""}|${config.model}|${config.apiKey}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = createGeminiProvider(config);
    providers.set(key, provider);
  }
  return provider;
}

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
  const reply = await writeAiReply(db, config, row, job.profileId);

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
      ...(burst.messageIds.length > 1 ? { burst: burst.messageIds } : {}),
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
 * The AI's answer to one message of a thread: the profile (`profileId`, else the contact's own,
 * else the one for their relationship, else the default), the contact, the recent history and
 * the message; Gemini or the offline provider; deadline, retries, circuit breaker and fallback.
 * Writes nothing: the job stores and sends it, the inbox offers it to the agent to edit.
 */
export async function writeAiReply(
  db: TDbOrTx,
  config: TAiConfig,
  row: TMessageInThread,
  ruleProfileId: string | null,
): Promise<TAiReply & { profileId: string | null }> {
  const settings = await getOrgSettings(db);
  const profileId = ruleProfileId ?? row.contact.profileId;
  const [profile] = await db
    .select()
    .from(contextProfiles)
    .where(
      profileId
        ? eq(contextProfiles.id, profileId)
        : or(
            sql`${contextProfiles.relationships} @> array[${row.contact.relationship}]::relationship[]`,
            eq(contextProfiles.isDefault, true),
          ),
    )
    .orderBy(sql`${contextProfiles.isDefault} asc`)
    .limit(1);
  const promptProfile: TPromptProfile & { fallbackText: string } = profile ?? {
    name: "Default",
    persona: "",
    businessInfo: { name: settings.orgName || undefined },
    tone: "friendly",
    formality: "neutral",
    responseLength: "short",
    emoji: "some",
    language: "en",
    topics: [],
    topicsToAvoid: [],
    instructions: "",
    fallbackText: "",
  };
  const history = await db
    .select({ direction: messages.direction, body: messages.body })
    .from(messages)
    .where(and(eq(messages.threadId, row.thread.id), lt(messages.seq, row.message.seq)))
    .orderBy(desc(messages.seq))
    .limit(HISTORY_MESSAGES);
  const prompt = buildPrompt({
    profile: promptProfile,
    contact: { name: row.contact.name, relationship: row.contact.relationship, tags: row.contact.tags },
    history: history.reverse(),
    message: row.message.body,
  });
  const fallback =
    promptProfile.fallbackText ||
    (settings.defaultReply.mode === "text" ? settings.defaultReply.text : DEFAULT_FALLBACK);
  const provider = config.gemini
    ? geminiFor({ ...config.gemini, model: effectiveModel(config.gemini, settings.aiModel) })
    : createOfflineProvider(promptProfile);
  const profileRef = { profileId: profile?.id ?? null };
  // The daily budget spent (server/ai/usage.ts): the fallback text, and no call.
  if (await isDailyBudgetSpent(db, settings.aiDailyCapUsd))
    return { ...budgetFallback(provider, fallback), ...profileRef };
  return { ...(await generateAiReply(provider, prompt, fallback, { policy: config.policy })), ...profileRef };
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
