import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, events, messages, threads, waSessionAuth, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createLogger } from "~/server/logger";
import { createPostgresAuthStore } from "~/server/sessions/auth-store";
import { createWwebjsConnection } from "~/workers/engines/wwebjs";
import { createRealWwebjsClient } from "~/workers/engines/wwebjs/client";
import type { TWwebjsEngineOptions } from "~/workers/engines/wwebjs/config";
import { CHROMIUM_PATH, RUN_BROWSER_TESTS } from "../support/chromium";
import { insertUser } from "../support/database";
import { createFakeWwebjs, FAKE_WWEBJS_APP_SECRET, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { startPipeline, usePreparedDatabase, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const APP_SECRET = FAKE_WWEBJS_APP_SECRET;

async function sessionRow(pipeline: { db: TPipeline["db"] }, id: string) {
  return (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, id)))[0]!;
}

function waitForStatus(pipeline: { db: TPipeline["db"] }, id: string, status: string, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const row = await sessionRow(pipeline, id);
      return row.status === status ? row : undefined;
    },
    timeoutMs,
    async () => `session ${status} (now ${(await sessionRow(pipeline, id)).status})`,
  );
}

function waitForClient(fake: ReturnType<typeof createFakeWwebjs>, count: number) {
  return waitFor(
    () => Promise.resolve(fake.clients.length >= count ? fake.clients[count - 1]! : undefined),
    15_000,
    `client ${count}`,
  );
}

