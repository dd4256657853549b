import { and, isNotNull, lt } from "drizzle-orm";
import { workerHeartbeats } from "~/db/schema";
import { pruneLoginAttempts } from "~/server/auth/throttle";
import { pruneUserSessions } from "~/server/auth/user-sessions";
import { pruneApiIdempotency, pruneApiUsage } from "~/server/rest/handler";
import type { TJobHandler } from "../runtime";

const DAY_MS = 24 * 3600_000;

/**
 * `maintenance.prune`: drops login attempts older than 30 days, sign-in sessions ended or unused
 * for 30 days, week-old stopped workers, old API rate-limit windows, and the answers to
 * idempotent API requests after a week.
 */
export const handlePrune: TJobHandler<"maintenance.prune"> = async (_payload, { db, log }) => {
  const attempts = await pruneLoginAttempts(db, 30 * DAY_MS);
  const sessions = await pruneUserSessions(db);
  const workers = await db
    .delete(workerHeartbeats)
    .where(and(isNotNull(workerHeartbeats.stoppedAt), lt(workerHeartbeats.beatAt, new Date(Date.now() - 7 * DAY_MS))))
    .returning({ id: workerHeartbeats.workerId });
  const apiUsage = await pruneApiUsage(db);
  const idempotency = await pruneApiIdempotency(db);
  log.info(
    { loginAttempts: attempts, userSessions: sessions, workers: workers.length, apiUsage, idempotency },
    "pruned",
  );
};
