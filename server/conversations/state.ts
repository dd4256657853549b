import { and, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TTx } from "~/db/client";
import { auditLog, contacts, events, messages, notifications, teams, threadNotes, threads, users } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { canAccess, type TSessionUser } from "~/server/auth/roles";
import { serverText } from "~/server/i18n/domain";
import { AppError } from "~/server/errors";
import { recordEvents, type TEventInput } from "~/server/events/events";
import { enqueue, enqueueMany, enqueueSends } from "~/server/jobs/boss";
import { jsonRecordset, pgArray } from "~/server/lib/sql";
import { endFlowRun } from "~/server/flows/runs";
import { readFlowState, type TFlowState } from "~/server/flows/state";
import { createNotifications, NOTIFICATIONS_CHANNEL } from "~/server/notifications/notifications";
import { queueAssignmentForMembers } from "./team-queue";
import { sendSurveyOnClose } from "~/server/teams/survey";

/**
 * The conversations module: THE one place that changes a conversation's state (`threads`: mode
 * bot / human / closed, owner, waiting since, hand-off time, the idle handback's clock, closed
 * at, the bot's pause, last activity). Staff transitions (take over, assign, release, close,
 * reopen) each run in one transaction that locks the thread row first, so two agents taking
 * over at the same moment are serialised by Postgres: the first wins, the second finds the
 * thread taken and is told by whom. Every transition writes its event (live views, webhooks)
 * and, when a person or another system made it, its audit entry, here and only here. The hot
 * path (ingest, `message.process`) writes the same columns through the SQL fragments at the
 * end of this file, so one statement does it all. Outbound messages: ./outbound.ts.
 * tests/unit/ownership-of-state.test.ts fails if another module writes these columns.
 */

type TThreadRow = typeof threads.$inferSelect & { sessionId: string };

/**
 * The SLA clocks of a hand-off with no team's promise (the shared queue, a person taking it):
 * no due times, no first reply by a person yet, nothing breached. Every way into human mode
 * resets them (`slaClocksForTeam` for a team's hand-off), so a due time of an earlier hand-off
 * never fires against a later one; server/teams/sla.ts sweeps them.
 */
export const SLA_CLOCKS_CLEARED = {
  firstHumanReplyAt: null,
  slaFirstResponseDueAt: null,
  slaResolutionDueAt: null,
  slaFirstResponseBreachedAt: null,
  slaResolutionBreachedAt: null,
} as const;

/** The SLA clocks of a hand-off to `teamId` at `at`: due at `at` plus the team's targets (none: null). */
export function slaClocksForTeam(teamId: string, at: Date) {
  const due = (minutes: SQL) =>
    sql`${at.toISOString()}::timestamptz + (select ${minutes} from ${teams} where ${teams.id} = ${teamId}) * interval '1 minute'`;
  return {
    ...SLA_CLOCKS_CLEARED,
    slaFirstResponseDueAt: due(sql`${teams.slaFirstResponseMinutes}`),
    slaResolutionDueAt: due(sql`${teams.slaResolutionMinutes}`),
  };
}

/**
 * The thread's row, locked, with its contact's session. `update` for ownership changes (this
 * module's); `no key update` for staff's bookkeeping on it (snooze, priority, labels: server/inbox/work.ts).
 */
export async function lockThread(
  tx: TTx,
  threadId: string,
  strength: "update" | "no key update" = "update",
): Promise<TThreadRow> {
  const [row] = await tx
    .select({ thread: threads, sessionId: contacts.sessionId })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(threads.id, threadId))
    .for(strength, { of: threads });
  if (!row) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  return { ...row.thread, sessionId: row.sessionId };
}

async function nameOf(tx: TTx, userId: string | null): Promise<string> {
  if (!userId) return "someone";
  const [user] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return user?.name ?? "someone";
}

function eventFor(thread: TThreadRow, type: TEventInput["type"], payload: Record<string, unknown>): TEventInput {
  return { type, sessionId: thread.sessionId, contactId: thread.contactId, threadId: thread.id, payload };
}

async function record(
  tx: TTx,
  actor: TActor,
  thread: TThreadRow,
  after: Partial<typeof threads.$inferSelect>,
  event: TEventInput,
) {
  await recordEvents(tx, [event]);
  await recordAudit(tx, actor, {
    action: event.type.replace("thread.", ""),
    entity: "thread",
    entityId: thread.id,
    before: { mode: thread.mode, assignedUserId: thread.assignedUserId },
    after: { mode: after.mode ?? thread.mode, assignedUserId: after.assignedUserId ?? null },
  });
}

