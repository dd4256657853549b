import { and, inArray, ne } from "drizzle-orm";
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
