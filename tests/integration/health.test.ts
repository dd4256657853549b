import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { waSessions, workerHeartbeats } from "~/db/schema";
import { getHealth, toPublicHealth } from "~/server/health/health";
import { recordSessionMemory, recordSessionStatus } from "~/server/sessions/sessions";
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

  it("lists each session's memory and reconnects, and each live worker's own memory; the public view names neither", async () => {
    await database.db.delete(workerHeartbeats).where(sql`true`);
    const beat = { hostname: "h", pid: "1", version: "t", startedAt: new Date(), beatAt: new Date() };
    await database.db.insert(workerHeartbeats).values([
      { ...beat, workerId: "host-a:11:abcd", info: { rssMb: 212, rssBytes: 211_812_352 } },
      // A worker of the first version reports whole megabytes only.
      { ...beat, workerId: "host-b:12:ef01", info: { rssMb: 150 } },
      { ...beat, workerId: "gone", info: { rssBytes: 1 }, stoppedAt: new Date() },
    ]);
    const [own, shared, unmeasured] = await database.db
      .insert(waSessions)
      .values([
        { name: "Browser number", kind: "wwebjs", status: "ready", phone: "+14155550101" },
        { name: "Socket number", kind: "baileys", status: "connecting", phone: "+14155550102" },
        { name: "Never measured", kind: "wwebjs", status: "new" },
      ])
      .returning();
    await recordSessionMemory(database.db, own!.id, { bytes: 412_000_000, scope: "own" });
    await recordSessionMemory(database.db, shared!.id, { bytes: 18_400_000.4, scope: "shared" });
    // Three reconnects, as a transport reports them.
    for (let i = 0; i < 3; i++)
      await recordSessionStatus(database.db, shared!.id, { status: "connecting", reconnect: true });

    const health = await getHealth(database.db, { heartbeatMaxAgeS: 30 });
    expect(health.worker.live).toHaveLength(2);
    expect(health.worker.live).toEqual(
      expect.arrayContaining([
        { id: "host-a:11:abcd", version: "t", heartbeatAgeS: expect.any(Number), rssBytes: 211_812_352 },
        { id: "host-b:12:ef01", version: "t", heartbeatAgeS: expect.any(Number), rssBytes: 150_000_000 },
      ]),
    );
    const byId = new Map(health.sessions.map((session) => [session.id, session]));
    expect(byId.get(own!.id)).toEqual({
      id: own!.id,
      name: "Browser number",
      engine: "wwebjs",
      status: "ready",
      reconnectCount: 0,
      memory: { bytes: 412_000_000, scope: "own", measuredAt: expect.any(String) },
    });
    expect(byId.get(shared!.id)).toMatchObject({
      engine: "baileys",
      reconnectCount: 3,
      memory: { bytes: 18_400_000, scope: "shared" },
    });
    expect(Date.now() - Date.parse(byId.get(shared!.id)!.memory!.measuredAt)).toBeLessThan(60_000);
    expect(byId.get(unmeasured!.id)).toMatchObject({ reconnectCount: 0, memory: null });

    // Public: the same figures, without host names (in worker ids), session names or numbers.
    const text = JSON.stringify(toPublicHealth(health));
    for (const hidden of ["host-a", "host-b", "Browser number", "Socket number", "+1415555010"])
      expect(text).not.toContain(hidden);
    expect(toPublicHealth(health).sessions.find((session) => session.id === shared!.id)).toMatchObject({
      reconnectCount: 3,
      memory: { bytes: 18_400_000, scope: "shared" },
    });
    expect(
      toPublicHealth(health)
        .worker.live.map((worker) => worker.rssBytes)
        .sort(),
    ).toEqual([150_000_000, 211_812_352]);
    await database.db.delete(waSessions).where(sql`${waSessions.id} in (${own!.id}, ${shared!.id}, ${unmeasured!.id})`);
  });

  it("reports missing migrations", async () => {
    await database.db.execute(sql`delete from drizzle.__drizzle_migrations`);
    const health = await getHealth(database.db, { heartbeatMaxAgeS: 30 });
    expect(health.migrations).toMatchObject({ ok: false, applied: 0 });
  });
});
