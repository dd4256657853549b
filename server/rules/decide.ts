import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import {
  contacts,
  contextProfiles,
  messages,
  ruleHits,
  ruleVersions,
  settings,
  threads,
  waEngines,
  waSessions,
  waTemplates,
} from "~/db/schema";
import { engineCan, readEngineCapabilities } from "~/server/sessions/engine-capabilities";
import { pgArray } from "~/server/lib/sql";
import { readOrgSettings } from "~/server/settings/schema";
import { ORG_KEY } from "~/server/settings/settings";
import { planActions, templateKey, type TActionEffects, type TRuleTemplate } from "./actions";
import { evaluateRuleset, type TCompiledRule, type TCompiledRuleset, type TRuleOutcome } from "./evaluate";
import { buildFacts, hasMediaOf } from "./facts";
import { contentOfRow, ZChoiceOption, type TChoiceOption } from "~/server/messages/content";
import { z } from "zod";
import { loadPublishedRuleset } from "./published";
import { templateValues } from "./templates";
import { EMPTY_LEARNED_CONTEXT, learnFromMessage, type TLearnedContext } from "~/server/threads/learned-context";

/** One inbound message with what rules may ask about it. */
export type TMessageForDecision = {
  message: {
    id: string;
    body: string;
    type: string;
    hasMedia: boolean;
    createdAt: Date;
    /** `messages.content` (null on rows from before it: read from type and body). */
    content?: unknown;
    /** The number it came to: whose templates a `send_template` action sends. */
    sessionId?: string;
  };
  /**
   * The options of the choice this message may answer (`offeredChoices`); absent: the decider
   * looks them up for the whole batch.
   */
  offeredChoice?: readonly TChoiceOption[] | null;
  thread: { id: string; mode: string; topics: string[]; sentimentScore: number | null };
  contact: {
    id: string;
    waId: string;
    name: string | null;
    relationship: string;
    priority: number;
    tags: string[];
    profileId: string | null;
    optedOut: boolean;
    firstSeenAt: Date;
    /** `contacts.fields`: facts `field.<key>` (absent: none). */
    fields?: Record<string, string | number | boolean>;
  };
  /** Inbound messages of the thread up to this one, all messages up to it, the bot's last reply before it. */
  counts: { contactMessages: number; threadMessages: number; lastBotReplyAt: Date | null };
};

/** The columns a decision needs, for `db.select(messageForDecisionFields).from(messages)` joined to threads and contacts. */
export const messageForDecisionFields = {
  message: {
    id: messages.id,
    seq: messages.seq,
    body: messages.body,
    type: messages.type,
    content: messages.content,
    hasMedia: sql<boolean>`${messages.media} is not null`,
    createdAt: messages.createdAt,
    sessionId: messages.sessionId,
    processedAt: messages.processedAt,
  },
  thread: { id: threads.id, mode: threads.mode, topics: threads.topics, sentimentScore: threads.sentimentScore },
  contact: {
    id: contacts.id,
    waId: contacts.waId,
    name: contacts.name,
    relationship: contacts.relationship,
    priority: contacts.priority,
    tags: contacts.tags,
    profileId: contacts.profileId,
    optedOut: contacts.optedOut,
    firstSeenAt: contacts.firstSeenAt,
    fields: contacts.fields,
  },
  // One pass over the thread up to this message: inbound count, all messages, the bot's last reply.
  counts: sql<{ contactMessages: number; threadMessages: number; lastBotReplyAt: string | null }>`(
    select json_build_object(
      'contactMessages', count(*) filter (where m.direction = 'in'),
      'threadMessages', count(*),
      'lastBotReplyAt', max(coalesce(m.sent_at, m.queued_at)) filter (where m.direction = 'out' and m.source in ('rule', 'ai', 'flow')))
    from ${messages} m
    where m.thread_id = ${messages.threadId} and m.seq <= ${messages.seq})`,
};

type TDecisionRow = {
  message: TMessageForDecision["message"];
  thread: TMessageForDecision["thread"];
  contact: TMessageForDecision["contact"];
  counts: { contactMessages: number; threadMessages: number; lastBotReplyAt: string | Date | null };
};

export function toDecisionInput(row: TDecisionRow): TMessageForDecision {
  const last = row.counts.lastBotReplyAt;
  return { ...row, counts: { ...row.counts, lastBotReplyAt: last ? new Date(last) : null } };
}

export type TDecision = {
  effects: TActionEffects;
  outcomes: TRuleOutcome[];
  version: number | null;
  /** The thread's learned context after this message. */
  learned: TLearnedContext;
  /**
   * Whether the contact had opted out when they wrote this message (an earlier message of the
   * batch may have opted them out); an opt-out this message asks for applies to the next one.
   */
  optedOut: boolean;
};

