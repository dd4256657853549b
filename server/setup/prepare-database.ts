import type pg from "pg";
import type { TDb } from "~/db/client";
import { runMigrations } from "~/db/migrate";
import type { Logger } from "~/server/logger";
import { createBoss, createMediaQueue, createQueues, createSendQueue } from "~/server/jobs/boss";
import { checkServerVersion } from "./server-version";
import { ensureSimulatorSession } from "~/server/sessions/sessions";
import { ensureBootstrapAdmin } from "~/server/users/users";

/** The first admin's settings, as every process's env schema names them. */
export type TBootstrapAdminEnv = { ADMIN_EMAIL?: string; ADMIN_PASSWORD?: string; ADMIN_NAME: string };

/**
 * Everything a database needs before web or worker use it, idempotent and safe to run from
 * several processes at once: our migrations, pg-boss's schema and queues, the first admin.
 */
export async function prepareDatabase(
  input: { pool: pg.Pool; db: TDb; url: string; admin: TBootstrapAdminEnv },
  log: Logger,
): Promise<void> {
  const tooOld = await checkServerVersion(input.pool);
  if (tooOld) throw new Error(tooOld);
  await runMigrations(input.pool);
  const boss = createBoss(input.url, "setup", (error) => log.warn({ err: error }, "pg-boss (setup)"));
  await boss.start();
  try {
    await createQueues(boss);
    // The simulator session exists from the first start, with its send and media queues (a
    // photo sent from the Simulator is queued to be fetched before any worker took the session).
    const simulatorId = await ensureSimulatorSession(input.db);
    await createSendQueue(boss, simulatorId);
    await createMediaQueue(boss, simulatorId);
  } finally {
    await boss.stop({ graceful: false });
  }
  const admin = await ensureBootstrapAdmin(input.db, {
    email: input.admin.ADMIN_EMAIL,
    password: input.admin.ADMIN_PASSWORD,
    name: input.admin.ADMIN_NAME,
  });
  if (admin.created) {
    if (admin.generatedPassword) {
      // Printed once, straight to stderr: it is stored nowhere in clear, and no LOG_LEVEL may
      // swallow it. The log line itself carries no password.
      log.warn({ email: admin.email }, `first start: created admin ${admin.email} with a generated password`);
      process.stderr.write(
        `\n  Switchboard admin: ${admin.email}\n  Password:          ${admin.generatedPassword}\n` +
          `  (shown only now; sign in and change it under Users)\n\n`,
      );
    } else {
      log.info({ email: admin.email }, `first start: created admin ${admin.email} from ADMIN_EMAIL/ADMIN_PASSWORD`);
    }
  }
}
