/**
 * `npm run db:migrate`: prepares the database in DATABASE_URL (migrations, pg-boss schema and
 * queues, first admin) and exits. `npm start` does the same by itself on every start.
 */
import { createDb } from "~/db/client";
import { ConfigError, stackEnv } from "~/server/env";
import { createLogger } from "~/server/logger";
import { prepareDatabase } from "~/server/setup/prepare-database";

try {
  const env = stackEnv();
  if (!env.DATABASE_URL) throw new ConfigError("set DATABASE_URL (npm start prepares its embedded database itself)");
  const log = createLogger("migrate", env.LOG_LEVEL);
  const { db, pool } = createDb(env.DATABASE_URL, { max: 2 });
  try {
    await prepareDatabase(
      {
        pool,
        db,
        url: env.DATABASE_URL,
        admin: env,
      },
      log,
    );
    log.info("database is up to date");
  } finally {
    await pool.end();
  }
} catch (error) {
  process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
