import { createDb } from "~/db/client";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { JOB_HANDLERS } from "~/workers/handlers/registry";
import { startWorker } from "~/workers/runtime";
import { createFakeBaileys, fakeBaileysOptions } from "./fake-baileys";

/**
 * A worker process running Baileys sessions on the fake socket (whose phone scans the first QR
 * by itself), for tests that kill a worker with SIGKILL: tests/integration/baileys-failover.test.ts.
 * Reads DATABASE_URL and WORKER_SESSION_LEASE_TTL_S; prints "linked <phone>" when a session opens.
 */
const url = process.env.DATABASE_URL!;
const { db } = createDb(url);
const boss = createBoss(url, "worker");
await boss.start();
const fake = createFakeBaileys({ autoScan: true });
await startWorker({
  db,
  boss,
  log: createLogger("fake-baileys-worker", "warn"),
  version: "test",
  heartbeatIntervalMs: 500,
  handlers: JOB_HANDLERS,
  sessions: {
    databaseUrl: url,
    leaseTtlS: Number(process.env.WORKER_SESSION_LEASE_TTL_S ?? 3),
    sendConcurrency: 2,
    engines: { baileys: fakeBaileysOptions(fake.factory) },
  },
});
process.stdout.write("worker started\n");
