import type { Pool } from "pg";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { waSessions } from "~/db/schema";
import { metrics } from "./metrics";

/**
 * What a worker reports at scrape time besides its counters: its pool's use, the pg-boss
 * queues' job counts and every session's status (the last two are the same from every worker:
 * dashboards take their max).
 */
export function watchWorker(db: TDb, pool: Pool, boss: PgBoss) {
  metrics.watchPool("worker", pool);
  metrics.watchBoss(boss);
  metrics.watchSessions(() => db.select({ id: waSessions.id, status: waSessions.status }).from(waSessions));
}
