import { createDb, type TDb } from "~/db/client";
import { webEnv } from "~/server/env";
import { metrics } from "~/server/metrics/metrics";

const globalForDb = globalThis as unknown as { switchboardDb?: TDb };

/** The web process's database handle, created on first use (not at build time). */
export function getDb(): TDb {
  if (!globalForDb.switchboardDb) {
    const { db, pool } = createDb(webEnv().DATABASE_URL, { applicationName: "switchboard-web" });
    metrics.watchPool("web", pool);
    globalForDb.switchboardDb = db;
  }
  return globalForDb.switchboardDb;
}
