import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { contacts, contextProfiles, messages, threads } from "~/db/schema";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { isMediaKind, textOf, typeOfKind, ZMessageContent } from "~/server/messages/content";
import { KNOWN_TYPES } from "~/server/messaging/inbound-message";
import { getOrgSettings } from "~/server/settings/settings";
import { planActions } from "./actions";
import { createDecider, messageForDecisionFields, toDecisionInput, type TDecision } from "./decide";
import { explainRules, type TConditionExplanation } from "./engine";
import { compileRuleset, evaluateRuleset } from "./evaluate";
import { buildFacts, type TFacts } from "./facts";
import { loadRuleAssets, mediaAssetIdsOf } from "./media";
import { loadPublishedRuleset } from "./published";
import { listDraftRules } from "./rules";
import { templateValues } from "./templates";
import { learnFromMessage, MAX_TOPICS } from "~/server/threads/learned-context";

export const ZDryRunInput = z.object({
  text: z.string().max(4_096, "At most 4,096 characters"),
  type: z.enum([...KNOWN_TYPES, "unknown"]).default("text"),
  hasMedia: z.boolean().default(false),
  /** Any kind of message (a photo, a location…); its text stand-in is the text, and `type` and `hasMedia` follow it. */
  content: ZMessageContent.optional(),
  /** When the message arrives (default: now). */
  at: z.coerce.date().optional(),
  contact: z
    .object({
      name: z.string().max(120).nullable().default("Test contact"),
      phone: z.string().max(40).default("+15550000000"),
      relationship: z.enum(RELATIONSHIPS).default("other"),
      priority: z.number().int().min(0).max(100).default(0),
      tags: z.array(z.string().max(40)).max(50).default([]),
      profileName: z.string().max(120).nullable().default(null),
      optedOut: z.boolean().default(false),
      daysSinceFirstSeen: z.number().int().min(0).max(100_000).default(0),
      messageCount: z.number().int().min(1).max(1_000_000).default(1),
    })
    .prefault({}),
  thread: z
    .object({
      mode: z.enum(["bot", "human", "closed"]).default("bot"),
      messageCount: z.number().int().min(1).max(1_000_000).default(1),
      minutesSinceLastBotReply: z.number().int().min(0).nullable().default(null),
      /** What the conversation touched before this message. */
      topics: z.array(z.string().max(80)).max(MAX_TOPICS).default([]),
    })
    .prefault({}),
});
export type TDryRunInput = z.input<typeof ZDryRunInput>;

export type TDryRunRule = {
  id: string;
  name: string;
  skipped: "disabled" | "schedule" | "cooldown" | "stopped" | null;
  matched: boolean;
  conditions: TConditionExplanation | null;
};

/**
 * The test panel: runs the DRAFT on a described message, with no side effects. Every rule with
 * whether it ran and matched, each condition's pass / fail with the fact value it saw
 * (json-rules-engine's own account), and the actions that would run, in order.
 */