type TProfile = Pick<
  typeof contextProfiles.$inferSelect,
  "id" | "name" | "businessInfo" | "fallbackText" | "isDefault" | "relationships" | "topics" | "topicsToAvoid"
>;
type TStoredProfile = {
  topics: string[] | null;
  topics_to_avoid: string[] | null;
  relationships: string[];
  id: string;
  name: string;
  business_info: TProfile["businessInfo"];
  fallback_text: string;
  is_default: boolean;
};
const toProfile = (row: TStoredProfile): TProfile => ({
  id: row.id,
  name: row.name,
  businessInfo: row.business_info ?? {},
  fallbackText: row.fallback_text ?? "",
  isDefault: row.is_default,
  relationships: (row.relationships ?? []) as TProfile["relationships"],
  topics: row.topics ?? [],
  topicsToAvoid: row.topics_to_avoid ?? [],
});

/**
 * Loads what deciding a batch of messages needs, once: settings, the published ruleset
 * (compiled, cached per version), cooldowns of the batch's contacts and their profiles. The
 * returned function decides one message; it remembers what earlier messages of the batch
 * changed (tags, cooldowns), so a batch decides as one-by-one processing would.
 */
export async function createDecider(
  tx: TDbOrTx,
  batch: readonly TMessageForDecision[],
  options: {
    /** Decide with this ruleset instead of the published one (replay of a draft). */
    ruleset?: TCompiledRuleset | null;
    /**
     * Decide as of the message's own time, ignoring cooldowns and the thread's learned context
     * (which is as of now; replay of old messages).
     */
    asOfMessage?: boolean;
  } = {},
) {
  // Settings, the published version and the batch's profiles in one round trip.
  const contactProfileIds = [
    ...new Set(batch.flatMap((row) => (row.contact.profileId ? [row.contact.profileId] : []))),
  ];
  const choiceLookups = batch.filter((row) => row.offeredChoice === undefined).map((row) => row.message.id);
  const {
    rows: [context],
  } = await tx.execute<{
    settings: unknown;
    head: { id: string; version: number } | null;
    profiles: TStoredProfile[];
    choices: { messageId: string; options: unknown }[];
  }>(sql`
    select
      (select value from ${settings} where key = ${ORG_KEY}) as settings,
      (select json_build_object('id', id, 'version', version) from ${ruleVersions} order by version desc limit 1) as head,
      (select coalesce(json_agg(p), '[]'::json) from ${contextProfiles} p
        where p.is_default or p.id = any(${pgArray(contactProfileIds, "uuid")})
          or p.relationships && ${pgArray([...new Set(batch.map((row) => row.contact.relationship))], "relationship")}) as profiles,
      ${offeredChoicesQuery(choiceLookups)} as choices`);
  const offered = new Map<string, readonly TChoiceOption[]>();
  for (const found of context?.choices ?? []) {
    const options = ZChoiceOptions.safeParse(found.options);
    if (options.success) offered.set(found.messageId, options.data);
  }
  const orgSettings = readOrgSettings(context?.settings);
  const ruleset =
    options.ruleset !== undefined ? options.ruleset : await loadPublishedRuleset(tx, context?.head ?? null);
  const contactIds = [...new Set(batch.map((row) => row.contact.id))];
  const cooling = options.asOfMessage ? [] : (ruleset?.rules.filter((rule) => rule.cooldownS > 0) ?? []);
  const lastFired = new Map<string, Date>();
  if (cooling.length > 0 && contactIds.length > 0) {
    const longest = Math.max(...cooling.map((rule) => rule.cooldownS));
    const rows = await tx
      .select({ ruleId: ruleHits.ruleId, contactId: threads.contactId, at: sql<Date>`max(${ruleHits.at})` })
      .from(ruleHits)
      .innerJoin(messages, eq(messages.id, ruleHits.messageId))
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .where(
        and(
          eq(ruleHits.matched, true),
          inArray(
            ruleHits.ruleId,
            cooling.map((rule) => rule.id),
          ),
          inArray(threads.contactId, contactIds),
          gt(ruleHits.at, sql`now() - make_interval(secs => ${longest})`),
        ),
      )
      .groupBy(ruleHits.ruleId, threads.contactId);
    for (const row of rows) lastFired.set(`${row.ruleId}|${row.contactId}`, new Date(row.at));
  }
  const templates = await loadSessionTemplates(tx, ruleset, batch);
  const profiles = new Map<string, TProfile>((context?.profiles ?? []).map((row) => [row.id, toProfile(row)]));
  const defaultProfile = [...profiles.values()].find((profile) => profile.isDefault) ?? null;
  const tagsNow = new Map<string, string[]>();
  const optedOutNow = new Set<string>();
  const defaultReply = orgSettings.defaultReply.mode === "text" ? orgSettings.defaultReply.text : null;

  // The contact's own profile, else the one for their relationship, else the default.
  const profileFor = (row: TMessageForDecision) =>
    (row.contact.profileId ? profiles.get(row.contact.profileId) : undefined) ??
    [...profiles.values()].find((candidate) =>
      (candidate.relationships as string[]).includes(row.contact.relationship),
    ) ??
    defaultProfile;

  // Each thread's learned context as the batch moves on, and each message's result.
  const learnedByThread = new Map<string, TLearnedContext>();
  const learnedByMessage = new Map<string, ReturnType<typeof learnFromMessage>>();
  /** The thread's learned context after this message (once per message, in batch order). */
  const learn = (row: TMessageForDecision) => {
    let learned = learnedByMessage.get(row.message.id);
    if (!learned) {
      const previous = learnedByThread.get(row.thread.id) ?? (options.asOfMessage ? EMPTY_LEARNED_CONTEXT : row.thread);
      const profile = profileFor(row);
      learned = learnFromMessage(previous, row.message.body, [
        ...(profile?.topics ?? []),
        ...(profile?.topicsToAvoid ?? []),
      ]);
      learnedByMessage.set(row.message.id, learned);
      learnedByThread.set(row.thread.id, learned);
    }
    return learned;
  };

  // A reply decided earlier in the batch is the conversation's latest message: a choice it
  // offers is what the thread's next message answers, and any other reply ends the last choice.
  const offeredInBatch = new Map<string, readonly TChoiceOption[] | null>();
  const offeredChoice = (row: TMessageForDecision) =>
    offeredInBatch.has(row.thread.id)
      ? offeredInBatch.get(row.thread.id)!
      : row.offeredChoice !== undefined
        ? row.offeredChoice
        : (offered.get(row.message.id) ?? null);

  /** The facts of one message as rules (and flows' branches) see them, at `now`. */
  const factsOf = (row: TMessageForDecision) => {
    const now = options.asOfMessage || row.message.createdAt > new Date() ? row.message.createdAt : new Date();
    const tags = tagsNow.get(row.contact.id) ?? row.contact.tags;
    const optedOut = row.contact.optedOut || optedOutNow.has(row.contact.id);
    const profile = profileFor(row);
    const learned = learn(row);
    const content = contentOfRow({
      content: row.message.content ?? null,
      type: row.message.type,
      body: row.message.body,
    });
    const facts = buildFacts({
      message: {
        body: row.message.body,
        type: row.message.type,
        content,
        hasMedia: hasMediaOf(content, row.message.hasMedia),
        isFirst: row.counts.contactMessages === 1,
        sentiment: learned.messageSentiment,
        offeredChoice: offeredChoice(row),
      },
      contact: {
        name: row.contact.name,
        relationship: row.contact.relationship,
        priority: row.contact.priority,
        tags,
        profileName: profile?.name ?? null,
        optedOut,
        firstSeenAt: row.contact.firstSeenAt,
        messageCount: row.counts.contactMessages,
        fields: row.contact.fields,
      },
      thread: {
        mode: row.thread.mode,
        messageCount: row.counts.threadMessages,
        lastBotReplyAt: row.counts.lastBotReplyAt,
        topics: learned.topics,
        sentiment: learned.sentiment,
      },
      now,
      timeZone: orgSettings.timeZone,
      businessHours: orgSettings.businessHours,
    });
    return { facts, now, tags, optedOut, profile, learned, content };
  };

  /** The reply variables (`{{contact.name}}`…) for a message's contact. */
  const templateOf = (row: TMessageForDecision) =>
    templateValues(
      { name: row.contact.name, phone: row.contact.waId, relationship: row.contact.relationship },
      profileFor(row),
    );

  const decide = (row: TMessageForDecision): TDecision => {
    const { facts, now, tags, optedOut, profile, learned, content } = factsOf(row);
    const coolingDown = (rule: TCompiledRule) => {
      const last = lastFired.get(`${rule.id}|${row.contact.id}`);
      return last !== undefined && now.getTime() - last.getTime() < rule.cooldownS * 1000;
    };
    const evaluation = ruleset
      ? evaluateRuleset(ruleset, facts, {
          now,
          timeZone: orgSettings.timeZone,
          businessHours: orgSettings.businessHours,
          coolingDown,
        })
      : { outcomes: [], actions: [], matchedAny: false };
    const effects = planActions(evaluation, {
      template: templateValues(
        { name: row.contact.name, phone: row.contact.waId, relationship: row.contact.relationship },
        profile,
      ),
      // A reaction is not a question: no default reply to it (a rule may still answer one).
      defaultReply: content.kind === "reaction" ? null : defaultReply,
      assets: ruleset?.assets,
      templates: row.message.sessionId ? (templates.get(row.message.sessionId) ?? null) : null,
    });
    const lastReply = effects.replies.at(-1);
    if (lastReply && !options.asOfMessage) {
      offeredInBatch.set(row.thread.id, lastReply.content?.kind === "interactive" ? lastReply.content.options : null);
    }
    for (const outcome of evaluation.outcomes) {
      if (outcome.matched) lastFired.set(`${outcome.ruleId}|${row.contact.id}`, now);
    }
    if (effects.tags.add.length > 0 || effects.tags.remove.length > 0) {
      tagsNow.set(
        row.contact.id,
        [...new Set([...tags, ...effects.tags.add])].filter((tag) => !effects.tags.remove.includes(tag)),
      );
    }
    if (effects.optOut) optedOutNow.add(row.contact.id);
    const context = { topics: learned.topics, sentimentScore: learned.sentimentScore, sentiment: learned.sentiment };
    return { effects, outcomes: evaluation.outcomes, version: ruleset?.version ?? null, learned: context, optedOut };
  };
  return Object.assign(decide, { learn, settings: orgSettings, factsOf, templateOf });
}