describe("whatsapp-web.js sessions (fake client, real pipeline)", () => {
  it("links by QR, stores the session encrypted, answers messages with typing and acks, hands over to the phone, reconnects, and logs out", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const pipeline = await startPipeline({ engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Front desk" });

    // QR, shown live (the row holds it; a session.status event announces it).
    const client = await waitForClient(fake, 1);
    const qr = await waitForStatus(pipeline, id, "qr");
    expect(qr.qr).toMatch(/^2@fake-qr-/);
    expect((await admin.sessions.list()).find((session) => session.id === id)).toMatchObject({
      status: "qr",
      qr: qr.qr,
    });

    await client.scan();
    const ready = await waitForStatus(pipeline, id, "ready");
    expect(ready).toMatchObject({ phone: "+14155550100", qr: null, lastError: null });
    const [stored] = await pipeline.db.select().from(waSessionAuth).where(eq(waSessionAuth.sessionId, id));
    expect(stored?.archive.toString("utf8")).not.toContain("profile of");

    // A contact writes: stored, typing shown, the bot's reply sent, then acks move it on.
    const incoming = client.deliver("14155550123@c.us", "hello there");
    const reply = await waitFor(
      () => Promise.resolve(client.sent.find((entry) => entry.chatId === "14155550123@c.us")),
      15_000,
      "the bot's reply",
    );
    expect(client.presence.map((entry) => entry.state)).toEqual(["typing", "clear"]);
    const [inbound] = await pipeline.db
      .select()
      .from(messages)
      .where(eq(messages.waMessageId, incoming.id._serialized));
    expect(inbound).toMatchObject({ direction: "in", body: "hello there", sessionId: id });
    client.ack(reply.id, 2);
    client.ack(reply.id, 3);
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.waMessageId, reply.id));
        return row?.status === "read" ? row : undefined;
      },
      10_000,
      "the read tick",
    );
    // Our own send (announced by message_create) did not count as a person on the phone.
    const [thread] = await pipeline.db
      .select({ thread: threads })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(eq(contacts.waId, "+14155550123"), eq(contacts.sessionId, id)));
    expect(thread?.thread.mode).toBe("bot");

    // Groups and status updates are ignored.
    client.deliver("120363000000000000@g.us", "group chatter", { author: "14155550199@c.us" });
    client.deliver("status@broadcast", "a status", { isStatus: true });

    // A person answers on the phone itself: the thread becomes theirs, the bot goes quiet.
    const typed = client.typeOnPhone("14155550123@c.us", "Hi, it's Ana from the shop");
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(threads).where(eq(threads.id, thread!.thread.id));
        return row?.mode === "human" ? row : undefined;
      },
      10_000,
      "human mode",
    );
    const [phoneMessage] = await pipeline.db
      .select()
      .from(messages)
      .where(eq(messages.waMessageId, typed.id._serialized));
    expect(phoneMessage).toMatchObject({ source: "phone", direction: "out", status: "sent" });
    // WhatsApp reports that it could not deliver it (ack -1): the message is failed, with a reason.
    client.ack(typed.id._serialized, -1);
    const failed = await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.id, phoneMessage!.id));
        return row?.status === "failed" ? row : undefined;
      },
      10_000,
      "the failed ack",
    );
    expect(failed.error).toBe("WhatsApp reported that the message could not be delivered");
    const sentBefore = client.sent.length;
    client.deliver("14155550123@c.us", "thanks Ana");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(client.sent).toHaveLength(sentBefore);
    expect(await pipeline.db.$count(messages, sql`${messages.body} in ('group chatter', 'a status')`)).toBe(0);

    // A dropped connection: reconnect with backoff, restoring the session from Postgres (no QR).
    client.emit("disconnected", "NAVIGATION");
    const second = await waitForClient(fake, 2);
    await waitForStatus(pipeline, id, "ready");
    expect(second.restored).toBe(true);
    expect(client.destroyed).toBe(true);

    // The phone logs the device out: the stored session is gone, and a new client asks for a QR.
    second.emit("disconnected", "LOGOUT");
    await waitFor(
      async () => ((await pipeline.db.$count(waSessionAuth, eq(waSessionAuth.sessionId, id))) === 0 ? true : undefined),
      10_000,
      "the stored session to be deleted",
    );
    const third = await waitForClient(fake, 3);
    await waitForStatus(pipeline, id, "qr");
    expect(third.restored).toBe(false);
    const statuses = (
      await pipeline.db
        .select({ payload: events.payload })
        .from(events)
        .where(and(eq(events.type, "session.status"), eq(events.sessionId, id)))
    ).map((event) => (event.payload as { status: string }).status);
    expect(statuses).toEqual(expect.arrayContaining(["qr", "ready", "disconnected", "logged_out"]));
  });

  it("restores a linked session in a new worker (a restarted stack) without a new QR, and runs restart and log-out requests", async () => {
    const fake = createFakeWwebjs();
    const options = await fakeWwebjsOptions(fake.factory);
    const pipeline = await startPipeline({ engines: { wwebjs: options } });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Sales" });
    await (await waitForClient(fake, 1)).scan();
    await waitForStatus(pipeline, id, "ready");
    await pipeline.worker.stop(5_000);

    const restarted = createFakeWwebjs();
    const again = await startPipelineOn(pipeline, { ...options, createClient: restarted.factory });
    const client = await waitForClient(restarted, 1);
    await waitForStatus(pipeline, id, "ready");
    expect(client.restored).toBe(true);

    await admin.sessions.restart({ id });
    await waitForClient(restarted, 2);
    await waitForStatus(pipeline, id, "ready");
    await admin.sessions.logout({ id });
    await waitForStatus(pipeline, id, "qr");
    expect(restarted.clients[1]!.loggedOut).toBe(true);
    expect(await pipeline.db.$count(waSessionAuth, eq(waSessionAuth.sessionId, id))).toBe(0);
    await again.stop(5_000);
  });

  it("reports a client that cannot start as failed with the reason, and retries on its backoff", async () => {
    const fake = createFakeWwebjs({ failWith: "net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/" });
    const pipeline = await startPipeline({ engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Offline" });
    const failed = await waitForStatus(pipeline, id, "failed");
    expect(failed.lastError).toMatch(/WhatsApp Web is unreachable from this machine \(net::ERR_NAME_NOT_RESOLVED/);
    await waitForClient(fake, 3); // retried
    // The simulator session keeps working meanwhile.
    const simulator = await sessionRow(pipeline, pipeline.sessionId);
    expect(simulator.status).toBe("ready");
    // The row says which retry is next and when, for the Sessions page's "retrying in … (attempt n)".
    const retrying = await waitFor(
      async () => {
        const row = await sessionRow(pipeline, id);
        return row.status === "failed" && (row.reconnectAttempt ?? 0) >= 3 ? row : undefined;
      },
      15_000,
      "a third failed attempt",
    );
    expect(retrying.nextRetryAt).toBeInstanceOf(Date);
    expect(retrying.lastError).toMatch(/unreachable/);
    const [listed] = (await admin.sessions.list()).filter((session) => session.id === id);
    expect(listed).toMatchObject({ reconnectAttempt: expect.any(Number), nextRetryAt: expect.any(Date) });
  });
});

describe("whatsapp-web.js reconnect backoff (fake client)", () => {
  it("backs off further each time a connection reaches ready and drops, and starts over only after it stayed up", async () => {
    const database = await usePreparedDatabase();
    const [session] = await database.db
      .insert(waSessions)
      .values({ name: "Flapping", kind: "wwebjs" })
      .returning({ id: waSessions.id });
    const dataPath = await mkdtemp(path.join(tmpdir(), "switchboard-flap-"));
    const fake = createFakeWwebjs();
    const reports: { status: string; retry?: { attempt: number; delayMs: number } }[] = [];
    const stableAfterMs = 1_500;
    const transport = createWwebjsConnection({
      sessionId: session!.id,
      log: createLogger("flap", "silent"),
      store: createPostgresAuthStore({ db: database.db, sessionId: session!.id, appSecret: APP_SECRET, dataPath }),
      createClient: fake.factory,
      dataPath,
      chromiumPath: "/usr/bin/chromium",
      webVersion: null,
      readyTimeoutMs: 30_000,
      memoryLimitMb: 2_048,
      minBackoffMs: 20,
      maxBackoffMs: 1_000,
      stableAfterMs,
      // No jitter: the delays are the schedule itself.
      random: () => 0.5,
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    await transport.start({
      onMessage: () => Promise.resolve(),
      onAck: () => Promise.resolve(),
      onStatus: (report) => {
        reports.push(report);
        return Promise.resolve();
      },
      onQr: () => Promise.resolve(),
      onConnectionState: () => Promise.resolve(),
      onPhoneMessage: () => Promise.resolve(),
      onPairingCode: () => Promise.resolve(),
      onPresence: () => Promise.resolve(),
    });
    const readies = () => reports.filter((report) => report.status === "ready").length;
    const retries = () => reports.flatMap((report) => (report.retry ? [report.retry] : []));
    await (await waitForClient(fake, 1)).scan();
    // Ten times: ready (the stored session restored), then dropped well before it counts as stable.
    for (let round = 1; round <= 10; round += 1) {
      await waitFor(() => Promise.resolve(readies() >= round), 10_000, `ready #${round}`);
      fake.clients[round - 1]!.emit("disconnected", "NAVIGATION");
      await waitFor(() => Promise.resolve(retries().length >= round), 10_000, `retry #${round}`);
    }
    expect(retries()).toEqual([
      { attempt: 1, delayMs: 20, at: expect.any(Date) },
      { attempt: 2, delayMs: 40, at: expect.any(Date) },
      { attempt: 3, delayMs: 80, at: expect.any(Date) },
      { attempt: 4, delayMs: 160, at: expect.any(Date) },
      { attempt: 5, delayMs: 320, at: expect.any(Date) },
      { attempt: 6, delayMs: 640, at: expect.any(Date) },
      { attempt: 7, delayMs: 1_000, at: expect.any(Date) },
      { attempt: 8, delayMs: 1_000, at: expect.any(Date) },
      { attempt: 9, delayMs: 1_000, at: expect.any(Date) },
      { attempt: 10, delayMs: 1_000, at: expect.any(Date) },
    ]);

    // The eleventh connection stays up past the threshold: the next drop starts over from the minimum.
    await waitFor(() => Promise.resolve(readies() >= 11), 10_000, "ready #11");
    await new Promise((resolve) => setTimeout(resolve, stableAfterMs + 300));
    fake.clients[10]!.emit("disconnected", "NAVIGATION");
    await waitFor(() => Promise.resolve(retries().length >= 11), 10_000, "retry #11");
    expect(retries()[10]).toMatchObject({ attempt: 1, delayMs: 20 });
    await transport.stop();
  });
});

describe("RemoteAuth store in Postgres", () => {
  it("round-trips an archive, refuses a tampered one, and deletes", async () => {
    const database = await usePreparedDatabase();
    const [session] = await database.db
      .insert(waSessions)
      .values({ name: "Store test", kind: "wwebjs" })
      .returning({ id: waSessions.id });
    const dataPath = await mkdtemp(path.join(tmpdir(), "switchboard-store-"));
    const store = createPostgresAuthStore({ db: database.db, sessionId: session!.id, appSecret: APP_SECRET, dataPath });
    expect(await store.sessionExists({ session: "RemoteAuth-x" })).toBe(false);
    const zip = Buffer.from([0x50, 0x4b, 3, 4, ...Buffer.from("archive bytes")]);
    await writeFile(path.join(dataPath, "RemoteAuth-x.zip"), zip);
    await store.save({ session: "RemoteAuth-x" });
    expect(await store.sessionExists({ session: "RemoteAuth-x" })).toBe(true);
    const target = path.join(dataPath, "restored.zip");
    await store.extract({ session: "RemoteAuth-x", path: target });
    expect((await readFile(target)).equals(zip)).toBe(true);

    await database.db.execute(
      sql`update wa_session_auth set archive = set_byte(archive, length(archive) - 1, get_byte(archive, length(archive) - 1) # 1)`,
    );
    await expect(store.extract({ session: "RemoteAuth-x", path: target })).rejects.toThrow(/tampered/);
    const other = createPostgresAuthStore({
      db: database.db,
      sessionId: session!.id,
      appSecret: "t".repeat(40),
      dataPath,
    });
    await expect(other.extract({ session: "RemoteAuth-x", path: target })).rejects.toThrow(/another APP_SECRET/);

    await store.delete({ session: "RemoteAuth-x" });
    expect(await store.sessionExists({ session: "RemoteAuth-x" })).toBe(false);
  });
});

describe.runIf(RUN_BROWSER_TESTS)("the real whatsapp-web.js client on Chromium, with no internet", () => {
  it("reports WhatsApp Web unreachable within 30 s and leaves no Chromium behind", { timeout: 60_000 }, async () => {
    const database = await usePreparedDatabase();
    const [session] = await database.db
      .insert(waSessions)
      .values({ name: "Smoke", kind: "wwebjs" })
      .returning({ id: waSessions.id });
    const dataPath = await mkdtemp(path.join(tmpdir(), "switchboard-smoke-"));
    const statuses: { status: string; error?: string; retry?: { attempt: number; delayMs: number } }[] = [];
    const transport = createWwebjsConnection({
      sessionId: session!.id,
      log: createLogger("smoke", "silent"),
      store: createPostgresAuthStore({ db: database.db, sessionId: session!.id, appSecret: APP_SECRET, dataPath }),
      createClient: createRealWwebjsClient,
      dataPath,
      chromiumPath: CHROMIUM_PATH,
      webVersion: null,
      readyTimeoutMs: 60_000,
      memoryLimitMb: 2_048,
      minBackoffMs: 60_000,
      maxBackoffMs: 60_000,
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    const started = Date.now();
    await transport.start({
      onMessage: () => Promise.resolve(),
      onAck: () => Promise.resolve(),
      onStatus: (report) => {
        statuses.push(report);
        return Promise.resolve();
      },
      onQr: () => Promise.resolve(),
      onConnectionState: () => Promise.resolve(),
      onPhoneMessage: () => Promise.resolve(),
      onPairingCode: () => Promise.resolve(),
      onPresence: () => Promise.resolve(),
    });
    const failed = await waitFor(
      () => Promise.resolve(statuses.find((entry) => entry.status === "failed")),
      30_000,
      "the failed status",
    );
    const elapsed = Date.now() - started;
    process.stderr.write(`real client reported unreachable after ${elapsed} ms: ${failed.error}\n`);
    expect(failed.error).toMatch(/unreachable|failed to start/);
    // With when it tries again (the Sessions page counts down to it).
    expect(failed.retry).toMatchObject({ attempt: 1, delayMs: expect.any(Number) });
    await transport.stop();
    // No Chromium of this session is left running.
    await waitFor(
      async () => ((await chromiumProcessesUsing(dataPath)).length === 0 ? true : undefined),
      10_000,
      async () => `Chromium to exit (left: ${(await chromiumProcessesUsing(dataPath)).join(", ")})`,
    );
  });
});

/** Chromium processes whose command line mentions `dataPath` (its profile folder), from /proc. */
async function chromiumProcessesUsing(dataPath: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(dataPath) && /chrom/i.test(cmdline)) found.push(entry);
  }
  return found;
}

/** A second in-process worker on the same database (a restarted stack). */
async function startPipelineOn(pipeline: TPipeline, wwebjs: TWwebjsEngineOptions) {
  const { startWorker } = await import("~/workers/runtime");
  const { JOB_HANDLERS } = await import("~/workers/handlers/registry");
  const { createBoss } = await import("~/server/jobs/boss");
  const boss = createBoss(pipeline.url, "worker");
  await boss.start();
  return startWorker({
    db: pipeline.db,
    boss,
    log: createLogger("restarted", "silent"),
    version: "test",
    heartbeatIntervalMs: 1_000,
    handlers: JOB_HANDLERS,
    sessions: { databaseUrl: pipeline.url, leaseTtlS: 5, sendConcurrency: 4, engines: { wwebjs } },
  });
}
