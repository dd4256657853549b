import { and, desc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb, TTx } from "~/db/client";
import { contacts, messages, teams, threads } from "~/db/schema";
import { fieldCoercer, fieldsPatched } from "~/server/contacts/fields";
import { AppError } from "~/server/errors";
import { recordEvents } from "~/server/events/events";
import { enqueueMany } from "~/server/jobs/boss";
import type { TFlowJob } from "~/server/jobs/queues";
import { loadFlowCatalogue } from "~/server/flows/catalogue";
import { FlowTurns, writeFlowRecords, type TFlowTurn } from "~/server/flows/engine";
import { handoffNoteOf } from "~/server/flows/handoff";
import type { TFlowContext } from "~/server/flows/run";
import { readFlowState, type TFlowState } from "~/server/flows/state";
import { templateValues } from "~/server/rules/templates";
import { getOrgSettings } from "~/server/settings/settings";
import { queueOutbound } from "./outbound";
import { botHandoffEvent, recordHandoffNote, SLA_CLOCKS_CLEARED, slaClocksForTeam } from "./state";
import { queueTeamHandoffs } from "./team-queue";

/**
 * A conversation's flow moved by something other than a message (those are `message.process`'s):
 * the deadline of a wait, the answer of an HTTP step, the API starting a flow, a person handing
 * the conversation back. The conversation's rows are locked in ingest's order (contact, then
 * thread), the state is checked (a job whose run or token is not the current one does nothing:
 * at most once in effect, however often pg-boss runs it), the flow moves, and its replies, tags,
 * fields, hand-off, state, trace and next job are written in one transaction.
 */

type TLocked = {
  threadId: string;
  contactId: string;
  sessionId: string;
  mode: "bot" | "human" | "closed";
  flow: TFlowState | null;
  contact: {
    name: string | null;
    waId: string;
    relationship: string;
    priority: number;
    tags: string[];
    optedOut: boolean;
    blocked: boolean;
    fields: Record<string, string | number | boolean | null>;
  };
};

async function lockConversation(tx: TTx, threadId: string): Promise<TLocked | null> {
  const [owner] = await tx.select({ contactId: threads.contactId }).from(threads).where(eq(threads.id, threadId));
  if (!owner) return null;
  const [contact] = await tx.select().from(contacts).where(eq(contacts.id, owner.contactId)).for("no key update");
  const [thread] = await tx.select().from(threads).where(eq(threads.id, threadId)).for("update");
  if (!contact || !thread) return null;
  return {
    threadId,
    contactId: contact.id,
    sessionId: contact.sessionId,
    mode: thread.mode,
    flow: readFlowState(thread.flow),
    contact: {
      name: contact.name,
      waId: contact.waId,
      relationship: contact.relationship,
      priority: contact.priority,
      tags: contact.tags,
      optedOut: contact.optedOut,
      blocked: contact.blocked,
      fields: contact.fields,
    },
  };
}

type TMove = (turns: FlowTurns, locked: TLocked, context: TFlowContext) => TFlowTurn | null;