const ZChoiceOptions = z.array(ZChoiceOption).min(1);

/**
 * The choice each of these inbound messages may answer, in ONE statement for a batch: the
 * latest outbound message of the thread before the message (by `seq`), when it is a choice
 * (`interactive`) offered within 24 hours before it. A later outbound message, of any kind,
 * ends the choice. As a json list of `{messageId, options}` (messages with no choice left out).
 */
export function offeredChoicesQuery(messageIds: readonly string[]) {
  if (messageIds.length === 0) return sql`'[]'::json`;
  return sql`(select coalesce(json_agg(json_build_object('messageId', b.id, 'options', o.content->'options')), '[]'::json)
        from ${messages} b
        cross join lateral (
          select o.content from ${messages} o
          where o.thread_id = b.thread_id and o.direction = 'out' and o.seq < b.seq
            and o.created_at > b.created_at - interval '24 hours'
          order by o.seq desc limit 1) o
        where b.id = any(${pgArray([...messageIds], "uuid")}) and o.content->>'kind' = 'interactive')`;
}

/**
 * The approved templates of a batch's numbers, by session, for `send_template` actions: none
 * looked up when the ruleset sends no template; a number whose engine cannot send templates
 * maps to null (the action is then skipped, and says why).
 */
async function loadSessionTemplates(
  tx: TDbOrTx,
  ruleset: TCompiledRuleset | null | undefined,
  batch: readonly TMessageForDecision[],
): Promise<Map<string, Map<string, TRuleTemplate> | null>> {
  const bySession = new Map<string, Map<string, TRuleTemplate> | null>();
  const sendsTemplates = ruleset?.rules.some((rule) => rule.actions.some((action) => action.type === "send_template"));
  const sessionIds = [...new Set(batch.flatMap((row) => (row.message.sessionId ? [row.message.sessionId] : [])))];
  if (!sendsTemplates || sessionIds.length === 0) return bySession;
  const sessions = await tx
    .select({ id: waSessions.id, capabilities: waEngines.capabilities })
    .from(waSessions)
    .leftJoin(waEngines, eq(waEngines.kind, waSessions.kind))
    .where(inArray(waSessions.id, sessionIds));
  const able = sessions.filter((session) => engineCan(readEngineCapabilities(session.capabilities), "templates"));
  for (const session of sessions) bySession.set(session.id, null);
  for (const session of able) bySession.set(session.id, new Map());
  if (able.length === 0) return bySession;
  const rows = await tx
    .select({
      sessionId: waTemplates.sessionId,
      name: waTemplates.name,
      language: waTemplates.language,
      status: waTemplates.status,
      components: waTemplates.components,
    })
    .from(waTemplates)
    .where(
      and(
        inArray(
          waTemplates.sessionId,
          able.map((session) => session.id),
        ),
        eq(waTemplates.status, "APPROVED"),
      ),
    );
  for (const { sessionId, ...template } of rows)
    bySession.get(sessionId)?.set(templateKey(template.name, template.language), template);
  return bySession;
}
