import { and, eq, isNull, notInArray, sql } from "drizzle-orm";
import { pgArray } from "~/server/lib/sql";
import type { TDb, TTx } from "~/db/client";
import { teamMembers, teams, threads, users, type AVAILABILITIES } from "~/db/schema";
import { canAccess, type TRole } from "~/server/auth/roles";
import { assignByPolicy } from "./state";

/** Waiting conversations one run assigns at most (the next run, queued or the sweep's, goes on). */
export const MAX_ASSIGNMENTS_PER_RUN = 200;

type TCandidate = {
  userId: string;
  /** Position in the team's stable order (joined first, then by id): round-robin's circle. */
  order: number;
  open: number;
  /** When auto-assignment last gave this member one of the team's conversations (ms; 0: never). */
  lastAssignedAt: number;
};

/**
 * The member a waiting conversation goes to, or null when nobody has room. Round-robin: the
 * next member with room after the last one given a conversation, around the team's order.
 * Fewest open: the member with the fewest open conversations; ties to the one given one
 * longest ago, then the team's order. Pure, so both are tested without a database.
 */
export function pickAssignee(
  mode: "round_robin" | "fewest_open",
  candidates: readonly TCandidate[],
  cap: number,
  /** The order of the member last given one (available or not); null: nobody yet, or they left. */
  lastOrder: number | null,
): TCandidate | null {
  const withRoom = candidates.filter((candidate) => candidate.open < cap).sort((a, b) => a.order - b.order);
  if (withRoom.length === 0) return null;
  if (mode === "round_robin") {
    if (lastOrder === null) return withRoom[0]!;
    return withRoom.find((candidate) => candidate.order > lastOrder) ?? withRoom[0]!;
  }
  return withRoom.reduce((best, candidate) =>
    candidate.open < best.open ||
    (candidate.open === best.open && candidate.lastAssignedAt < best.lastAssignedAt) ||
    (candidate.open === best.open && candidate.lastAssignedAt === best.lastAssignedAt && candidate.order < best.order)
      ? candidate
      : best,
  );
}

/**
 * The team's row, locked for one assignment run. `no key update`: a hand-off writing
 * `threads.team_id` (its foreign key check takes `key share` on this row) never waits for a run,
 * nor deadlocks with one waiting for that thread. With `skipLocked`, null when another run holds
 * it (or the team is gone).
 */
export async function lockTeamForAssignment(tx: TTx, teamId: string, options: { skipLocked?: boolean } = {}) {
  const query = tx.select().from(teams).where(eq(teams.id, teamId));
  const [team] = await (options.skipLocked
    ? query.for("no key update", { skipLocked: true })
    : query.for("no key update"));
  return team ?? null;
}

export type TAssignment = { threadId: string; userId: string };

/** Follow-up runs one call makes at most (each assigns up to MAX_ASSIGNMENTS_PER_RUN). */
const MAX_RUNS_PER_CALL = 20;

/** A member as the run reads them (JSON: times are ISO strings). */
type TMemberRow = {
  userId: string;
  role: TRole;
  availability: (typeof AVAILABILITIES)[number];
  disabled: boolean;
  lastAssignedAt: string | null;
  open: number;
};

type TRun = { busy: true } | { busy: false; assigned: TAssignment[]; considered: string[]; room: boolean };

/**
 * Assigns team `teamId`'s waiting conversations (human, unassigned, oldest hand-off first) to
 * its available members: `online`, enabled, able to answer in the inbox, with fewer open
 * conversations (human and theirs, in any team or none) than the team's cap. Each run is one
 * transaction holding the team's row lock (`lockTeamForAssignment`), so the decisions of one team
 * are taken one run at a time with fresh counts: two workers running it at once give each
 * conversation exactly one assignee and nobody more than the cap.
 *
 * Runs do not queue behind each other: a call that finds the row locked returns at once, and the
 * run holding it, after committing, looks for hand-offs it had not seen (those that committed
 * while it ran, whose own calls found it busy) and runs again while there are some and a member
 * has room. Twenty hand-offs at once cost one or two runs, not twenty in a row
 * (`npm run bench -- inbox`, `assign_p95_ms`). Returns what this call assigned.
 */
export async function assignTeamQueue(
  db: TDb,
  teamId: string,
  now = new Date(),
  /** Tests only: called inside each run once it has read the waiting conversations. */
  hooks: { afterWaitingRead?: () => Promise<void> } = {},
): Promise<TAssignment[]> {
  const all: TAssignment[] = [];
  for (let runs = 0; runs < MAX_RUNS_PER_CALL; runs += 1) {
    const run = await db.transaction((tx) => assignmentRun(tx, teamId, now, hooks));
    if (run.busy) break;
    all.push(...run.assigned);
    if (!run.room) break;
    const [unseen] = await db
      .select({ id: threads.id })
      .from(threads)
      .where(
        and(
          eq(threads.teamId, teamId),
          eq(threads.mode, "human"),
          isNull(threads.assignedUserId),
          run.considered.length > 0 ? notInArray(threads.id, run.considered) : undefined,
        ),
      )
      .limit(1);
    if (!unseen) break;
  }
  return all;
}