export type TOwnership = { threadId: string; mode: "bot" | "human" | "closed"; assignedUserId: string | null };

type TThreadChange = Partial<typeof threads.$inferInsert> & {
  mode: "bot" | "human" | "closed";
  assignedUserId: string | null;
};

/**
 * Writes an ownership change of a locked thread, its event and its audit entry. With `boss`, a
 * change that frees a person's capacity (their conversation closed, released or given to
 * another) queues assignment for their teams.
 */
async function applyChange(
  tx: TTx,
  actor: TActor,
  thread: TThreadRow,
  after: TThreadChange,
  type: TEventInput["type"],
  payload: Record<string, unknown>,
  boss?: PgBoss,
): Promise<TOwnership> {
  const flow = await flowAfter(tx, thread, after.mode);
  await tx
    .update(threads)
    .set({ ...after, ...(flow !== undefined ? { flow } : {}), updatedAt: after.updatedAt ?? new Date() })
    .where(eq(threads.id, thread.id));
  const freed = thread.mode === "human" && thread.assignedUserId !== null;
  if (boss && freed && (after.mode !== "human" || after.assignedUserId !== thread.assignedUserId)) {
    await queueAssignmentForMembers(tx, boss, [thread.assignedUserId!]);
  }
  const resumed = flow && !flow.paused && readFlowState(thread.flow)?.paused ? flow : null;
  if (resumed) {
    // Released with a paused flow: `flow.resume` moves it on, after this commits.
    if (!boss) throw new Error("Giving a conversation back to the bot needs the job queue (its flow resumes).");
    await enqueue(
      boss,
      "flow.resume",
      { threadId: thread.id, runId: resumed.runId, token: resumed.token },
      { tx, singletonKey: `${resumed.runId}:${resumed.token}` },
    );
  }
  await record(tx, actor, thread, after, eventFor(thread, type, payload));
  // Closed by people: the team's satisfaction survey, if it has one (server/teams/survey.ts).
  if (boss && after.mode === "closed" && thread.mode !== "closed") await sendSurveyOnClose(tx, boss, thread);
  return { threadId: thread.id, mode: after.mode, assignedUserId: after.assignedUserId };
}

/**
 * The conversation's flow after an ownership change (undefined: unchanged). A person taking it
 * pauses the flow where it stands (nothing it waits for moves it: its jobs find it paused);
 * giving it back to the bot unpauses it with a new token (the jobs of before the pause do
 * nothing) and the caller queues `flow.resume`, which goes on where it stood: the question is
 * asked again (its timeout counted from then), a wait keeps its deadline, an HTTP request is
 * made again. Closing it ends the run.
 */
async function flowAfter(
  tx: TTx,
  thread: Pick<TThreadRow, "flow">,
  mode: "bot" | "human" | "closed",
): Promise<TFlowState | null | undefined> {
  const state = readFlowState(thread.flow);
  if (!state) return undefined;
  if (mode === "human") return state.paused ? undefined : { ...state, paused: true };
  if (mode === "bot") return state.paused ? { ...state, paused: false, token: state.token + 1 } : undefined;
  await endFlowRun(tx, state.runId, "stopped");
  return null;
}

/**
 * Takes the thread over for `user`: the bot goes silent and the thread is theirs. Idempotent for
 * its owner; refused, naming the owner, when another person holds it.
 */
export async function takeOver(db: TDb, user: TSessionUser, threadId: string): Promise<TOwnership> {
  return db.transaction(async (tx) => takeOverIn(tx, user, threadId));
}

/** `takeOver` inside a caller's transaction (a reply to a bot thread takes it over first). */
export async function takeOverIn(tx: TTx, user: TSessionUser, threadId: string): Promise<TOwnership> {
  const thread = await lockThread(tx, threadId);
  if (thread.mode === "human" && thread.assignedUserId === user.id) {
    return { threadId, mode: "human", assignedUserId: user.id };
  }
  if (thread.mode === "human" && thread.assignedUserId !== null) {
    const owner = await nameOf(tx, thread.assignedUserId);
    throw new AppError("CONFLICT", serverText("conversations.takenOver", { owner }));
  }
  return giveTo(tx, user, thread, user.id, { takeover: true });
}