/** Locks the conversation, moves its flow with `move`, writes everything. Returns the turn (null: nothing moved). */
async function moveLocked(tx: TTx, boss: PgBoss, threadId: string, move: TMove): Promise<TFlowTurn | null> {
  const locked = await lockConversation(tx, threadId);
  if (!locked) return null;
  const settings = await getOrgSettings(tx);
  const catalogue = await loadFlowCatalogue(
    tx,
    locked.flow ? [{ flowId: locked.flow.flowId, version: locked.flow.version }] : [],
  );
  const [latest] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")))
    .orderBy(desc(messages.seq))
    .limit(1);
  const now = new Date();
  const context: TFlowContext = {
    now,
    timeZone: settings.timeZone,
    defaultCountry: settings.defaultCountry,
    // No message moved it: the contact's facts only.
    facts: {
      "contact.name": locked.contact.name,
      "contact.relationship": locked.contact.relationship,
      "contact.priority": locked.contact.priority,
      "contact.tags": locked.contact.tags,
      "contact.optedOut": locked.contact.optedOut,
      "thread.mode": locked.mode,
    },
    fields: locked.contact.fields,
    template: templateValues(
      { name: locked.contact.name, phone: locked.contact.waId, relationship: locked.contact.relationship },
      null,
    ),
    coerceField: fieldCoercer(catalogue.fields),
    assets: new Map(),
    messageId: latest?.id ?? null,
  };
  const turns = new FlowTurns(catalogue, settings.flowEscape);
  const turn = move(turns, locked, context);
  if (!turn) return null;
  const { effects } = turn;
  // Blocked: nothing is said to them; opted out: nothing unless Settings say to answer them.
  const silent = locked.contact.blocked || (locked.contact.optedOut && !settings.answerOptedOut);
  const ids = { sessionId: locked.sessionId, contactId: locked.contactId, threadId };
  const handoff = effects.handoff;
  const tags = [...new Set([...locked.contact.tags, ...effects.tags.add])].filter(
    (tag) => !effects.tags.remove.includes(tag),
  );
  const fieldsChanged = Object.keys(effects.fields).length > 0;
  if (fieldsChanged || effects.tags.add.length + effects.tags.remove.length > 0) {
    await tx
      .update(contacts)
      .set({
        tags,
        ...(fieldsChanged ? { fields: fieldsPatched(effects.fields) } : {}),
        updatedAt: now,
      })
      .where(eq(contacts.id, locked.contactId));
    await recordEvents(tx, [
      {
        type: "contact.updated",
        ...ids,
        payload: {
          by: "flow",
          changes: {
            ...(effects.tags.add.length > 0 ? { tagged: effects.tags.add } : {}),
            ...(effects.tags.remove.length > 0 ? { untagged: effects.tags.remove } : {}),
            ...(fieldsChanged ? { fields: effects.fields } : {}),
          },
        },
      },
    ]);
  }
  await tx
    .update(threads)
    .set({
      flow: turn.state,
      ...(handoff
        ? {
            mode: "human" as const,
            assignedUserId: handoff.assigneeId,
            // A team deleted since the flow was published: the shared queue.
            teamId: handoff.teamId
              ? sql`(select ${teams.id} from ${teams} where ${teams.id} = ${handoff.teamId})`
              : null,
            handoffAt: now,
            ...(handoff.teamId ? slaClocksForTeam(handoff.teamId, now) : SLA_CLOCKS_CLEARED),
            humanActiveAt: now,
          }
        : {}),
      updatedAt: now,
    })
    .where(eq(threads.id, threadId));
  if (handoff?.teamId) await queueTeamHandoffs(tx, boss, [{ threadId, teamId: handoff.teamId, at: now }]);
  if (handoff) {
    await recordHandoffNote(tx, threadId, handoffNoteOf(handoff.note, handoff.variables), now);
    await recordEvents(
      tx,
      [
        botHandoffEvent(ids, context.messageId ?? "", {
          ruleId: null,
          assigneeId: handoff.assigneeId,
          teamId: handoff.teamId,
          note: handoffNoteOf(handoff.note, handoff.variables),
          by: "flow",
          flow: { flowId: handoff.flowId, runId: handoff.runId, variables: handoff.variables },
        }),
      ].map((event) => (context.messageId ? event : { ...event, messageId: null })),
    );
  }
  if (!silent) {
    await queueOutbound(
      tx,
      boss,
      effects.replies.map((reply) => ({
        ...ids,
        body: reply.body,
        ...(reply.content ? { content: reply.content } : {}),
        source: "flow" as const,
      })),
    );
    await enqueueMany(
      boss,
      "ai.reply",
      effects.aiReplies.map((ai) => ({
        messageId: ai.messageId,
        ruleId: null,
        ruleVersion: null,
        profileId: ai.profileId,
      })),
      { tx },
    );
  }
  await writeFlowRecords(tx, boss, turns.writes);
  return turn;
}

/**
 * The deadline of a flow's wait (`flow.deadline`): moves the flow if it still stands on that
 * wait (same run, same token, not paused, the bot's conversation). Returns whether it moved.
 */
export async function runFlowDeadline(
  db: TDb,
  boss: PgBoss,
  job: TFlowJob,
  hooks: { beforeCommit?: () => Promise<void> } = {},
): Promise<boolean> {
  return moveOnEvent(db, boss, job, { kind: "deadline" }, hooks);
}

