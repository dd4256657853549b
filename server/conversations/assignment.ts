import { and, asc, count, eq, inArray, isNull } from "drizzle-orm";
import type { TDb, TTx } from "~/db/client";
import { teamMembers, teams, threads, users } from "~/db/schema";
import { canAccess } from "~/server/auth/roles";
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
 * The team's row, locked for one assignment run. `no key update`: runs of one team wait for
 * each other, but a hand-off writing `threads.team_id` (its foreign key check takes `key share`
 * on this row) never waits for a run, nor deadlocks with one waiting for that thread.
 */
export async function lockTeamForAssignment(tx: TTx, teamId: string) {
  const [team] = await tx.select().from(teams).where(eq(teams.id, teamId)).for("no key update");
  return team ?? null;
}

export type TAssignment = { threadId: string; userId: string };

/**
 * Assigns team `teamId`'s waiting conversations (human, unassigned, oldest hand-off first) to
 * its available members: `online`, enabled, able to answer in the inbox, with fewer open
 * conversations (human and theirs, in any team or none) than the team's cap. One transaction
 * holding the team's row lock (`lockTeamForAssignment`), so the decisions of one team are taken
 * one run at a time with fresh counts: two workers running it at once give each conversation
 * exactly one assignee and nobody more than the cap. Each assignment is the conversations
 * module's `assignByPolicy` (guarded update, event, audit). Returns what it assigned.
 */
export async function assignTeamQueue(db: TDb, teamId: string, now = new Date()): Promise<TAssignment[]> {
  return db.transaction(async (tx) => {
    const team = await lockTeamForAssignment(tx, teamId);
    if (!team || team.assignmentMode === "off") return [];
    const mode = team.assignmentMode;
    // Every member is in the order (round-robin's cursor may be someone away now).
    const members = await tx
      .select({
        userId: teamMembers.userId,
        role: users.role,
        availability: users.availability,
        disabled: users.disabled,
        lastAssignedAt: teamMembers.lastAssignedAt,
      })
      .from(teamMembers)
      .innerJoin(users, eq(users.id, teamMembers.userId))
      .where(eq(teamMembers.teamId, teamId))
      .orderBy(asc(teamMembers.createdAt), asc(teamMembers.userId));
    const available = members.filter(
      (member) => member.availability === "online" && !member.disabled && canAccess(member.role, "inbox", "write"),
    );
    if (available.length === 0) return [];
    const waiting = await tx
      .select({ id: threads.id })
      .from(threads)
      .where(and(eq(threads.teamId, teamId), eq(threads.mode, "human"), isNull(threads.assignedUserId)))
      .orderBy(asc(threads.handoffAt), asc(threads.id))
      .limit(MAX_ASSIGNMENTS_PER_RUN);
    if (waiting.length === 0) return [];
    const openCounts = await tx
      .select({ userId: threads.assignedUserId, open: count() })
      .from(threads)
      .where(
        and(
          eq(threads.mode, "human"),
          inArray(
            threads.assignedUserId,
            available.map((member) => member.userId),
          ),
        ),
      )
      .groupBy(threads.assignedUserId);
    const openOf = new Map(openCounts.map((row) => [row.userId, row.open]));
    const candidates: TCandidate[] = available.map((member) => ({
      userId: member.userId,
      order: members.indexOf(member),
      open: openOf.get(member.userId) ?? 0,
      lastAssignedAt: member.lastAssignedAt?.getTime() ?? 0,
    }));
    const orderOf = (userId: string | null) => {
      const index = members.findIndex((member) => member.userId === userId);
      return index < 0 ? null : index;
    };
    let lastUserId = team.lastAssignedUserId;
    const assigned: TAssignment[] = [];
    let tick = now.getTime();
    for (const thread of waiting) {
      const pick = pickAssignee(mode, candidates, team.maxOpenPerAgent, orderOf(lastUserId));
      if (!pick) break;
      const done = await assignByPolicy(tx, teamId, thread.id, pick.userId, mode, now);
      if (!done) continue;
      pick.open += 1;
      // Within one run each assignment counts as later than the one before (fewest-open ties).
      pick.lastAssignedAt = ++tick;
      lastUserId = pick.userId;
      assigned.push({ threadId: thread.id, userId: pick.userId });
    }
    if (assigned.length === 0) return [];
    const byUser = new Map(assigned.map((a, index) => [a.userId, index]));
    for (const [userId, index] of byUser) {
      await tx
        .update(teamMembers)
        .set({ lastAssignedAt: new Date(now.getTime() + index) })
        .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)));
    }
    await tx.update(teams).set({ lastAssignedUserId: lastUserId }).where(eq(teams.id, teamId));
    return assigned;
  });
}
