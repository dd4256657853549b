import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { workerHeartbeats } from "~/db/schema";
import { getHealth } from "~/server/health/health";
import { useTestDatabase, type TTestDatabase } from "../support/database";

describe("health", () => {
  let database: TTestDatabase;
  beforeAll(async () => {
    database = await useTestDatabase();
  });

  it("is down while no worker has ever started, and says why", async () => {
    const health = await getHealth(database.db, { heartbeatMaxAgeS: 30 });
    expect(health).toMatchObject({
      ok: false,
      db: { ok: true },
      migrations: { ok: true },
      worker: { ok: false, error: "no worker has started" },
    });
    expect(health.migrations.applied).toBe(health.migrations.expected);
  });

  it("is up with a fresh heartbeat, and down again when it goes stale", async () => {
    const beat = { workerId: "w1", hostname: "h", pid: "1", version: "t", startedAt: new Date() };
    await database.db.insert(workerHeartbeats).values({ ...beat, beatAt: new Date() });
    const sizes = [{ name: "q", queued: 3, active: 1, failed: 0, deferred: 0 }];
    const up = await getHealth(database.db, { heartbeatMaxAgeS: 30, readQueueSizes: () => Promise.resolve(sizes) });
    expect(up).toMatchObject({ ok: true, worker: { ok: true, workers: 1 }, queues: { ok: true, sizes } });

    await database.db
      .update(workerHeartbeats)
      .set({ beatAt: sql`now() - interval '2 minutes'` })
      .where(eq(workerHeartbeats.workerId, "w1"));
    const stale = await getHealth(database.db, { heartbeatMaxAgeS: 30 });
    expect(stale.ok).toBe(false);
    expect(stale.worker.error).toBe("no worker heartbeat recently");
    expect(stale.worker.lastHeartbeatAgeS).toBeGreaterThanOrEqual(119);
  });

  it("reports a queue read failure instead of throwing, with only an error code in public", async () => {
    await database.db.update(workerHeartbeats).set({ beatAt: new Date() }).where(eq(workerHeartbeats.workerId, "w1"));
    const secret = Object.assign(new Error("connect to pgboss@internal-db-7 failed"), { code: "ECONNREFUSED" });
    const logged: unknown[] = [];
    const health = await getHealth(database.db, {
      heartbeatMaxAgeS: 30,
      readQueueSizes: () => Promise.reject(secret),
      onCheckError: (check, error) => logged.push({ check, error }),
    });
    expect(health).toMatchObject({ ok: false, queues: { ok: false, error: "check failed (ECONNREFUSED)" } });
    expect(JSON.stringify(health)).not.toContain("internal-db-7");
    expect(logged).toEqual([{ check: "queues", error: secret }]);
  });

  it("reports missing migrations", async () => {
    await database.db.execute(sql`delete from drizzle.__drizzle_migrations`);
    const health = await getHealth(database.db, { heartbeatMaxAgeS: 30 });
    expect(health.migrations).toMatchObject({ ok: false, applied: 0 });
  });
});