/**
 * The thread becomes `assigneeId`'s (human mode), recorded as `thread.assigned`; given by
 * someone else, the assignee is notified (`assigned`) in the same transaction.
 */
async function giveTo(
  tx: TTx,
  actor: TSessionUser,
  thread: TThreadRow,
  assigneeId: string,
  extra: Record<string, unknown> = {},
  boss?: PgBoss,
) {
  await createNotifications(tx, [{ userId: assigneeId, kind: "assigned", threadId: thread.id, actorUserId: actor.id }]);
  const now = new Date();
  const after = {
    mode: "human" as const,
    assignedUserId: assigneeId,
    handoffAt: thread.mode === "human" ? thread.handoffAt : now,
    // Taken from the bot by a person: no team's promise runs.
    ...(thread.mode === "human" ? {} : SLA_CLOCKS_CLEARED),
    humanActiveAt: now,
    closedAt: null,
    updatedAt: now,
  };
  return applyChange(
    tx,
    actor,
    thread,
    after,
    "thread.assigned",
    { by: actor.id, assigneeId, from: thread.mode, ...extra },
    boss,
  );
}

/**
 * Auto-assignment's transition (server/conversations/assignment.ts): each waiting conversation
 * of team `teamId` in `picks` becomes its picked member's, recorded like a person's assignment
 * (`thread.assigned`, an audit entry without a person) with `by: "policy"`. One statement for all
 * of them, written only where the conversation is still the team's, human and unassigned (the
 * others are left out, nothing recorded), so one an agent took meanwhile keeps its owner and two
 * runs never both assign it. Returns the assignments made, in `picks`' order.
 */
export async function assignByPolicy(
  tx: TTx,
  teamId: string,
  picks: readonly { threadId: string; userId: string }[],
  mode: "round_robin" | "fewest_open",
  now = new Date(),
): Promise<{ threadId: string; userId: string }[]> {
  if (picks.length === 0) return [];
  // The update, its events and its audit entries in one statement (one round trip under the team's lock).
  const { rows } = await tx.execute<{ id: string }>(sql`
    with p as (
      select unnest(${pgArray(
        picks.map((pick) => pick.threadId),
        "uuid",
      )}) as thread_id, unnest(${pgArray(
        picks.map((pick) => pick.userId),
        "uuid",
      )}) as user_id),
    done as (
      update ${threads} t
      set mode = 'human', assigned_user_id = p.user_id, human_active_at = ${now}, updated_at = ${now}
      from p, ${contacts} c
      where t.id = p.thread_id and c.id = t.contact_id and t.team_id = ${teamId}
        and t.mode = 'human' and t.assigned_user_id is null
      returning t.id, t.contact_id, c.session_id, p.user_id),
    recorded as (
      insert into ${events} (type, session_id, contact_id, thread_id, payload)
      select 'thread.assigned', session_id, contact_id, id, jsonb_build_object(
        'by', 'policy', 'assigneeId', user_id, 'from', 'human', 'teamId', ${teamId}::uuid, 'assignment', ${mode}::text)
      from done),
    audited as (
      insert into ${auditLog} (action, entity, entity_id, before, after)
      select 'assigned', 'thread', id::text, '{"mode":"human","assignedUserId":null}'::jsonb,
        jsonb_build_object('mode', 'human', 'assignedUserId', user_id)
      from done),
    -- Each assignee hears of it (the bell; live through NOTIFICATIONS_CHANNEL at commit).
    notified as (
      insert into ${notifications} (user_id, kind, thread_id)
      select user_id, 'assigned', id from done
      returning id, user_id, thread_id)
    select d.id, n.sent from done d left join (
      select thread_id, pg_notify(${NOTIFICATIONS_CHANNEL},
        json_build_object('id', id, 'userId', user_id, 'threadId', thread_id)::text) is not null as sent
      from notified) n on n.thread_id = d.id`);
  const done = new Set(rows.map((row) => row.id));
  const assigned = picks.filter((pick) => done.has(pick.threadId));
  return assigned;
}

export const ZAssignInput = z.object({ threadId: z.uuid(), userId: z.uuid() });

