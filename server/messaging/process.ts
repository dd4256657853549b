import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TTx } from "~/db/client";
import { contacts, events, messages, ruleEvaluations, ruleHits, threads, type TNoReplyReason } from "~/db/schema";
import { queueOutbound, type TOutboundItem } from "~/server/conversations/outbound";
import {
  botHandoffEvent,
  decidedThreadsUpdate,
  handoffNoteBody,
  handoffNotesInsert,
  type TBotHandoff,
} from "~/server/conversations/state";
import type { TEventInput } from "~/server/events/events";
import { enqueueMany } from "~/server/jobs/boss";
import type { TQueuePayload } from "~/server/jobs/queues";
import { jsonRecordset, pgArray } from "~/server/lib/sql";
import { planActions, type TActionEffects } from "~/server/rules/actions";
import { createDecider, messageForDecisionFields, toDecisionInput } from "~/server/rules/decide";
import { MAX_TOPICS, type TLearnedContext } from "~/server/threads/learned-context";
import { quietVerdict, readBurstStates } from "./quiet";
import { admitReplies, type TReplyCap, type TReplyCapState } from "./reply-cap";
import { fieldCoercer, fieldsPatched } from "~/server/contacts/fields";
import { loadFlowCatalogue } from "~/server/flows/catalogue";
import { enqueueFlowJobs, flowRecordsSql, FlowTurns, type TFlowTurn } from "~/server/flows/engine";
import { handoffNoteOf } from "~/server/flows/handoff";
import { queueTeamHandoffs } from "~/server/conversations/team-queue";
import type { TFlowContext } from "~/server/flows/run";
import { readFlowState, type TFlowState } from "~/server/flows/state";
import { contentOfRow } from "~/server/messages/content";
import {
  openSurveyColumn,
  orgLocale,
  parseSurveyAnswer,
  parseSurveyComment,
  surveyReplyText,
  surveyWritesSql,
  SURVEY_FLAG,
  type TOpenSurvey,
  type TSurveyWrite,
} from "~/server/teams/survey";
import type { TLocale } from "~/server/i18n/locales";
import { contactLocale, matchOptOutKeyword, optOutConfirmationText } from "~/server/contacts/consent";

export type TProcessOutcome =
  | "replied"
  | "no_reply"
  | "human_mode"
  | TNoReplyReason
  | "already_processed"
  | "not_found"
  /** Too early for the quiet period before rules: queued again for later, not processed. */
  | "deferred"
  /** Part of a burst whose last message is decided with its text (processed, no rule run). */
  | "merged"
  /** An opt-out keyword (server/contacts/consent.ts): the contact is opted out; no rule, flow or AI ran. */
  | "opted_out";

/** Test-only seams: production code passes none. */
export type TProcessHooks = {
  /** Runs once the batch's rows are locked and read, before anything is decided. */
  afterLock?: () => Promise<void>;
};

/**
 * `message.process` for a batch of inbound messages, in ONE transaction: locks the contacts,
 * then the messages and their threads (in contact order, as ingest does, so batches never
 * deadlock with each other or with ingest), skips those processed already (a retried job), decides each with
 * the published rules (or the org default), runs the actions (replies stored as `queued` with
 * their send jobs; hand-off, tags, profile, relationship, opt-out, custom events), records the
 * rules that fired (`rule_hits`) and how many were evaluated and matched (`rule_evaluations`,
 * one row per rule per batch), and marks the messages processed. So a message is answered
 * exactly once, however often its job runs.
 *
 * Who gets no automatic reply: a thread in `human` mode (an agent owns it); a blocked contact
 * (nothing runs for them); an opted-out contact when Settings say not to answer them (their
 * rules still run, without replies); a message that reached us long after it was sent (ingest's
 * `late` flag: its rules run, without replies); and a thread past the reply cap, counted here with the
 * thread row locked, so concurrent batches cannot both slip under it. Each silence is recorded
 * on the message (`no_reply_reason`) and as a `message.unanswered` event.
 */
