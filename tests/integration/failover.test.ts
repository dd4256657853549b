import { randomUUID } from "node:crypto";
import { inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { waSessions } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { usePreparedDatabase } from "../support/pipeline";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";

const APP_SECRET = "f".repeat(32);
const LEASE_TTL_S = 3;

function startWorker(url: string): TSpawned {
  return spawnTs("workers/main.ts", [], {
    DATABASE_URL: url,
    APP_SECRET,
    LOG_LEVEL: "warn",
    WORKER_HEARTBEAT_INTERVAL_MS: "500",
    WORKER_SESSION_LEASE_TTL_S: String(LEASE_TTL_S),
  });
}

describe("session failover between workers", () => {
  it(
    "gives each of three sessions one owner; after SIGKILL of one worker the other takes its sessions over within the lease time plus 10 s, sending nothing twice",
    { timeout: 180_000 },
    async () => {
      const database = await usePreparedDatabase();
      const { db, url } = database;
      const extra = await db
        .insert(waSessions)
        .values([
          { name: "Simulator 2", kind: "simulator", status: "ready" },
          { name: "Simulator 3", kind: "simulator", status: "ready" },
        ])
        .returning({ id: waSessions.id });
      const sessionIds = [database.sessionId, ...extra.map((row) => row.id)];
      for (const id of sessionIds) {
        await updateSessionSettings(db, null, id, {
          pacing: { enabled: false },
          simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
        });
      }
      const workers = [startWorker(url), startWorker(url)];
      const pids = workers.map((worker) => worker.child.pid!);
      const ownerPid = (owner: string | null) => (owner ? Number(owner.split(":")[1]) : null);
      const owners = async () =>
        db
          .select({ id: waSessions.id, owner: waSessions.leaseOwner, expires: waSessions.leaseExpiresAt })
          .from(waSessions)
          .where(inArray(waSessions.id, sessionIds));
      try {
        await waitFor(
          async () => ((await owners()).every((row) => pids.includes(ownerPid(row.owner) ?? -1)) ? true : undefined),
          60_000,
          "every session owned by a worker",
        );

        // Traffic on all three sessions, the test playing each session's transport.
        const boss = createBoss(url, "web");
        await boss.start();
        const ingestor = createInboundIngestor(db, boss);
        let sending = true;
        let sent = 0;
        const traffic = (async () => {
          while (sending) {
            await Promise.all(
              sessionIds.map((sessionId, index) =>
                ingestor.ingest({
                  sessionId,
                  waMessageId: `fo-${randomUUID()}`,
                  from: `+1415555${String(1000 + index * 10 + (sent % 10)).padStart(4, "0")}`,
                  type: "text",
                  body: `message ${sent}`,
                }),
              ),
            );
            sent += 1;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 3_000));

        // Kill the worker that owns the most sessions (it owns at least one).
        const before = await owners();
        const counts = pids.map((pid) => before.filter((row) => ownerPid(row.owner) === pid).length);
        const victim = counts[0]! >= counts[1]! ? 0 : 1;
        const survivor = 1 - victim;
        const orphaned = before.filter((row) => ownerPid(row.owner) === pids[victim]).map((row) => row.id);
        expect(orphaned.length).toBeGreaterThan(0);
        const killedAt = Date.now();
        workers[victim]!.child.kill("SIGKILL");
        await workers[victim]!.exited;

        // Owned and sending again on the survivor.
        await waitFor(
          async () => {
            const rows = await owners();
            if (!rows.every((row) => ownerPid(row.owner) === pids[survivor])) return undefined;
            const { rows: fresh } = await db.execute<{ session_id: string }>(sql`
              select distinct session_id from simulator_deliveries
              where session_id = any(${`{${orphaned.join(",")}}`}::uuid[]) and at > to_timestamp(${killedAt / 1000})`);
            return fresh.length === orphaned.length ? true : undefined;
          },
          (LEASE_TTL_S + 10) * 1000 + 5_000,
          "the survivor to own and send for the killed worker's sessions",
        );
        const takeoverMs = Date.now() - killedAt;
        process.stderr.write(
          `failover: ${orphaned.length} session(s) owned and sending on the other worker ${takeoverMs} ms after SIGKILL (lease ${LEASE_TTL_S} s)\n`,
        );
        expect(takeoverMs).toBeLessThanOrEqual((LEASE_TTL_S + 10) * 1000);

        sending = false;
        await traffic;
        await boss.stop({ graceful: false });
        // Every message answered once; no reply delivered twice.
        const counted = await waitFor(
          async () => {
            const { rows } = await db.execute<{
              inbound: number;
              unanswered: number;
              twice: number;
              queued: number;
            }>(sql`
              select
                (select count(*)::int from messages where direction = 'in') as inbound,
                (select count(*)::int from messages i where i.direction = 'in'
                   and not exists (select 1 from messages o where o.reply_to_message_id = i.id)) as unanswered,
                (select count(*)::int from (select client_ref from simulator_deliveries group by client_ref having count(*) > 1) d) as twice,
                (select count(*)::int from messages where direction = 'out' and status = 'queued') as queued`);
            const row = rows[0]!;
            return row.unanswered === 0 && row.queued === 0 ? row : undefined;
          },
          60_000,
          "every message answered and sent",
        );
        expect(counted.inbound).toBe(sent * sessionIds.length);
        expect(counted.twice).toBe(0);
      } finally {
        for (const worker of workers) {
          if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM");
        }
        await Promise.all(workers.map((worker) => worker.exited));
      }
    },
  );
});