/** Gives the thread to another person (who must be able to answer in the inbox). */
export async function assignThread(db: TDb, actor: TSessionUser, input: z.infer<typeof ZAssignInput>, boss?: PgBoss) {
  return db.transaction(async (tx) => {
    const [assignee] = await tx
      .select({ id: users.id, role: users.role, disabled: users.disabled })
      .from(users)
      .where(eq(users.id, input.userId));
    if (!assignee || assignee.disabled || !canAccess(assignee.role, "inbox", "write")) {
      throw new AppError("BAD_REQUEST", "That person cannot answer conversations.", {
        userId: "Choose an enabled admin, builder or agent",
      });
    }
    const thread = await lockThread(tx, input.threadId);
    if (thread.mode === "human" && thread.assignedUserId === input.userId) {
      return { threadId: thread.id, mode: "human" as const, assignedUserId: input.userId };
    }
    return giveTo(tx, actor, thread, input.userId, {}, boss);
  });
}

/** Whether `user` may change a thread another person owns (admins and builders may; agents not). */
function mayOverride(user: TSessionUser): boolean {
  return user.role === "admin" || user.role === "builder";
}

function assertMayChange(user: TSessionUser, thread: TThreadRow, owner: string) {
  if (thread.mode === "human" && thread.assignedUserId && thread.assignedUserId !== user.id && !mayOverride(user)) {
    throw new AppError("FORBIDDEN", serverText("conversations.ownedBy", { owner }));
  }
}

/** Gives the thread back to the bot: the next message from the contact gets a bot reply (its owner's teams may assign more). */
export async function releaseThread(db: TDb, boss: PgBoss, user: TSessionUser, threadId: string): Promise<TOwnership> {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.mode === "bot") return { threadId, mode: "bot", assignedUserId: null };
    assertMayChange(user, thread, await nameOf(tx, thread.assignedUserId));
    const after = { mode: "bot" as const, assignedUserId: null, humanActiveAt: null, updatedAt: new Date() };
    return applyChange(
      tx,
      user,
      thread,
      after,
      "thread.released",
      { by: user.id, from: thread.mode, previousAssigneeId: thread.assignedUserId },
      boss,
    );
  });
}

/** Closes the thread; it reopens with the bot when the contact writes again (its owner's teams may assign more). */
export async function closeThread(db: TDb, boss: PgBoss, user: TSessionUser, threadId: string): Promise<TOwnership> {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.mode === "closed") return { threadId, mode: "closed", assignedUserId: null };
    assertMayChange(user, thread, await nameOf(tx, thread.assignedUserId));
    const now = new Date();
    const after = {
      mode: "closed" as const,
      assignedUserId: null,
      humanActiveAt: null,
      awaitingSince: null,
      closedAt: now,
      updatedAt: now,
    };
    return applyChange(tx, user, thread, after, "thread.closed", { by: user.id, from: thread.mode }, boss);
  });
}

/** Reopens a closed thread with the bot. */
export async function reopenThread(db: TDb, user: TSessionUser, threadId: string): Promise<TOwnership> {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.mode !== "closed") {
      return { threadId, mode: thread.mode, assignedUserId: thread.assignedUserId };
    }
    const after = { mode: "bot" as const, assignedUserId: null, closedAt: null, updatedAt: new Date() };
    return applyChange(tx, user, thread, after, "thread.reopened", { by: user.id });
  });
}

/**
 * The idle handback (Settings): human threads where no person took, was given or replied for
 * `idleMinutes` go back to the bot, each with a note saying so. `now` is a parameter so tests
 * control the clock. Returns the threads handed back.
 */