/**
 * A released conversation's flow goes on (`flow.resume`, queued by the release): the question
 * asked again, a wait's deadline or an HTTP request scheduled again. Nothing if the flow moved
 * since (the contact answered first), was paused again or ended. Returns whether it moved.
 */
export async function runFlowResume(db: TDb, boss: PgBoss, job: TFlowJob): Promise<boolean> {
  return moveOnEvent(db, boss, job, { kind: "resume" });
}

/** Moves the flow on `input` when the job is still the current one (run and token), not paused, and the bot's. */
async function moveOnEvent(
  db: TDb,
  boss: PgBoss,
  job: TFlowJob,
  input: { kind: "deadline" } | { kind: "resume" } | ({ kind: "http" } & TFlowResponse),
  hooks: { beforeCommit?: () => Promise<void> } = {},
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const turn = await moveLocked(tx, boss, job.threadId, (turns, locked, context) => {
      const state = locked.flow;
      if (!state || state.runId !== job.runId || state.token !== job.token || state.paused) return null;
      if (locked.mode !== "bot") return null;
      if (input.kind === "http" && state.wait !== "http") return null;
      return turns.onEvent(locked, state, input, context);
    });
    await hooks.beforeCommit?.();
    return turn !== null;
  });
}

type TFlowResponse = { status: number; body: unknown; error: string | null };

/**
 * The state an HTTP step's job reads before calling (outside any transaction: the call may take
 * seconds): null when the flow no longer stands on that request.
 */
export async function readFlowForRequest(
  db: TDb,
  job: TFlowJob,
): Promise<{ state: TFlowState; contactId: string } | null> {
  const [row] = await db
    .select({ flow: threads.flow, contactId: threads.contactId })
    .from(threads)
    .where(eq(threads.id, job.threadId));
  const state = readFlowState(row?.flow);
  if (!row || !state || state.runId !== job.runId || state.token !== job.token || state.wait !== "http") return null;
  return { state, contactId: row.contactId };
}

/**
 * The answer of an HTTP step (`flow.http`), once called: moves the flow if it still waits for
 * it. Taken over while the request was out: the answer is dropped (the bot does not speak in a
 * person's conversation), and releasing it makes the request again.
 */
export async function recordFlowResponse(
  db: TDb,
  boss: PgBoss,
  job: TFlowJob,
  response: TFlowResponse,
): Promise<boolean> {
  return moveOnEvent(db, boss, job, { kind: "http", ...response });
}

/**
 * Starts a published flow in a conversation (the REST API), ending the one running there. The
 * conversation must be the bot's (a person's is theirs until released); refused with a clear
 * error when it does not exist or the flow is not published and enabled.
 */
export async function startFlowInConversation(
  db: TDb,
  boss: PgBoss,
  input: { threadId: string; flowId: string; variables?: Record<string, string | number | boolean | null> },
): Promise<{ runId: string; flowId: string; version: number; stepId: string | null; ended: boolean }> {
  return db.transaction(async (tx) => {
    const found: { started?: { runId: string; version: number }; refusal?: AppError } = {};
    const turn = await moveLocked(tx, boss, input.threadId, (turns, locked, context) => {
      if (locked.mode === "human") {
        found.refusal = new AppError(
          "CONFLICT",
          "A person has this conversation: give it back to the bot before starting a flow.",
        );
        return null;
      }
      const moved = turns.startById(locked, locked.flow, input.flowId, "api", context, input.variables ?? {});
      if (!moved) {
        found.refusal = new AppError("NOT_FOUND", "No published, enabled flow has this id.");
        return null;
      }
      const run = turns.writes.runsStarted.find((entry) => entry.flowId === input.flowId);
      if (run) found.started = { runId: run.id, version: run.version };
      return moved;
    });
    if (found.refusal) throw found.refusal;
    if (!turn || !found.started) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
    const { runId, version } = found.started;
    return { runId, flowId: input.flowId, version, stepId: turn.state?.stepId ?? null, ended: turn.state === null };
  });
}