export async function processInboundBatch(
  db: TDb,
  boss: PgBoss,
  messageIds: readonly string[],
  hooks: TProcessHooks = {},
): Promise<Map<string, TProcessOutcome>> {
  const outcomes = new Map<string, TProcessOutcome>(messageIds.map((id) => [id, "not_found"]));
  if (messageIds.length === 0) return outcomes;
  return db.transaction(async (tx) => {
    // Ingest's lock order: the batch's contacts first (by number), then their threads. Locking
    // a thread before its contact, while ingest holds the contact and wants the thread, would
    // deadlock with every message a contact sends while their last one is being decided.
    // `no key update`: foreign-key checks of concurrent inserts (a new message in the thread)
    // do not wait for these locks.
    // Both prepared (named, so each connection parses and plans them once): they run for
    // every batch, with the ids as one array parameter whatever the batch's size.
    const ids = { ids: [...messageIds] };
    await lockContactsQuery(tx).execute(ids);
    const rows = await lockedMessagesQuery(tx).execute(ids);
    await hooks.afterLock?.();
    let pending = rows.filter((row) => {
      outcomes.set(row.message.id, row.message.processedAt ? "already_processed" : "no_reply");
      return !row.message.processedAt;
    });
    if (pending.length === 0) return outcomes;

    let inputs = pending.map(toDecisionInput);
    const decide = await createDecider(tx, inputs);
    // Opt-out keywords (server/contacts/consent.ts): honoured at once, before anything else
    // decides the message, so never deferred nor merged by the quiet period.
    const optOutKeywords = decide.settings.optOut.keywords;
    const keywordOf = new Map(
      pending.flatMap((row) => {
        const keyword = matchOptOutKeyword(row.message.body, optOutKeywords);
        return keyword ? [[row.message.id, keyword] as const] : [];
      }),
    );
    // One decision per burst, when Settings say rules wait too (server/messaging/quiet.ts).
    const quiet = await quietBursts(tx, boss, pending, inputs, decide.settings, keywordOf);
    if (quiet) {
      for (const id of quiet.deferred) outcomes.set(id, "deferred");
      pending = pending.filter((row) => !quiet.deferred.has(row.message.id));
      inputs = inputs.filter((input) => !quiet.deferred.has(input.message.id));
      if (pending.length === 0) return outcomes;
    }
    const { answerOptedOut } = decide.settings;
    const cap: TReplyCap = {
      limit: decide.settings.replyCapLimit,
      windowMinutes: decide.settings.replyCapMinutes,
      action: decide.settings.replyCapAction,
    };
    const capStates = new Map<string, TReplyCapState>(pending.map((row) => [row.thread.id, row.cap]));
    // Flows: the published ones, the versions the batch's runs stand on, and each conversation's
    // flow state as the batch moves it (written with the conversation's other state).
    // Each conversation's stored flow state, read once (a batch may hold several of its messages).
    const storedFlows = new Map(pending.map((row) => [row.thread.id, readFlowState(row.flow)] as const));
    const running = [...storedFlows.values()].flatMap((state) =>
      state ? [{ flowId: state.flowId, version: state.version }] : [],
    );
    const catalogue = await loadFlowCatalogue(tx, running);
    const flowsInPlay = catalogue.published.size > 0 || running.length > 0;
    const turns = new FlowTurns(catalogue, decide.settings.flowEscape);
    const flowStates = new Map<string, TFlowState | null>();
    const fieldsNow = new Map<string, Record<string, string | number | boolean | null>>();
    const coerceField = fieldCoercer(catalogue.fields);
    const noReply = new Map<string, TNoReplyReason>();
    const replies: TOutboundItem[] = [];
    const hits: (typeof ruleHits.$inferInsert)[] = [];
    const aiJobs: TQueuePayload<"ai.reply">[] = [];
    const evaluated = new Map<string, { ruleId: string; version: number; evaluations: number; matches: number }>();
    const toRecord: TEventInput[] = [];
    const threadModes = new Map<string, string>();
    const handoffs = new Map<string, TBotHandoff>();
    const contactChanges = new Map<string, TContactChange>();
    // Per conversation: what was learned, and since when the contact waits after this batch
    // (their first message after the last one answered here; null when that one was answered).
    const learned = new Map<string, TLearnedContext & { waitingSince: Date | null }>();
    const queuedAt = new Date();
    // The satisfaction survey (server/teams/survey.ts): each conversation's open survey as the
    // batch moves it, what to write, and the conversations that stay closed (only answered it).
    const surveys = new Map<string, TOpenSurvey | null>();
    const surveyWrites = new Map<string, TSurveyWrite>();
    const staysClosed = new Map<string, string>();
    let surveyLocale: TLocale | null = null;
    const optedOutNow = new Set<string>();
    for (const [index, row] of pending.entries()) {
      // Merged into its burst's last message, which is decided with its text (no rule runs now).
      if (quiet?.merged.has(row.message.id)) {
        outcomes.set(row.message.id, "merged");
        continue;
      }
      const ids = { sessionId: row.message.sessionId, contactId: row.contact.id, threadId: row.thread.id };
      const waitingSince =
        learned.get(row.thread.id)?.waitingSince ?? quiet?.since.get(row.message.id) ?? row.message.createdAt;
      learned.set(row.thread.id, { ...decide.learn(inputs[index]!), waitingSince });
      const unanswered = (reason: TNoReplyReason) => {
        noReply.set(row.message.id, reason);
        outcomes.set(row.message.id, reason);
        toRecord.push({ type: "message.unanswered", ...ids, messageId: row.message.id, payload: { reason } });
      };
      const mode = threadModes.get(row.thread.id) ?? row.thread.mode;
      // An opt-out keyword: the contact's own act, in every mode (a person's thread too, where
      // the person sees it and the bot says nothing), blocked or not. Only the first opt-out
      // records and confirms; a repeat changes nothing. No rule, flow or AI sees the message.
      const keyword = keywordOf.get(row.message.id);
      if (keyword) {
        outcomes.set(row.message.id, "opted_out");
        if (row.contact.optedOut || optedOutNow.has(row.contact.id)) continue;
        optedOutNow.add(row.contact.id);
        contactChanges.set(row.contact.id, {
          ...(contactChanges.get(row.contact.id) ?? { tags: row.contact.tags }),
          optedOut: true,
          optedOutAt: row.message.createdAt,
        });
        toRecord.push({
          type: "contact.updated",
          ...ids,
          messageId: row.message.id,
          payload: { by: "keyword", changes: { optedOut: true } },
        });
        // A flow under way ends: it must not ask the next question of someone who opted out.
        const activeFlow = flowStates.has(row.thread.id)
          ? flowStates.get(row.thread.id)!
          : (storedFlows.get(row.thread.id) ?? null);
        if (activeFlow) {
          turns.stop(activeFlow, "stopped", row.message.createdAt, { by: "opt_out" });
          flowStates.set(row.thread.id, null);
        }
        if (mode === "human") {
          toRecord.push({ type: "thread.awaiting_human", ...ids, messageId: row.message.id });
          continue;
        }
        if (row.blocked) continue;
        replies.push({
          ...ids,
          body: optOutConfirmationText(await contactLocale(tx, row.contact.id), decide.settings.optOut.confirmation),
          source: "system",
          ruleId: null,
          replyToMessageId: row.message.id,
        });
        learned.get(row.thread.id)!.waitingSince = null;
        continue;
      }
      if (mode === "human") {
        toRecord.push({ type: "thread.awaiting_human", ...ids, messageId: row.message.id });
        outcomes.set(row.message.id, "human_mode");
        continue;
      }
      // Blocked: the message is kept and shown, and nothing runs for them (no rule, no reply).
      if (row.blocked) {
        unanswered("blocked");
        continue;
      }
      const content = contentOfRow({
        content: row.message.content ?? null,
        type: row.message.type,
        body: row.message.body,
      });
      const survey = surveys.has(row.thread.id) ? surveys.get(row.thread.id)! : row.survey;
      if (survey) {
        const write = surveyWrites.get(survey.id) ?? {
          id: survey.id,
          answeredAt: null,
          score: null,
          comment: null,
          endedAt: null,
        };
        const answer = survey.phase === "score" ? parseSurveyAnswer(content) : null;
        const comment = survey.phase === "comment" ? parseSurveyComment(content) : null;
        if (answer || comment) {
          // Taken as the survey's: no rule, flow or AI sees it; the contact is thanked.
          const score = answer?.score ?? survey.score!;
          const said = answer ? answer.comment : comment;
          surveyWrites.set(survey.id, {
            ...write,
            ...(answer ? { answeredAt: row.message.createdAt.toISOString(), score } : {}),
            comment: said ?? write.comment,
          });
          surveys.set(row.thread.id, answer && !said ? { ...survey, phase: "comment", score } : null);
          toRecord.push({
            // No message: the webhook's `data` is contact and thread (the answer is in `details`).
            type: "thread.survey_answered",
            ...ids,
            payload: { surveyId: survey.id, score, comment: said, teamId: survey.teamId, agentId: survey.agentId },
          });
          surveyLocale ??= await orgLocale(tx);
          const reply = answer ? (said ? "thanksWithComment" : "thanks") : "commentThanks";
          replies.push({
            ...ids,
            body: surveyReplyText(surveyLocale, reply),
            source: "system",
            ruleId: null,
            flags: [SURVEY_FLAG],
            replyToMessageId: row.message.id,
          });
          staysClosed.set(row.thread.id, survey.sentAt);
          learned.get(row.thread.id)!.waitingSince = null;
          outcomes.set(row.message.id, "replied");
          continue;
        }
        // Not an answer: the survey ends here and the message goes on as usual.
        if (survey.phase === "score")
          surveyWrites.set(survey.id, { ...write, endedAt: row.message.createdAt.toISOString() });
        surveys.set(row.thread.id, null);
      }
      staysClosed.delete(row.thread.id);
      const input = { ...inputs[index]!, thread: { ...row.thread, mode } };
      const conversation = { threadId: row.thread.id, contactId: row.contact.id };
      const flowState = flowStates.has(row.thread.id)
        ? flowStates.get(row.thread.id)!
        : (storedFlows.get(row.thread.id) ?? null);
      const flowContext = (): TFlowContext => {
        const { facts, now } = decide.factsOf(input);
        return {
          now,
          timeZone: decide.settings.timeZone,
          defaultCountry: decide.settings.defaultCountry,
          facts,
          fields: { ...row.contact.fields, ...fieldsNow.get(row.contact.id) },
          template: decide.templateOf(input),
          coerceField,
          assets: new Map(),
          messageId: row.message.id,
        };
      };
      const turn: TFlowTurn | null =
        flowsInPlay || flowState
          ? turns.onMessage(
              conversation,
              flowState,
              { id: row.message.id, text: input.message.body, content, isFirst: input.counts.contactMessages === 1 },
              flowContext,
            )
          : null;
      if (turn && (turn.handled || turn.state !== flowState)) flowStates.set(row.thread.id, turn.state);
      const decision = turn?.handled ? flowDecision(turn, decide.learn(input)) : decide(input);
      // A rule's "start flow": the flow starts after the rule's replies, and speaks from then on.
      if (!turn?.handled && decision.effects.startFlow) {
        const started = turns.startById(
          conversation,
          flowStates.has(row.thread.id) ? flowStates.get(row.thread.id)! : flowState,
          decision.effects.startFlow.flowId,
          "rule",
          flowContext(),
        );
        if (started) {
          flowStates.set(row.thread.id, started.state);
          appendFlowEffects(decision.effects, started);
        }
      }
      if (turn?.handled || decision.effects.startFlow) {
        const changed = decision.effects.fields;
        if (Object.keys(changed).length > 0)
          fieldsNow.set(row.contact.id, { ...fieldsNow.get(row.contact.id), ...changed });
      }
      for (const outcome of decision.outcomes) {
        if (outcome.skipped || decision.version === null) continue;
        const key = `${outcome.ruleId}|${decision.version}`;
        const counted = evaluated.get(key) ?? {
          ruleId: outcome.ruleId,
          version: decision.version,
          evaluations: 0,
          matches: 0,
        };
        counted.evaluations += 1;
        if (outcome.matched) counted.matches += 1;
        evaluated.set(key, counted);
        if (outcome.matched) {
          hits.push({
            ruleId: outcome.ruleId,
            version: decision.version,
            messageId: row.message.id,
            threadId: row.thread.id,
            matched: true,
          });
          // An action the rule could not run here (a template the number cannot send) says why.
          const skipped = decision.effects.skipped.flatMap(({ ruleId, ...rest }) =>
            ruleId === outcome.ruleId ? [rest] : [],
          );
          toRecord.push({
            type: "rule.fired",
            ...ids,
            messageId: row.message.id,
            payload: {
              ruleId: outcome.ruleId,
              rule: outcome.name,
              version: decision.version,
              ...(skipped.length > 0 ? { skipped } : {}),
            },
          });
        }
      }
      const policy = applyReplyPolicy(decision.effects, {
        optedOut: decision.optedOut && !answerOptedOut,
        late: row.late,
        cap,
        state: capStates.get(row.thread.id)!,
        now: queuedAt,
      });
      const { effects } = policy;
      capStates.set(row.thread.id, policy.state);
      if (policy.paused)
        toRecord.push({ type: "thread.bot_paused", ...ids, messageId: row.message.id, payload: policy.paused });
      if (policy.silenced) unanswered(policy.silenced);
      for (const reply of effects.replies) {
        replies.push({
          ...ids,
          body: reply.body,
          ...(reply.content ? { content: reply.content } : {}),
          source: reply.source,
          ruleId: reply.ruleId,
          ruleVersion: reply.ruleId ? decision.version : null,
          replyToMessageId: row.message.id,
        });
      }
      if (effects.handoff) {
        threadModes.set(row.thread.id, "human");
        handoffs.set(row.thread.id, effects.handoff);
        toRecord.push(botHandoffEvent(ids, row.message.id, effects.handoff));
      }
      for (const custom of effects.customEvents) {
        toRecord.push({ type: "rule.custom_event", ...ids, messageId: row.message.id, payload: { ...custom } });
      }
      const change = mergeContactChange(contactChanges.get(row.contact.id) ?? { tags: row.contact.tags }, effects);
      if (change?.optedOut && !change.optedOutAt && !row.contact.optedOut) change.optedOutAt = row.message.createdAt;
      if (change) {
        contactChanges.set(row.contact.id, change);
        toRecord.push({
          type: "contact.updated",
          ...ids,
          messageId: row.message.id,
          payload: { by: "rule", changes: describe(effects) },
        });
      }
      for (const ai of effects.aiReplies) {
        aiJobs.push({
          messageId: row.message.id,
          ruleId: ai.ruleId,
          ruleVersion: ai.ruleId ? decision.version : null,
          profileId: ai.profileId,
        });
      }
      if (effects.replies.length + effects.aiReplies.length > 0) outcomes.set(row.message.id, "replied");
      if (effects.handoff) capStates.set(row.thread.id, { ...capStates.get(row.thread.id)!, handoffAt: queuedAt });
      // The contact has an answer once a reply is queued (an AI reply clears it when written).
      if (effects.replies.length > 0) learned.get(row.thread.id)!.waitingSince = null;
    }
    for (const [contactId, change] of contactChanges) {
      await tx
        .update(contacts)
        .set({
          ...(change.fields ? { fields: fieldsPatched(change.fields) } : {}),
          tags: change.tags,
          ...(change.profileId ? { profileId: change.profileId } : {}),
          ...(change.relationship
            ? { relationship: change.relationship as (typeof contacts.$inferInsert)["relationship"] }
            : {}),
          ...(change.optedOut ? { optedOut: true } : {}),
          // When they opted out: kept from the first time (a rule's opt-out of an opted-out contact changes nothing).
          ...(change.optedOutAt
            ? { optedOutAt: sql`coalesce(${contacts.optedOutAt}, ${change.optedOutAt.toISOString()}::timestamptz)` }
            : {}),
          updatedAt: new Date(),
        })
        .where(eq(contacts.id, contactId));
    }
    // ONE statement for the whole batch: the replies through the conversations module's entry
    // point, the conversations' state in the same single update of each row, and the rest.
    const decidedThreads = [...learned].map(([threadId, context]) => {
      const capState = capStates.get(threadId)!;
      return {
        threadId,
        ...context,
        waitingSince: context.waitingSince?.toISOString() ?? null,
        autoRepliesAt: capState.autoRepliesAt.map((at) => at.toISOString()),
        botPausedAt: capState.botPausedAt?.toISOString() ?? null,
        handoff: handoffs.get(threadId) ?? null,
        flow: flowStates.has(threadId) ? { state: flowStates.get(threadId)! } : null,
        staysClosedAt: staysClosed.get(threadId) ?? null,
      };
    });

    await queueOutbound(tx, boss, replies, {
      threads: (answering) => decidedThreadsUpdate(decidedThreads, { maxTopics: MAX_TOPICS, at: queuedAt, answering }),
      also: decisionRecords({
        hits,
        evaluations: [...evaluated.values()],
        events: toRecord,
        processed: pending.map((row) => ({ id: row.message.id, noReplyReason: noReply.get(row.message.id) ?? null })),
        handoffNotes: [...handoffs].flatMap(([threadId, handoff]) => {
          const body = handoffNoteBody(handoff.note);
          return body ? [{ threadId, body }] : [];
        }),
        at: queuedAt,
        flows: flowRecordsSql(turns.writes),
        surveys: surveyWritesSql([...surveyWrites.values()]),
      }),
    });
    await enqueueFlowJobs(tx, boss, turns.writes);
    // One answer per burst (server/ai/burst.ts): an AI reply starts once the contact has been
    // quiet for the quiet period after the message it answers; its job looks again then.
    const quietMs = decide.settings.replyQuietMs;
    if (quietMs > 0) {
      const sentAt = new Map(pending.map((row) => [row.message.id, row.message.createdAt.getTime()]));
      const byStart = Map.groupBy(aiJobs, (job) => Math.max(sentAt.get(job.messageId)! + quietMs, queuedAt.getTime()));
      for (const [startAt, jobs] of byStart)
        await enqueueMany(boss, "ai.reply", jobs, { tx, startAfter: new Date(startAt) });
    } else {
      await enqueueMany(boss, "ai.reply", aiJobs, { tx });
    }
    // Hand-offs to a team: its assignment and the contact's acknowledgement run in the worker, after this commits.
    await queueTeamHandoffs(
      tx,
      boss,
      [...handoffs].flatMap(([threadId, handoff]) =>
        handoff.teamId ? [{ threadId, teamId: handoff.teamId, at: queuedAt }] : [],
      ),
    );
    return outcomes;
  });
}