export async function handBackIdleThreads(
  db: TDb,
  boss: PgBoss,
  idleMinutes: number,
  now = new Date(),
): Promise<string[]> {
  const cutoff = new Date(now.getTime() - idleMinutes * 60_000);
  return db.transaction(async (tx) => {
    // Locked and skipped when busy: an agent acting on a thread right now wins over the policy.
    const idle = await tx
      .select({ thread: threads, sessionId: contacts.sessionId })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(
        and(
          eq(threads.mode, "human"),
          lt(sql`coalesce(${threads.humanActiveAt}, ${threads.handoffAt}, ${threads.updatedAt})`, cutoff),
        ),
      )
      .limit(500)
      .for("update", { of: threads, skipLocked: true });
    if (idle.length === 0) return [];
    const ids = idle.map((row) => row.thread.id);
    await tx
      .update(threads)
      .set({
        mode: "bot",
        assignedUserId: null,
        humanActiveAt: null,
        // A paused flow resumes, as on any release (see flowAfter).
        flow: sql`case when ${threads.flow}->>'paused' = 'true'
          then ${threads.flow} || jsonb_build_object('paused', false, 'token', (${threads.flow}->>'token')::int + 1)
          else ${threads.flow} end`,
        updatedAt: now,
      })
      .where(inArray(threads.id, ids));
    const resumed = idle.flatMap(({ thread }) => {
      const state = readFlowState(thread.flow);
      return state?.paused ? [{ threadId: thread.id, runId: state.runId, token: state.token + 1 }] : [];
    });
    await enqueueMany(boss, "flow.resume", resumed, { tx });
    await queueAssignmentForMembers(
      tx,
      boss,
      idle.flatMap(({ thread }) => (thread.assignedUserId ? [thread.assignedUserId] : [])),
    );
    const note = `Returned to the bot after ${idleMinutes} minutes without a reply from a person.`;
    await tx.insert(threadNotes).values(ids.map((threadId) => ({ threadId, body: note, createdAt: now })));
    await recordEvents(
      tx,
      idle.map(({ thread, sessionId }) =>
        eventFor({ ...thread, sessionId }, "thread.released", {
          by: "policy",
          from: "human",
          previousAssigneeId: thread.assignedUserId,
          note,
        }),
      ),
    );
    return ids;
  });
}

/** Another system (the REST API) acting on a thread: recorded as `by: "api"` with its key. */
export type TApiActor = { apiKeyId: string; actor: TActor };

/** Hands the thread to the people (unassigned, "needs a human"), as a rule's hand-off does. */
export async function handOffThreadByApi(db: TDb, by: TApiActor, threadId: string, note: string | null) {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.mode === "human") return { threadId, mode: "human" as const, assignedUserId: thread.assignedUserId };
    const now = new Date();
    const after = {
      mode: "human" as const,
      assignedUserId: null,
      // The shared queue ("needs a human"), not the team of an earlier hand-off.
      teamId: null,
      handoffAt: now,
      ...SLA_CLOCKS_CLEARED,
      humanActiveAt: now,
      closedAt: null,
      updatedAt: now,
    };
    await recordHandoffNote(tx, thread.id, note, now);
    return applyChange(tx, by.actor, thread, after, "thread.handoff", {
      by: "api",
      apiKeyId: by.apiKeyId,
      note,
      from: thread.mode,
    });
  });
}

/** Gives the thread back to the bot, whoever holds it (the API acts for the business). */
export async function releaseThreadByApi(db: TDb, boss: PgBoss, by: TApiActor, threadId: string) {
  return db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (thread.mode === "bot") return { threadId, mode: "bot" as const, assignedUserId: null };
    const after = {
      mode: "bot" as const,
      assignedUserId: null,
      humanActiveAt: null,
      closedAt: null,
      updatedAt: new Date(),
    };
    return applyChange(
      tx,
      by.actor,
      thread,
      after,
      "thread.released",
      { by: "api", apiKeyId: by.apiKeyId, from: thread.mode, previousAssigneeId: thread.assignedUserId },
      boss,
    );
  });
}

/**
 * A person wrote from the linked phone itself: the conversation becomes the people's (human
 * mode, unassigned if nobody held it), recorded as `thread.handoff` by `phone`, so the bot never
 * talks over them. Nothing when it is the people's already.
 */
export async function handOffToPhone(
  tx: TTx,
  conversation: { id: string; mode: "bot" | "human" | "closed"; contactId: string; sessionId: string },
  messageId: string,
): Promise<void> {
  if (conversation.mode === "human") return;
  await handOffQuietly(tx, conversation, messageId, { by: "phone", from: conversation.mode });
}

/**
 * A hand-off to the shared queue decided outside a batch: a person on the linked phone (who is
 * answering, so nobody waits), or the AI finding nothing in the knowledge base to answer from
 * (the contact waits for a person; the question is the note). A running flow ends as a hand-off.
 * Nothing when the conversation is the people's already (read under the thread's lock).
 */
