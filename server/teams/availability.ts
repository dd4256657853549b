import { and, eq, isNotNull, isNull, lt, ne, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { AVAILABILITIES, teams, threads, users } from "~/db/schema";
import { queueAssignmentForMembers, queueTeamAssignment } from "~/server/conversations/team-queue";
import { AppError } from "~/server/errors";

/**
 * Availability changes, live and never stored: announced with `pg_notify` in the transaction
 * that made them (delivered when it commits, whichever process: the web for a person's own
 * choice, the worker's `team.sweep` for "away"), relayed by each web process to the live
 * streams of users who may read the inbox as the event `user.availability`
 * (server/events/hub.ts). The state itself is in `users.availability`; a stream that missed a
 * change reads it there on its next load, so there is nothing to replay.
 */
export const AVAILABILITY_CHANNEL = "switchboard_availability";

export const ZAvailabilityNotice = z.object({
  userId: z.uuid(),
  availability: z.enum(AVAILABILITIES),
  at: z.string(),
});
export type TAvailabilityNotice = z.infer<typeof ZAvailabilityNotice>;

/** Announces availability changes (one NOTIFY each; a no-op for none) in `tx`, so only a committed change is heard. */
export async function announceAvailability(tx: TDbOrTx, notices: readonly TAvailabilityNotice[]): Promise<void> {
  for (const notice of notices) {
    await tx.execute(sql`select pg_notify(${AVAILABILITY_CHANNEL}, ${JSON.stringify(notice)})`);
  }
}

/**
 * Minutes without a heartbeat from any dashboard tab of an `online` agent after which the
 * `team.sweep` cron marks them `away` (so auto-assignment stops giving them conversations).
 * A constant rather than a setting: tabs beat every minute, so five minutes means "closed".
 */
export const AWAY_AFTER_MINUTES = 5;

export const ZSetAvailabilityInput = z.object({ availability: z.enum(AVAILABILITIES) });
export type TSetAvailabilityInput = z.input<typeof ZSetAvailabilityInput>;

/**
 * A person sets their own availability. Becoming `online` counts as being seen, and queues
 * assignment for their teams (what waited for someone may now be theirs).
 */
export async function setMyAvailability(
  db: TDb,
  boss: PgBoss,
  user: { id: string },
  rawInput: TSetAvailabilityInput,
  now = new Date(),
) {
  const input = ZSetAvailabilityInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ availability: users.availability })
      .from(users)
      .where(eq(users.id, user.id))
      .for("update");
    if (!before) throw new AppError("NOT_FOUND", "Your account no longer exists.");
    const changed = before.availability !== input.availability;
    const [after] = await tx
      .update(users)
      .set({
        availability: input.availability,
        availabilityAuto: false,
        ...(changed ? { availabilityChangedAt: now } : {}),
        ...(input.availability === "online" ? { lastSeenAt: now } : {}),
      })
      .where(eq(users.id, user.id))
      .returning({
        availability: users.availability,
        availabilityChangedAt: users.availabilityChangedAt,
        lastSeenAt: users.lastSeenAt,
      });
    if (changed) {
      await announceAvailability(tx, [{ userId: user.id, availability: input.availability, at: now.toISOString() }]);
      if (input.availability === "online") await queueAssignmentForMembers(tx, boss, [user.id]);
    }
    return after!;
  });
}

/**
 * A dashboard tab of theirs is open: keeps an `online` person from being marked away, and
 * brings back `online` a person the sweep marked away (they closed every tab, and are back):
 * announced, and assignment queued for their teams. A person who chose `away` or `offline`
 * stays so.
 */
export async function recordHeartbeat(db: TDb, boss: PgBoss, user: { id: string }, now = new Date()) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({
        lastSeenAt: now,
        availability: sql`case when ${users.availabilityAuto} then 'online'::availability else ${users.availability} end`,
        availabilityChangedAt: sql`case when ${users.availabilityAuto} then ${now.toISOString()}::timestamptz else ${users.availabilityChangedAt} end`,
        availabilityAuto: false,
      })
      .where(eq(users.id, user.id))
      .returning({
        availability: users.availability,
        lastSeenAt: users.lastSeenAt,
        back: sql<boolean>`${users.availabilityChangedAt} = ${now.toISOString()}::timestamptz and ${users.availability} = 'online'`,
      });
    if (!row) throw new AppError("NOT_FOUND", "Your account no longer exists.");
    const { back, ...seen } = row;
    if (back) {
      await announceAvailability(tx, [{ userId: user.id, availability: "online", at: now.toISOString() }]);
      await queueAssignmentForMembers(tx, boss, [user.id]);
    }
    return seen;
  });
}

/**
 * The `team.sweep` cron: `online` people not seen for `AWAY_AFTER_MINUTES` become `away`, and
 * every team with assignment on and conversations waiting gets a `team.assign` run (a
 * backstop for any trigger that was missed). `now` is a parameter so tests control the clock.
 */
export async function sweepAvailability(db: TDb, boss: PgBoss, now = new Date()) {
  const cutoff = new Date(now.getTime() - AWAY_AFTER_MINUTES * 60_000);
  return db.transaction(async (tx) => {
    const away = await tx
      .update(users)
      .set({ availability: "away", availabilityChangedAt: now, availabilityAuto: true })
      .where(
        and(
          eq(users.availability, "online"),
          lt(sql`coalesce(${users.lastSeenAt}, ${users.availabilityChangedAt}, '-infinity'::timestamptz)`, cutoff),
        ),
      )
      .returning({ id: users.id });
    await announceAvailability(
      tx,
      away.map((row) => ({ userId: row.id, availability: "away" as const, at: now.toISOString() })),
    );
    const waiting = await tx
      .selectDistinct({ teamId: threads.teamId })
      .from(threads)
      .innerJoin(teams, eq(teams.id, threads.teamId))
      .where(
        and(
          eq(threads.mode, "human"),
          isNull(threads.assignedUserId),
          isNotNull(threads.teamId),
          ne(teams.assignmentMode, "off"),
        ),
      );
    const teamIds = waiting.flatMap((row) => (row.teamId ? [row.teamId] : []));
    await queueTeamAssignment(tx, boss, teamIds);
    return { away: away.map((row) => row.id), teams: teamIds };
  });
}
