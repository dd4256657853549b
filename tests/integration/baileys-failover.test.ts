import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { waEngineKeys, waSessions } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { JOB_HANDLERS } from "~/workers/handlers/registry";
import { startWorker } from "~/workers/runtime";
import { createFakeBaileys, FAKE_DISCONNECT, fakeBaileysOptions } from "../support/fake-baileys";
import { usePreparedDatabase } from "../support/pipeline";
import { spawnTs, waitFor } from "../support/processes";

const LEASE_TTL_S = 3;

describe("a Baileys session across workers", () => {
  it(
    "keeps its login through a SIGKILL of its worker: another worker takes the lease and resumes it without a new QR; a loggedOut close then deletes the login",
    { timeout: 90_000 },
    async () => {
      const database = await usePreparedDatabase();
      const { db, url } = database;
      const [session] = await db
        .insert(waSessions)
        .values({ name: "Moving", kind: "baileys" })
        .returning({ id: waSessions.id });
      const id = session!.id;
      const row = async () => (await db.select().from(waSessions).where(eq(waSessions.id, id)))[0]!;
      const keyCount = () => db.$count(waEngineKeys, eq(waEngineKeys.sessionId, id));

      // A worker in a child process links the number (its fake phone scans the QR).
      const child = spawnTs("tests/support/fake-baileys-worker.ts", [], {
        DATABASE_URL: url,
        WORKER_SESSION_LEASE_TTL_S: String(LEASE_TTL_S),
      });
      try {
        const linked = await waitFor(
          async () => {
            const current = await row();
            return current.status === "ready" && (await keyCount()) >= 3 ? current : undefined;
          },
          45_000,
          async () => `the child to link the number (${JSON.stringify(await row())}; output: ${child.output()})`,
        );
        expect(linked.leaseOwner).toContain(`:${child.child.pid}`);
        child.child.kill("SIGKILL");
        expect((await child.exited).signal).toBe("SIGKILL");
      } finally {
        child.child.kill("SIGKILL");
      }
      const keysAfterKill = await keyCount();

      // Another worker (this process) takes the session over once the lease expired.
      const fake = createFakeBaileys();
      const boss = createBoss(url, "worker");
      await boss.start();
      const worker = await startWorker({
        db,
        boss,
        log: createLogger("taker", "silent"),
        version: "test",
        heartbeatIntervalMs: 500,
        handlers: JOB_HANDLERS,
        sessions: {
          databaseUrl: url,
          leaseTtlS: LEASE_TTL_S,
          sendConcurrency: 2,
          engines: { baileys: fakeBaileysOptions(fake.factory) },
        },
      });
      try {
        const resumed = await waitFor(
          async () => {
            const current = await row();
            return fake.sockets.length > 0 &&
              current.status === "ready" &&
              current.leaseOwner?.includes(`:${process.pid}`)
              ? current
              : undefined;
          },
          30_000,
          async () => `the session to resume here (${JSON.stringify(await row())})`,
        );
        expect(resumed.phone).toBe("+14155550100");
        // No QR: the login and its signal keys came from Postgres.
        expect(fake.sockets.every((socket) => socket.qrs.length === 0)).toBe(true);
        expect(fake.sockets[0]!.restoredKey).toBe(true);
        expect(keysAfterKill).toBeGreaterThanOrEqual(3);

        // The phone logs this device out: the login is deleted, a new socket offers a QR.
        fake.sockets.at(-1)!.close(FAKE_DISCONNECT.loggedOut);
        await waitFor(async () => ((await keyCount()) === 0 ? true : undefined), 10_000, "the login deleted");
        await waitFor(async () => ((await row()).status === "qr" ? true : undefined), 10_000, "a new QR");
        expect(fake.sockets.at(-1)!.qrs.length).toBeGreaterThan(0);
      } finally {
        await worker.stop(5_000);
      }
    },
  );
});