export async function handOffQuietly(
  tx: TTx,
  conversation: { id: string; contactId: string; sessionId: string },
  messageId: string,
  by: { by: "phone"; from: string } | { by: "ai"; reason: string; note: string },
): Promise<void> {
  const now = new Date();
  const [current] = await tx
    .select({ flow: threads.flow, mode: threads.mode })
    .from(threads)
    .where(eq(threads.id, conversation.id))
    .for("update");
  if (!current || current.mode === "human") return;
  const flow = await flowAfter(tx, current, "human");
  await tx
    .update(threads)
    .set({
      mode: "human",
      teamId: null,
      handoffAt: now,
      ...SLA_CLOCKS_CLEARED,
      humanActiveAt: now,
      ...(by.by === "phone" ? { awaitingSince: null } : {}),
      closedAt: null,
      ...(flow !== undefined ? { flow } : {}),
      updatedAt: now,
    })
    .where(eq(threads.id, conversation.id));
  if (by.by === "ai") await recordHandoffNote(tx, conversation.id, by.note, now);
  await recordEvents(tx, [
    {
      type: "thread.handoff",
      sessionId: conversation.sessionId,
      contactId: conversation.contactId,
      threadId: conversation.id,
      messageId,
      payload: by.by === "phone" ? by : { by: "ai", reason: by.reason, note: by.note, from: current.mode },
    },
  ]);
}

/** A hand-off decided by the bot: a rule's action, or the reply cap's `handoff` policy. */
export type TBotHandoff = {
  ruleId: string | null;
  assigneeId: string | null;
  /** The team whose queue it goes to (null: the shared queue). */
  teamId?: string | null;
  note: string | null;
  by?: "rule" | "policy" | "flow";
  /** A flow's hand-off step: the flow, its run and the variables it collected (shown to the agent). */
  flow?: { flowId: string; runId: string; variables: Record<string, unknown> };
};

/**
 * The notes of hand-offs the bot decided (a rule's note, a flow's note with what it collected,
 * the reply cap's reason), as the body of a CTE for the batch's statement: the agent who picks
 * the conversation up reads them in its notes (written by Switchboard, no author).
 */
export function handoffNotesInsert(notes: readonly { threadId: string; body: string }[], at: Date): SQL {
  return sql`
    insert into ${threadNotes} (thread_id, body, created_at)
    select "threadId", body, ${at.toISOString()}::timestamptz
    from ${jsonRecordset(notes, `"threadId" uuid, body text`)} n`;
}

/** The note a hand-off leaves in the conversation's notes: its text trimmed; null when there is none. */
export function handoffNoteBody(note: string | null | undefined): string | null {
  return note?.trim() || null;
}

/** A hand-off's note, outside the hot path (a flow moved by a job, the REST API). */
export async function recordHandoffNote(tx: TTx, threadId: string, note: string | null, at = new Date()) {
  const body = handoffNoteBody(note);
  if (body) await tx.insert(threadNotes).values({ threadId, body, createdAt: at });
}

/**
 * The `thread.handoff` event of a hand-off the bot decided (written with the batch's other
 * events, in their order); the thread's side is in `decidedThreadsUpdate`.
 */
export function botHandoffEvent(
  ids: { sessionId: string; contactId: string; threadId: string },
  messageId: string,
  handoff: TBotHandoff,
): TEventInput {
  return {
    type: "thread.handoff",
    ...ids,
    messageId,
    payload: {
      by: handoff.by ?? "rule",
      ...(handoff.by === "policy" ? { reason: "reply_cap" } : {}),
      ruleId: handoff.ruleId,
      assigneeId: handoff.assigneeId,
      ...(handoff.teamId ? { teamId: handoff.teamId } : {}),
      note: handoff.note,
      ...(handoff.flow ? { flow: handoff.flow } : {}),
    },
  };
}

/**
 * Ingest's side of conversations, for its one statement: opens the thread of each contact in
 * `contactRows` (a relation of `(id uuid, last_interaction_at timestamptz)`, in key order), or
 * updates it: last activity, waiting since the oldest unanswered message, and a closed
 * conversation reopens with the bot. Returns `(id, contact_id)` of the threads.
 */