/** One run: the decisions for up to MAX_ASSIGNMENTS_PER_RUN waiting conversations, under the team's lock. */
async function assignmentRun(
  tx: TTx,
  teamId: string,
  now: Date,
  hooks: { afterWaitingRead?: () => Promise<void> },
): Promise<TRun> {
  // Null: another run holds the team (it will look for what came meanwhile), or the team is gone.
  const team = await lockTeamForAssignment(tx, teamId, { skipLocked: true });
  if (!team) return { busy: true };
  const idle = { busy: false as const, assigned: [], considered: [], room: false };
  if (team.assignmentMode === "off") return idle;
  const mode = team.assignmentMode;
  // One read after the lock (so it sees every run committed before): every member in the order
  // (round-robin's cursor may be someone away now), with the open conversations they hold (human
  // and theirs, in any team or none); and the waiting conversations, oldest hand-off first.
  const {
    rows: [read],
  } = await tx.execute<{ members: TMemberRow[]; waiting: string[] }>(sql`
    select
      (select coalesce(json_agg(m order by m."createdAt", m."userId"), '[]'::json) from (
        select tm.user_id as "userId", tm.created_at as "createdAt", u.role, u.availability, u.disabled,
          tm.last_assigned_at as "lastAssignedAt",
          (select count(*)::int from ${threads} o where o.mode = 'human' and o.assigned_user_id = tm.user_id) as open
        from ${teamMembers} tm join ${users} u on u.id = tm.user_id
        where tm.team_id = ${teamId}) m) as members,
      (select coalesce(json_agg(w.id order by w.handoff_at, w.id), '[]'::json) from (
        select id, handoff_at from ${threads}
        where team_id = ${teamId} and mode = 'human' and assigned_user_id is null
        order by handoff_at, id limit ${MAX_ASSIGNMENTS_PER_RUN}) w) as waiting`);
  const members = read!.members;
  const available = members.filter(
    (member) => member.availability === "online" && !member.disabled && canAccess(member.role, "inbox", "write"),
  );
  if (available.length === 0) return idle;
  const waiting = read!.waiting.map((id) => ({ id }));
  const considered = waiting.map((thread) => thread.id);
  await hooks.afterWaitingRead?.();
  const candidates: TCandidate[] = available.map((member) => ({
    userId: member.userId,
    order: members.indexOf(member),
    open: member.open,
    lastAssignedAt: member.lastAssignedAt ? Date.parse(member.lastAssignedAt) : 0,
  }));
  const orderOf = (userId: string | null) => {
    const index = members.findIndex((member) => member.userId === userId);
    return index < 0 ? null : index;
  };
  // The decisions, in order (each counts the ones before it), then written in one statement.
  let lastUserId = team.lastAssignedUserId;
  const picks: TAssignment[] = [];
  let tick = now.getTime();
  for (const thread of waiting) {
    const pick = pickAssignee(mode, candidates, team.maxOpenPerAgent, orderOf(lastUserId));
    if (!pick) break;
    pick.open += 1;
    // Within one run each assignment counts as later than the one before (fewest-open ties).
    pick.lastAssignedAt = ++tick;
    lastUserId = pick.userId;
    picks.push({ threadId: thread.id, userId: pick.userId });
  }
  const room = candidates.some((candidate) => candidate.open < team.maxOpenPerAgent);
  const assigned = await assignByPolicy(tx, teamId, picks, mode, now);
  if (assigned.length === 0) return { busy: false, assigned, considered, room };
  // Each member's latest assignment time (fewest-open's tie-break) and the round-robin cursor, in one statement.
  const byUser = new Map(assigned.map((a, index) => [a.userId, index]));
  await tx.execute(sql`
    with cursor as (
      update ${teams} set last_assigned_user_id = ${assigned.at(-1)!.userId} where id = ${teamId})
    update ${teamMembers} m set last_assigned_at = v.at
    from (select unnest(${pgArray([...byUser.keys()], "uuid")}) as user_id,
            unnest(${pgArray(
              [...byUser.values()].map((index) => new Date(now.getTime() + index).toISOString()),
              "text",
            )})::timestamptz as at) v
    where m.team_id = ${teamId} and m.user_id = v.user_id`);
  return { busy: false, assigned, considered, room };
}