const batchIds = sql`any(${sql.placeholder("ids")}::uuid[])`;

type TLockedRow = Awaited<ReturnType<ReturnType<typeof lockedMessagesQuery>["execute"]>>[number];

/**
 * The quiet period before rules (Settings `quietBeforeRules`, server/messaging/quiet.ts), for
 * the batch's pending messages that the bot would decide (not a person's thread, not blocked,
 * not a survey answer, not late): those too early are queued again for later (`deferred`);
 * those with a newer message of their burst are `merged`; the rest are decided on their burst's
 * joined text (written into `inputs`, with when the burst began in `since`). null when off.
 */
async function quietBursts(
  tx: TTx,
  boss: PgBoss,
  pending: readonly TLockedRow[],
  inputs: ReturnType<typeof toDecisionInput>[],
  settings: { quietBeforeRules: boolean; replyQuietMs: number },
  /** Opt-out keywords, honoured at once: never deferred nor merged. */
  keywords: ReadonlyMap<string, string>,
): Promise<{ deferred: Set<string>; merged: Set<string>; since: Map<string, Date> } | null> {
  if (!settings.quietBeforeRules || settings.replyQuietMs <= 0) return null;
  const eligible = pending.filter(
    (row) => row.thread.mode !== "human" && !row.blocked && !row.survey && !row.late && !keywords.has(row.message.id),
  );
  const states = await readBurstStates(
    tx,
    eligible.map((row) => row.message.id),
  );
  const deferred = new Map<string, Date>();
  const merged = new Set<string>();
  const since = new Map<string, Date>();
  const now = Date.now();
  for (const row of eligible) {
    const state = states.get(row.message.id);
    if (!state) continue;
    const verdict = quietVerdict(
      { id: row.message.id, contactId: row.contact.id, createdAt: row.message.createdAt, body: row.message.body },
      state,
      settings.replyQuietMs,
      now,
    );
    if (verdict.action === "defer") deferred.set(row.message.id, verdict.at);
    else if (verdict.action === "merged") merged.add(row.message.id);
    else if (verdict.body !== row.message.body) {
      const index = inputs.findIndex((input) => input.message.id === row.message.id);
      inputs[index] = { ...inputs[index]!, message: { ...inputs[index]!.message, body: verdict.body } };
      since.set(row.message.id, verdict.since);
    }
  }
  const byStart = Map.groupBy(deferred, ([, at]) => at.getTime());
  for (const [startAt, list] of byStart)
    await enqueueMany(
      boss,
      "message.process",
      list.map(([messageId]) => ({ messageId })),
      { tx, startAfter: new Date(startAt) },
    );
  return { deferred: new Set(deferred.keys()), merged, since };
}