export function inboundThreadsUpsert(contactRows: SQL): SQL {
  return sql`
    insert into ${threads} (contact_id, last_message_at, awaiting_since)
    select id, last_interaction_at, last_interaction_at from ${contactRows} order by id
    on conflict (contact_id) do update set
      last_message_at = excluded.last_message_at,
      -- The oldest unanswered message's time: kept while nobody has answered.
      awaiting_since = coalesce(${threads}.awaiting_since, excluded.awaiting_since),
      closed_at = null,
      -- A closed conversation reopens with the bot when the contact writes again.
      mode = case when ${threads}.mode = 'closed' then 'bot'::thread_mode else ${threads}.mode end,
      -- The contact wrote: a snoozed conversation wakes (its event: inboundWokeEvents).
      snoozed_at = null, snoozed_until = null,
      updated_at = now()
    returning id, contact_id`;
}

/**
 * The `thread.woke` events (reason `contact`) of the conversations `inboundThreadsUpsert` wakes,
 * as a sibling in ingest's statement: it reads `threads` as they were before the statement (every
 * part of one statement sees the same snapshot), so it finds exactly those that were snoozed.
 */
export function inboundWokeEvents(contactRows: SQL): SQL {
  return sql`
    insert into ${events} (type, session_id, contact_id, thread_id, payload)
    select 'thread.woke', c.session_id, t.contact_id, t.id, jsonb_build_object('reason', 'contact')
    from ${threads} t join ${contactRows} c on c.id = t.contact_id
    where t.snoozed_at is not null`;
}

/**
 * What `message.process` decided for each conversation of a batch (rows locked by it): the
 * learned context (topics merged with what a concurrent batch may have written, sentiment),
 * who is still waiting, the reply cap's ledger and pause, and a hand-off to people: one update
 * of each row. A statement for `queueOutbound`'s `threads` option, so the answers its replies
 * give (`answering`: `(thread_id, by_person)`) are written in the same update.
 */
export function decidedThreadsUpdate(
  entries: readonly {
    threadId: string;
    topics: string[];
    sentiment: string | null;
    sentimentScore: number | null;
    /** Since when the contact waits after the batch (null: answered; kept when already waiting). */
    waitingSince: string | null;
    autoRepliesAt: string[];
    botPausedAt: string | null;
    /** `teamId`: the team whose queue it goes to (one since deleted: the shared queue). */
    handoff: { assigneeId: string | null; teamId?: string | null } | null;
    /** The conversation's flow state after the batch, when the batch moved it (`state` null: none runs now). */
    flow: { state: object | null } | null;
    /**
     * The batch's last message of a closed conversation only answered its satisfaction survey:
     * it stays closed (ingest reopened it), closed at this time, nobody waiting.
     */
    staysClosedAt?: string | null;
  }[],
  options: { maxTopics: number; at: Date; answering: SQL },
): SQL {
  const rows = entries.map(({ handoff, flow, staysClosedAt, ...entry }) => ({
    ...entry,
    staysClosedAt: handoff ? null : (staysClosedAt ?? null),
    handoff: handoff !== null,
    assigneeId: handoff?.assigneeId ?? null,
    teamId: handoff?.teamId ?? null,
    flowSet: flow !== null,
    flow: flow?.state ?? null,
  }));
  const at = options.at.toISOString();
  return sql`
    update ${threads} t set
      topics = array(
        select topic from unnest(l.topics || t.topics) with ordinality u(topic, o)
        group by topic order by min(o) limit ${sql.raw(String(options.maxTopics))}),
      sentiment = l.sentiment, sentiment_score = l."sentimentScore",
      -- Answered here: waiting since the first message after the last one answered, if any.
      awaiting_since = case when l."staysClosedAt" is not null then null
        when a.thread_id is not null then l."waitingSince"
        else coalesce(t.awaiting_since, l."waitingSince") end,
      closed_at = coalesce(l."staysClosedAt", t.closed_at),
      auto_replies_at = l."autoRepliesAt", bot_paused_at = l."botPausedAt",
      flow = case when l."flowSet" then l.flow else t.flow end,
      mode = case when l.handoff then 'human'::thread_mode
        when l."staysClosedAt" is not null then 'closed'::thread_mode else t.mode end,
      assigned_user_id = case when l.handoff then l."assigneeId" else t.assigned_user_id end,
      -- A team deleted since the rule or flow was published: the shared queue (no broken batch).
      team_id = case when l.handoff then (select tm.id from ${teams} tm where tm.id = l."teamId")
        else t.team_id end,
      handoff_at = case when l.handoff then ${at}::timestamptz else t.handoff_at end,
      -- The SLA clocks start again at a hand-off: due times from the team's targets (none: null).
      first_human_reply_at = case when l.handoff then null when a.by_person then coalesce(t.first_human_reply_at, now())
        else t.first_human_reply_at end,
      sla_first_response_due_at = case when l.handoff then ${at}::timestamptz
          + (select tm.sla_first_response_minutes from ${teams} tm where tm.id = l."teamId") * interval '1 minute'
        else t.sla_first_response_due_at end,
      sla_resolution_due_at = case when l.handoff then ${at}::timestamptz
          + (select tm.sla_resolution_minutes from ${teams} tm where tm.id = l."teamId") * interval '1 minute'
        else t.sla_resolution_due_at end,
      sla_first_response_breached_at = case when l.handoff then null else t.sla_first_response_breached_at end,
      sla_resolution_breached_at = case when l.handoff then null else t.sla_resolution_breached_at end,
      human_active_at = case when l.handoff then ${at}::timestamptz when a.by_person then now()
        else t.human_active_at end,
      updated_at = case when l.handoff then ${at}::timestamptz when a.by_person then now() else t.updated_at end
    from ${jsonRecordset(
      rows,
      `"threadId" uuid, topics text[], sentiment text, "sentimentScore" real, "waitingSince" timestamptz,
      "autoRepliesAt" timestamptz[],
      "botPausedAt" timestamptz, handoff boolean, "assigneeId" uuid, "teamId" uuid, "flowSet" boolean, flow jsonb,
      "staysClosedAt" timestamptz`,
    )} l
    left join ${options.answering} a on a.thread_id = l."threadId"
    where t.id = l."threadId"`;
}

