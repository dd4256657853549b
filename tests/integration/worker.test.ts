import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginAttempts, userSessions, workerHeartbeats } from "~/db/schema";
import { createBoss, enqueue } from "~/server/jobs/boss";
import { DEAD_LETTER_QUEUE } from "~/server/jobs/queues";
import { createLogger } from "~/server/logger";
import { JOB_HANDLERS } from "~/workers/handlers/registry";
import { startWorker, type TRunningWorker } from "~/workers/runtime";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { spawnTs, waitFor } from "../support/processes";

const log = createLogger("test-worker", "silent");
const APP_SECRET = "x".repeat(32);

describe("worker runtime", () => {
  let database: TTestDatabase;
  let boss: PgBoss;
  let worker: TRunningWorker;
  let slowStarted: () => void;
  const slowStartedPromise = new Promise<void>((resolve) => (slowStarted = resolve));
  let slowFinished = false;

  beforeAll(async () => {
    database = await useTestDatabase();
    boss = createBoss(database.url, "worker");
    await boss.start();
    worker = await startWorker({
      db: database.db,
      boss,
      log,
      version: "test",
      heartbeatIntervalMs: 200,
      handlers: JOB_HANDLERS,
      extraQueues: {
        "test.slow": async () => {
          slowStarted();
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          slowFinished = true;
        },
      },
    });
  });
  afterAll(async () => {
    await boss.stop({ graceful: false }).catch(() => undefined);
  });

  it("beats a heartbeat row", async () => {
    const first = await waitFor(
      async () =>
        (await database.db.select().from(workerHeartbeats).where(eq(workerHeartbeats.workerId, worker.workerId)))[0],
      5_000,
      "heartbeat",
    );
    const later = await waitFor(
      async () => {
        const [row] = await database.db
          .select()
          .from(workerHeartbeats)
          .where(eq(workerHeartbeats.workerId, worker.workerId));
        return row && row.beatAt > first.beatAt ? row : undefined;
      },
      5_000,
      "a second beat",
    );
    expect(later.stoppedAt).toBeNull();
  });

  it("runs a declared job: maintenance.prune deletes old login attempts and old sign-in sessions", async () => {
    await database.db.insert(loginAttempts).values([
      { email: "old@example.test", succeeded: false, at: sql`now() - interval '40 days'` },
      { email: "new@example.test", succeeded: false },
    ]);
    const user = await insertUser(database.db, "agent");
    await database.db.insert(userSessions).values([
      { userId: user.id, userAgent: "old", lastSeenAt: sql`now() - interval '40 days'` },
      { userId: user.id, userAgent: "new" },
    ]);
    await enqueue(boss, "maintenance.prune", {});
    const remaining = await waitFor(
      async () => {
        const rows = await database.db.select({ email: loginAttempts.email }).from(loginAttempts);
        const sessions = await database.db.select({ userAgent: userSessions.userAgent }).from(userSessions);
        return rows.length === 1 && sessions.length === 1 ? { rows, sessions } : undefined;
      },
      10_000,
      "the prune job",
    );
    expect(remaining).toEqual({ rows: [{ email: "new@example.test" }], sessions: [{ userAgent: "new" }] });
  });

  it("refuses an invalid payload on enqueue, and parks one that slipped in in the dead-letter queue", async () => {
    await expect(enqueue(boss, "maintenance.prune", { unexpected: true } as never)).rejects.toThrow();
    const jobId = await boss.send("maintenance.prune", { unexpected: true });
    const [dead] = await waitFor(
      async () => {
        const jobs = await boss.fetch<{ jobId: string; error: string }>(DEAD_LETTER_QUEUE);
        return jobs.length > 0 ? jobs : undefined;
      },
      10_000,
      "a dead letter",
    );
    expect(dead?.data).toMatchObject({ queue: "maintenance.prune", jobId, data: { unexpected: true } });
    expect(dead?.data.error).toMatch(/unexpected|Unrecognized/i);
  });

  it("on stop, takes no new job and finishes the one in flight", async () => {
    const jobId = await boss.send("test.slow", {});
    await slowStartedPromise;
    const { drained } = await worker.stop(10_000);
    expect(drained).toBe(true);
    expect(slowFinished).toBe(true);
    const [beat] = await database.db
      .select()
      .from(workerHeartbeats)
      .where(eq(workerHeartbeats.workerId, worker.workerId));
    expect(beat?.stoppedAt).toBeInstanceOf(Date);
    const check = createBoss(database.url, "web");
    await check.start();
    expect((await check.getJobById("test.slow", jobId!))?.state).toBe("completed");
    // A job sent after the stop stays queued: the stopped worker takes nothing new.
    const later = await check.send("test.slow", {});
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await check.getJobById("test.slow", later!))?.state).toBe("created");
    await check.stop({ graceful: false });
  });
});

describe("worker process", () => {
  it("starts, beats, and exits 0 on SIGTERM", async () => {
    const { url, db } = await useTestDatabase();
    const worker = spawnTs("workers/main.ts", [], {
      DATABASE_URL: url,
      APP_SECRET,
      WORKER_HEARTBEAT_INTERVAL_MS: "200",
      LOG_LEVEL: "info",
    });
    await waitFor(async () => (await db.select().from(workerHeartbeats)).length > 0, 30_000, "the worker's heartbeat");
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code, worker.output()).toBe(0);
    expect(worker.output()).toContain("worker stopped");
    const [beat] = await db.select().from(workerHeartbeats);
    expect(beat?.stoppedAt).toBeInstanceOf(Date);
  });

  it.each([
    ["while it prepares the database", "first start: created admin"],
    ["while it starts its sessions and queues", "session started"],
  ])("exits 0 on a SIGTERM %s (start-up steps cut short are the stop, not a crash)", async (_moment, line) => {
    const { url } = await useTestDatabase();
    const worker = spawnTs("workers/main.ts", [], { DATABASE_URL: url, APP_SECRET, LOG_LEVEL: "info" });
    await waitFor(() => Promise.resolve(worker.output().includes(line) || undefined), 30_000, `the worker's "${line}"`);
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code, worker.output()).toBe(0);
  });

  it("refuses to start without APP_SECRET, in one line", async () => {
    const worker = spawnTs("workers/main.ts", [], { DATABASE_URL: "postgres://x@127.0.0.1:1/x" });
    const exit = await worker.exited;
    expect(exit.code).toBe(1);
    expect(worker.stderr().trim()).toMatch(/^switchboard worker: invalid configuration: APP_SECRET/);
    expect(worker.stderr().trim().split("\n")).toHaveLength(1);
  });
});