/** Locks the contacts of a batch's messages, in ingest's order (contacts by number). */
function lockContactsQuery(tx: TTx) {
  return tx
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      sql`${contacts.id} in (
        select t.contact_id from ${threads} t join ${messages} m on m.thread_id = t.id where m.id = ${batchIds})`,
    )
    .orderBy(asc(contacts.sessionId), asc(contacts.waId))
    .for("no key update")
    .prepare("process_lock_contacts");
}

/** A batch's inbound messages with their threads (locked) and contacts: what deciding needs. */
function lockedMessagesQuery(tx: TTx) {
  return tx
    .select({
      ...messageForDecisionFields,
      blocked: contacts.blocked,
      /** It reached us long after it was sent (ingest's flag, LATE_AFTER_MS): not answered. */
      late: sql<boolean>`'late' = any(${messages.flags})`,
      /** The conversation's active flow (server/flows/state.ts). */
      flow: threads.flow,
      cap: { autoRepliesAt: threads.autoRepliesAt, botPausedAt: threads.botPausedAt, handoffAt: threads.handoffAt },
      /** The satisfaction survey this message may answer (two index probes; null almost always). */
      survey: openSurveyColumn(sql`${threads.id}`, sql`${threads.teamId}`, sql`${messages.createdAt}`),
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(sql`${messages.id} = ${batchIds}`, eq(messages.direction, "in")))
    .orderBy(asc(contacts.sessionId), asc(contacts.waId), asc(messages.seq))
    .for("no key update", { of: [messages, threads] })
    .prepare("process_locked_messages");
}

/**
 * Who gets the replies a message's rules decided: none for a contact the bot must not answer
 * (opted out, when Settings say so), none past the reply cap. Reaching the cap pauses the bot
 * (the `thread.bot_paused` payload), and with `handoff` hands the thread to people. Returns
 * the effects to run and the thread's cap state after this message.
 */
function applyReplyPolicy(
  decided: TActionEffects,
  context: { optedOut: boolean; late: boolean; cap: TReplyCap; state: TReplyCapState; now: Date },
): {
  effects: TActionEffects;
  state: TReplyCapState;
  silenced: TNoReplyReason | null;
  paused: Record<string, unknown> | null;
} {
  const { cap, state, now } = context;
  const count = decided.replies.length + decided.aiReplies.length;
  const silence = (reason: TNoReplyReason, effects = decided) => ({
    effects: { ...effects, replies: [], aiReplies: [] },
    silenced: reason,
  });
  if (count === 0) return { effects: decided, state, silenced: null, paused: null };
  if (context.optedOut) return { ...silence("opted_out"), state, paused: null };
  if (context.late) return { ...silence("too_old"), state, paused: null };
  const verdict = admitReplies(state, cap, now, count);
  if (verdict.admitted) return { effects: decided, state: verdict.state, silenced: null, paused: null };
  if (!verdict.pausedNow) return { ...silence("reply_cap"), state: verdict.state, paused: null };
  const paused = {
    reason: "reply_cap",
    limit: cap.limit,
    windowMinutes: cap.windowMinutes,
    action: cap.action,
    until: cap.action === "quiet" ? new Date(now.getTime() + cap.windowMinutes * 60_000).toISOString() : null,
  };
  const note = `The bot sent ${cap.limit} automatic replies within ${cap.windowMinutes} minutes.`;
  const effects =
    cap.action === "handoff" && !decided.handoff
      ? { ...decided, handoff: { ruleId: null, assigneeId: null, note, by: "policy" as const } }
      : decided;
  return { ...silence("reply_cap", effects), state: verdict.state, paused };
}

/**
 * Everything a batch decided besides its replies and the conversations' state, as CTEs for the
 * statement that queues the replies (`queueOutbound`'s `also`): the rules that fired, the
 * evaluation counts, the events, and the inbound messages marked processed.
 */
function decisionRecords(batch: {
  hits: { ruleId: string; version: number; messageId: string }[];
  evaluations: { ruleId: string; version: number; evaluations: number; matches: number }[];
  events: TEventInput[];
  processed: { id: string; noReplyReason: TNoReplyReason | null }[];
  /** The notes of the batch's hand-offs, for the agent (server/conversations/state.ts). */
  handoffNotes: { threadId: string; body: string }[];
  at: Date;
  /** What flows recorded (runs, trace), as CTEs (server/flows/engine.ts). */
  flows: SQL | null;
  /** The satisfaction surveys answered or ended (server/teams/survey.ts), as a CTE. */
  surveys: SQL | null;
}) {
  const eventRows = batch.events.map((event, ord) => ({ ord, ...event, payload: event.payload ?? {} }));
  return sql`
    hits as (
      insert into ${ruleHits} (rule_id, version, message_id, thread_id, matched)
      select "ruleId", version, "messageId", "threadId", true
      from ${jsonRecordset(batch.hits, `"ruleId" uuid, version int, "messageId" uuid, "threadId" uuid`)} h
    ), counted as (
      insert into ${ruleEvaluations} (rule_id, version, evaluations, matches)
      select "ruleId", version, evaluations, matches
      from ${jsonRecordset(batch.evaluations, `"ruleId" uuid, version int, evaluations int, matches int`)} e
    ), decided_events as (
      insert into ${events} (type, session_id, contact_id, thread_id, message_id, payload)
      select type, "sessionId", "contactId", "threadId", "messageId", payload
      from ${jsonRecordset(eventRows, `ord int, type text, "sessionId" uuid, "contactId" uuid, "threadId" uuid, "messageId" uuid, payload jsonb`)} v
      order by ord
    ), processed as (
      update ${messages} m set processed_at = now(), no_reply_reason = p."noReplyReason"
      from ${jsonRecordset(batch.processed, `id uuid, "noReplyReason" text`)} p
      -- By primary key: the ids as an array, or the planner may scan.
      where m.id = any(${pgArray(
        batch.processed.map((message) => message.id),
        "uuid",
      )}) and m.id = p.id
    )${batch.handoffNotes.length > 0 ? sql`, handoff_notes as (${handoffNotesInsert(batch.handoffNotes, batch.at)})` : sql``}${
      batch.flows ? sql`, ${batch.flows}` : sql``
    }${batch.surveys ? sql`, ${batch.surveys}` : sql``}`;
}

type TContactChange = {
  tags: string[];
  profileId?: string;
  relationship?: string;
  optedOut?: boolean;
  /** When the contact opted out (the message's time), for a contact not opted out before. */
  optedOutAt?: Date;
  fields?: Record<string, string | number | boolean | null>;
};

/** Folds one message's contact effects into the batch's pending change, or null if it changes nothing. */
function mergeContactChange(current: TContactChange, effects: TActionEffects): TContactChange | null {
  const { tags } = effects;
  const fields = Object.keys(effects.fields).length > 0;
  if (
    tags.add.length + tags.remove.length === 0 &&
    !effects.profileId &&
    !effects.relationship &&
    !effects.optOut &&
    !fields
  ) {
    return null;
  }
  return {
    ...current,
    ...(fields ? { fields: { ...current.fields, ...effects.fields } } : {}),
    tags: [...new Set([...current.tags, ...tags.add])].filter((tag) => !tags.remove.includes(tag)),
    ...(effects.profileId ? { profileId: effects.profileId } : {}),
    ...(effects.relationship ? { relationship: effects.relationship } : {}),
    ...(effects.optOut ? { optedOut: true } : {}),
  };
}

function describe(effects: TActionEffects) {
  return {
    ...(effects.tags.add.length > 0 ? { tagged: effects.tags.add } : {}),
    ...(effects.tags.remove.length > 0 ? { untagged: effects.tags.remove } : {}),
    ...(effects.profileId ? { profileId: effects.profileId } : {}),
    ...(effects.relationship ? { relationship: effects.relationship } : {}),
    ...(effects.optOut ? { optedOut: true } : {}),
    ...(Object.keys(effects.fields).length > 0 ? { fields: effects.fields } : {}),
  };
}

/**
 * A message a flow took, as a decision: its replies, AI replies, tags, fields and hand-off as
 * a rule's would be (the same reply policy applies), and no rule evaluated.
 */
function flowDecision(turn: TFlowTurn, learned: TLearnedContext) {
  const effects = planActions({ outcomes: [], actions: [], matchedAny: true }, { template: {}, defaultReply: null });
  appendFlowEffects(effects, turn);
  return {
    effects,
    outcomes: [] as { ruleId: string; name: string; skipped: string | null; matched: boolean }[],
    version: null,
    learned: { topics: learned.topics, sentimentScore: learned.sentimentScore, sentiment: learned.sentiment },
    optedOut: false,
  };
}

/** Adds what a flow's move does to a message's effects (after a rule's, for its "start flow"). */
function appendFlowEffects(effects: TActionEffects, turn: TFlowTurn) {
  const moved = turn.effects;
  for (const reply of moved.replies)
    effects.replies.push({
      body: reply.body,
      ...(reply.content ? { content: reply.content } : {}),
      source: "flow",
      ruleId: null,
    });
  for (const ai of moved.aiReplies) effects.aiReplies.push({ ruleId: null, profileId: ai.profileId });
  for (const tag of moved.tags.add) if (!effects.tags.add.includes(tag)) effects.tags.add.push(tag);
  for (const tag of moved.tags.remove) if (!effects.tags.remove.includes(tag)) effects.tags.remove.push(tag);
  Object.assign(effects.fields, moved.fields);
  if (moved.handoff && !effects.handoff) {
    effects.handoff = {
      ruleId: null,
      assigneeId: moved.handoff.assigneeId,
      teamId: moved.handoff.teamId,
      note: handoffNoteOf(moved.handoff.note, moved.handoff.variables),
      by: "flow",
      flow: { flowId: moved.handoff.flowId, runId: moved.handoff.runId, variables: moved.handoff.variables },
    };
  }
}