/**
 * Two contacts turned out to be one person (server/contacts/merge.ts): their conversations
 * become one. With both threads, the absorbed one's messages, notes, rule hits, response times,
 * events and read marks move to the survivor's, which takes `state` (the merge plan's mode,
 * owner and clocks), and the absorbed thread is deleted; replies still queued there are
 * enqueued again on the survivor's thread (a send job names its thread). With only the
 * absorbed contact's thread, it becomes the surviving contact's. The caller holds both
 * contacts' and threads' locks. Returns the surviving conversation's thread, if any.
 */
export async function mergeConversations(
  tx: TTx,
  boss: PgBoss,
  merge: {
    survivor: { id: string } | null;
    absorbed: { id: string } | null;
    contactId: string;
    state: Partial<typeof threads.$inferInsert> | null;
  },
): Promise<string | null> {
  const { survivor: st, absorbed: at } = merge;
  if (at && st && merge.state) {
    const moved = await tx.execute<{ id: string; session_id: string; status: string; direction: string }>(sql`
      update ${messages} set thread_id = ${st.id} where thread_id = ${at.id}
      returning id, session_id, status, direction`);
    const requeue = moved.rows
      .filter((row) => row.status === "queued" && row.direction === "out")
      .map((row) => ({ id: row.id, sessionId: row.session_id, threadId: st.id }));
    await tx.execute(sql`
      with notes as (update thread_notes set thread_id = ${st.id} where thread_id = ${at.id}),
      hits as (update rule_hits set thread_id = ${st.id} where thread_id = ${at.id}),
      responses as (update analytics_responses set thread_id = ${st.id} where thread_id = ${at.id}),
      thread_events as (update events set thread_id = ${st.id} where thread_id = ${at.id})
      -- Read marks: where a person had read both, the lesser (nothing unread is hidden).
      update thread_reads r set last_read_seq = least(r.last_read_seq, o.last_read_seq)
      from thread_reads o where o.thread_id = ${at.id} and r.thread_id = ${st.id} and r.user_id = o.user_id`);
    await tx
      .update(threads)
      .set({ ...merge.state, updatedAt: new Date() })
      .where(eq(threads.id, st.id));
    await tx.delete(threads).where(eq(threads.id, at.id));
    if (requeue.length > 0) await enqueueSends(boss, requeue, tx);
    return st.id;
  }
  if (at) {
    await tx.update(threads).set({ contactId: merge.contactId, updatedAt: new Date() }).where(eq(threads.id, at.id));
    return at.id;
  }
  return st?.id ?? null;
}
