/**
 * `npm run seed:large`: 50,000 contacts and 1,000,000 messages over 90 days (with rule hits,
 * hand-offs, AI calls and webhook deliveries) into the database in DATABASE_URL, for analytics
 * at scale. Run it on a database you can throw away.
 */
import { createDb } from "~/db/client";
import { ConfigError, stackEnv } from "~/server/env";
import { createLogger } from "~/server/logger";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { seedLarge } from "./large";

try {
  const env = stackEnv();
  if (!env.DATABASE_URL) {
    throw new ConfigError(
      "set DATABASE_URL; for the embedded database of `npm start` (while it runs): DATABASE_URL=postgres://postgres:postgres@127.0.0.1:54329/switchboard",
    );
  }
  const log = createLogger("seed", env.LOG_LEVEL);
  const { db, pool } = createDb(env.DATABASE_URL, { max: 4 });
  try {
    await prepareDatabase({ pool, db, url: env.DATABASE_URL, admin: env }, log);
    const started = performance.now();
    const counts = await seedLarge(db, log);
    log.info({ ...counts, seconds: Math.round((performance.now() - started) / 1000) }, "seed:large done");
  } finally {
    await pool.end();
  }
} catch (error) {
  process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
