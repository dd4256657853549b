import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

export type TDb = NodePgDatabase<typeof schema>;
/** A transaction handle, as passed to `db.transaction(async (tx) => …)`. */
export type TTx = Parameters<Parameters<TDb["transaction"]>[0]>[0];
/** Domain functions accept either a db or a transaction, so callers choose the boundary. */
export type TDbOrTx = TDb | TTx;

export type TCreateDbOptions = {
  /** Shown in pg_stat_activity: `switchboard-web`, `switchboard-worker`… */
  applicationName?: string;
  max?: number;
  connectionTimeoutMillis?: number;
  /** Server settings for every connection of the pool, e.g. `{ synchronous_commit: "off" }`. */
  settings?: Record<string, string>;
};

/**
 * Opens a connection pool and a drizzle handle over it. The caller owns the pool
 * and ends it (`pool.end()`) on shutdown.
 */
export function createDb(url: string, options: TCreateDbOptions = {}) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    application_name: options.applicationName ?? "switchboard",
    ...(options.settings
      ? {
          options: Object.entries(options.settings)
            .map(([name, value]) => `-c ${name}=${value}`)
            .join(" "),
        }
      : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", () => undefined);
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  return { db, pool };
}
