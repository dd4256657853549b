import { createDb, type TDb } from "~/db/client";
import { webEnv } from "~/server/env";

const globalForDb = globalThis as unknown as { switchboardDb?: TDb };

/** The web process's database handle, created on first use (not at build time). */
export function getDb(): TDb {
  globalForDb.switchboardDb ??= createDb(webEnv().DATABASE_URL, { applicationName: "switchboard-web" }).db;
  return globalForDb.switchboardDb;
}
