import { and, eq, inArray, ne } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TTx } from "~/db/client";
import { teamMembers, teams } from "~/db/schema";
import { enqueueMany } from "~/server/jobs/boss";

/**
 * Queues `team.assign` for teams whose assignment may now go further (a hand-off to them, a
 * member coming online, a member's conversation closed or released), in the caller's
 * transaction: the decision runs in the worker, outside the hot path, after the change commits.
 * Teams with assignment off are skipped. Assignment is idempotent, so a duplicate job is harmless.
 */
export async function queueTeamAssignment(tx: TTx, boss: PgBoss, teamIds: readonly string[]): Promise<void> {
  const unique = [...new Set(teamIds)];
  if (unique.length === 0) return;
  const active = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(and(inArray(teams.id, unique), ne(teams.assignmentMode, "off")));
  await enqueueMany(
    boss,
    "team.assign",
    active.map((team) => ({ teamId: team.id })),
    { tx },
  );
}

/** A hand-off to a team's queue: the thread, the team and the hand-off's time (`threads.handoff_at`). */
export type TTeamHandoff = { threadId: string; teamId: string; at: Date };

/**
 * What follows hand-offs to teams, queued in the hand-off's transaction (run after it commits):
 * the team's assignment run (assignment on) and the acknowledgement to the contact
 * (`team.acknowledge`, when the team acknowledges; server/teams/reception.ts, which sends at
 * most one per hand-off and nothing for a hand-off that is no longer the thread's).
 */
export async function queueTeamHandoffs(tx: TTx, boss: PgBoss, handoffs: readonly TTeamHandoff[]): Promise<void> {
  if (handoffs.length === 0) return;
  const teamIds = [...new Set(handoffs.map((handoff) => handoff.teamId))];
  await queueTeamAssignment(tx, boss, teamIds);
  const acknowledging = await tx
    .select({ id: teams.id })
    .from(teams)
    .where(and(inArray(teams.id, teamIds), eq(teams.acknowledge, true)));
  const ids = new Set(acknowledging.map((team) => team.id));
  await enqueueMany(
    boss,
    "team.acknowledge",
    handoffs
      .filter((handoff) => ids.has(handoff.teamId))
      .map((handoff) => ({ threadId: handoff.threadId, teamId: handoff.teamId, handoffAt: handoff.at.toISOString() })),
    { tx },
  );
}

/** `queueTeamAssignment` for every team `userIds` are members of (their capacity changed). */
export async function queueAssignmentForMembers(tx: TTx, boss: PgBoss, userIds: readonly string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;
  const rows = await tx
    .selectDistinct({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(inArray(teamMembers.userId, unique));
  await queueTeamAssignment(
    tx,
    boss,
    rows.map((row) => row.teamId),
  );
}