export async function dryRunDraft(db: TDbOrTx, raw: TDryRunInput) {
  const parsed = ZDryRunInput.parse(raw);
  const input = parsed.content
    ? {
        ...parsed,
        text: textOf(parsed.content),
        type: typeOfKind(parsed.content.kind),
        hasMedia: isMediaKind(parsed.content.kind),
      }
    : parsed;
  const settings = await getOrgSettings(db);
  const draft = await listDraftRules(db);
  const ruleset = compileRuleset(draft, 0, null, await loadRuleAssets(db, mediaAssetIdsOf(draft)));
  const now = input.at ?? new Date();
  const day = 86_400_000;
  const [profile] = await db
    .select()
    .from(contextProfiles)
    .where(
      input.contact.profileName
        ? eq(contextProfiles.name, input.contact.profileName)
        : eq(contextProfiles.isDefault, true),
    )
    .limit(1);
  const learned = learnFromMessage({ topics: input.thread.topics, sentimentScore: null }, input.text, [
    ...(profile?.topics ?? []),
    ...(profile?.topicsToAvoid ?? []),
  ]);
  const facts: TFacts = buildFacts({
    message: {
      body: input.text,
      type: input.type,
      ...(input.content ? { content: input.content } : {}),
      hasMedia: input.hasMedia,
      isFirst: input.contact.messageCount === 1,
      sentiment: learned.messageSentiment,
    },
    contact: {
      name: input.contact.name,
      relationship: input.contact.relationship,
      priority: input.contact.priority,
      tags: input.contact.tags,
      profileName: input.contact.profileName,
      optedOut: input.contact.optedOut,
      firstSeenAt: new Date(now.getTime() - input.contact.daysSinceFirstSeen * day),
      messageCount: input.contact.messageCount,
    },
    thread: {
      mode: input.thread.mode,
      messageCount: input.thread.messageCount,
      lastBotReplyAt:
        input.thread.minutesSinceLastBotReply === null
          ? null
          : new Date(now.getTime() - input.thread.minutesSinceLastBotReply * 60_000),
      topics: learned.topics,
      sentiment: learned.sentiment,
    },
    now,
    timeZone: settings.timeZone,
    businessHours: settings.businessHours,
  });
  const evaluation = evaluateRuleset(ruleset, facts, {
    now,
    timeZone: settings.timeZone,
    businessHours: settings.businessHours,
    coolingDown: () => false,
  });
  const ran = ruleset.rules.filter(
    (rule) => evaluation.outcomes.find((outcome) => outcome.ruleId === rule.id)?.skipped === null,
  );
  const explained = await explainRules(ran, facts);
  const defaultReply = settings.defaultReply.mode === "text" ? settings.defaultReply.text : null;
  const effects = planActions(evaluation, {
    template: templateValues(input.contact, profile),
    defaultReply: input.content?.kind === "reaction" ? null : defaultReply,
    assets: ruleset.assets,
  });
  const rules: TDryRunRule[] = evaluation.outcomes.map((outcome) => ({
    id: outcome.ruleId,
    name: outcome.name,
    skipped: outcome.skipped,
    matched: outcome.matched,
    conditions: explained.get(outcome.ruleId)?.conditions ?? null,
  }));
  return {
    facts,
    rules,
    actions: evaluation.actions.map(({ ruleId, action }) => ({
      ruleId,
      rule: ruleset.rules.find((rule) => rule.id === ruleId)?.name ?? "",
      action,
    })),
    replies: effects.replies,
    aiReplies: effects.aiReplies.length,
    handoff: effects.handoff,
    tags: effects.tags,
    defaultApplied: !evaluation.matchedAny,
    humanOwned: input.thread.mode === "human",
  };
}

export const ZReplayInput = z.object({ limit: z.number().int().min(1).max(5_000).default(500) });

function summary(decision: TDecision) {
  return {
    rules: decision.outcomes.filter((outcome) => outcome.matched).map((outcome) => outcome.name),
    replies: [
      ...decision.effects.replies.map((reply) => reply.body),
      ...decision.effects.aiReplies.map(() => "(AI reply)"),
    ],
    handoff: decision.effects.handoff !== null,
    tags: decision.effects.tags.add,
  };
}

/**
 * Replay: the draft and the published version side by side on the last N inbound messages
 * (as of each message's time), listing the messages whose outcome would change.
 */
export async function replayDraft(db: TDbOrTx, raw: z.input<typeof ZReplayInput> = {}) {
  const { limit } = ZReplayInput.parse(raw);
  const rows = (
    await db
      .select(messageForDecisionFields)
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(eq(messages.direction, "in")))
      .orderBy(desc(messages.seq))
      .limit(limit)
  )
    .reverse()
    .map(toDecisionInput);
  const published = await loadPublishedRuleset(db);
  const draftRules = await listDraftRules(db);
  const draft = compileRuleset(draftRules, 0, null, await loadRuleAssets(db, mediaAssetIdsOf(draftRules)));
  const before = await createDecider(db, rows, { ruleset: published, asOfMessage: true });
  const after = await createDecider(db, rows, { ruleset: draft, asOfMessage: true });
  const changed = [];
  for (const row of rows) {
    const was = summary(before(row));
    const would = summary(after(row));
    if (JSON.stringify(was) !== JSON.stringify(would)) {
      changed.push({
        messageId: row.message.id,
        at: row.message.createdAt,
        text: row.message.body.slice(0, 300),
        contact: { id: row.contact.id, name: row.contact.name, waId: row.contact.waId },
        published: was,
        draft: would,
      });
    }
  }
  return { checked: rows.length, publishedVersion: published?.version ?? null, changed };
}
