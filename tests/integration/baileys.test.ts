import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contactIdentities, contacts, events, messages, threads, waEngineKeys, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createLogger } from "~/server/logger";
import { notifySessionRequest } from "~/server/sessions/requests";
import { createBaileysConnection } from "~/workers/engines/baileys";
import type { TEngineHandlers, TStatusReport } from "~/workers/engines/types";
import { insertUser } from "../support/database";
import {
  createFakeBaileys,
  FAKE_BAILEYS_APP_SECRET,
  FAKE_DISCONNECT,
  fakeBaileysOptions,
  textMessage,
} from "../support/fake-baileys";
import { inbound, startPipeline, usePreparedDatabase, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

type TDbHolder = { db: TPipeline["db"] };

async function sessionRow(pipeline: TDbHolder, id: string) {
  return (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, id)))[0]!;
}

function waitForRow(
  pipeline: TDbHolder,
  id: string,
  check: (row: Awaited<ReturnType<typeof sessionRow>>) => boolean,
  what: string,
  timeoutMs = 15_000,
) {
  return waitFor(
    async () => {
      const row = await sessionRow(pipeline, id);
      return check(row) ? row : undefined;
    },
    timeoutMs,
    async () => `${what} (now ${JSON.stringify(await sessionRow(pipeline, id))})`,
  );
}

const waitForStatus = (pipeline: TDbHolder, id: string, status: string) =>
  waitForRow(pipeline, id, (row) => row.status === status, `session ${status}`);

function waitForSocket(fake: ReturnType<typeof createFakeBaileys>, count: number) {
  return waitFor(
    () => Promise.resolve(fake.sockets.length >= count ? fake.sockets[count - 1]! : undefined),
    15_000,
    `socket ${count}`,
  );
}

async function keyRows(pipeline: TDbHolder, id: string) {
  return pipeline.db.select().from(waEngineKeys).where(eq(waEngineKeys.sessionId, id));
}

async function messageByWaId(pipeline: TDbHolder, waMessageId: string) {
  return (await pipeline.db.select().from(messages).where(eq(messages.waMessageId, waMessageId)))[0];
}

describe("Baileys sessions (fake socket, real pipeline)", () => {
  it("links by QR, stores the login encrypted, answers with typing, moves ticks, tells our echo from the phone, ingests an offline batch oldest first, and reports memory", async () => {
    const fake = createFakeBaileys({ number: "14155550100" });
    const pipeline = await startPipeline({
      engines: { baileys: fakeBaileysOptions(fake.factory) },
      memorySampleMs: 300,
    });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Front desk", engine: "baileys" });

    // A QR, shown live on the row; scanning links the number (a 515 restart, then open).
    const first = await waitForSocket(fake, 1);
    const qr = await waitForStatus(pipeline, id, "qr");
    expect(qr.qr).toMatch(/^2@fake-qr-1-/);
    await first.scan();
    const ready = await waitForStatus(pipeline, id, "ready");
    expect(ready).toMatchObject({ phone: "+14155550100", qr: null, lastError: null, reconnectCount: 1 });
    const second = fake.sockets[1]!;
    expect(second.qrs).toEqual([]);
    // The login is in Postgres, one row per key, none of it readable without APP_SECRET.
    const stored = await keyRows(pipeline, id);
    expect(stored.map((row) => `${row.type}/${row.keyId}`).sort()).toEqual(
      ["creds/", "pre-key/1", "session/14155550100.0"].sort(),
    );
    for (const row of stored) expect(row.value.toString("latin1")).not.toMatch(/14155550100|noiseKey|Buffer/);
    expect(second.restoredKey).toBe(true);

    // A contact writes: stored, "typing…", the bot's reply sent under our own id, then ticks.
    const hello = textMessage("14155550123@s.whatsapp.net", "hello there");
    second.deliver(hello);
    const reply = await waitFor(
      () => Promise.resolve(second.sent.find((entry) => entry.jid === "14155550123@s.whatsapp.net")),
      15_000,
      "the bot's reply",
    );
    expect(reply.options?.messageId).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(second.presenceUpdates).toEqual([
      { type: "composing", jid: "14155550123@s.whatsapp.net" },
      { type: "paused", jid: "14155550123@s.whatsapp.net" },
    ]);
    expect(await messageByWaId(pipeline, hello.key.id!)).toMatchObject({
      direction: "in",
      body: "hello there",
      sessionId: id,
    });
    second.receipt("14155550123@s.whatsapp.net", reply.message.key.id!, 3);
    second.receipt("14155550123@s.whatsapp.net", reply.message.key.id!, 4);
    await waitFor(
      async () => ((await messageByWaId(pipeline, reply.message.key.id!))?.status === "read" ? true : undefined),
      10_000,
      "the read tick",
    );
    // The `append` echo of our own send did not count as a person on the phone.
    const [conversation] = await pipeline.db
      .select({ thread: threads })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(and(eq(contacts.waId, "+14155550123"), eq(contacts.sessionId, id)));
    expect(conversation?.thread.mode).toBe("bot");

    // Offline: WhatsApp syncs what came meanwhile as one `append` batch, newest first here.
    const now = Date.now();
    const backlog = [
      textMessage("14155550124@s.whatsapp.net", "third", { at: new Date(now - 60_000) }),
      textMessage("14155550124@s.whatsapp.net", "first, long ago", { at: new Date(now - 20 * 60_000) }),
      textMessage("14155550124@s.whatsapp.net", "second", { at: new Date(now - 120_000) }),
    ];
    second.deliver(backlog, "append");
    second.deliver(backlog, "append"); // delivered twice: stored once
    const stored3 = await waitFor(
      async () => {
        const rows = await pipeline.db
          .select()
          .from(messages)
          .where(
            inArray(
              messages.waMessageId,
              backlog.map((message) => message.key.id!),
            ),
          )
          .orderBy(asc(messages.seq));
        return rows.length === 3 && rows.every((row) => row.processedAt) ? rows : undefined;
      },
      15_000,
      "the offline batch",
    );
    expect(stored3.map((row) => row.body)).toEqual(["first, long ago", "second", "third"]);
    expect(stored3[0]!.noReplyReason).toBe("too_old");

    // A person answers on the phone itself: the thread becomes theirs.
    const typed = second.typeOnPhone("14155550123@s.whatsapp.net", "Hi, it's Ana from the shop");
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(threads).where(eq(threads.id, conversation!.thread.id));
        return row?.mode === "human" ? row : undefined;
      },
      10_000,
      "human mode",
    );
    expect(await messageByWaId(pipeline, typed.key.id!)).toMatchObject({ source: "phone", direction: "out" });

    // A LID sender whose number WhatsApp shared: one contact with both identities.
    second.phoneNumberShare("55501234567890@lid", "14155550125@s.whatsapp.net");
    const fromLid = textMessage("55501234567890@lid", "from my lid");
    second.deliver(fromLid);
    await waitFor(async () => await messageByWaId(pipeline, fromLid.key.id!), 10_000, "the LID message");
    const [lidContact] = await pipeline.db
      .select({ id: contacts.id, waId: contacts.waId })
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(messages.waMessageId, fromLid.key.id!));
    const identities = await pipeline.db
      .select({ kind: contactIdentities.kind, value: contactIdentities.value })
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, lidContact!.id));
    expect(identities).toEqual(
      expect.arrayContaining([
        { kind: "lid", value: "55501234567890" },
        { kind: "phone", value: "+14155550125" },
      ]),
    );

    // Staff open a conversation: the worker subscribes to that contact's presence.
    await notifySessionRequest(pipeline.db, { sessionId: id, request: "presence", to: "+14155550123" });
    await waitFor(
      () => Promise.resolve(second.subscriptions.includes("14155550123@s.whatsapp.net") || undefined),
      5_000,
      "the presence subscription",
    );

    // Its memory: a share of the worker process.
    const measured = await waitForRow(pipeline, id, (row) => (row.memoryBytes ?? 0) > 0, "memory sampled");
    expect(measured.memoryScope).toBe("shared");
    expect(measured.memoryBytes).toBeLessThanOrEqual(process.memoryUsage.rss() * 2);
  });

  it("links by a pairing code requested on the row, keeps the code through QR refreshes until linked", async () => {
    const fake = createFakeBaileys({ number: "5511999990000", qrRefreshMs: 200 });
    const pipeline = await startPipeline({ engines: { baileys: fakeBaileysOptions(fake.factory) } });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "By code", engine: "baileys" });
    // A number linked from a phone is taken to be new: its campaigns warm it up from today (UTC, the org's).
    const today = new Date().toISOString().slice(0, 10);
    const outreach = (await admin.sessions.outreach()).find((number) => number.sessionId === id);
    expect(outreach).toMatchObject({ warmUpDay: 1, cap: 20, sentToday: 0 });
    expect((await sessionRow(pipeline, id)).settings).toMatchObject({ outreach: { warmUpFrom: today } });
    // The simulator (no phone) has no warm-up.
    expect((await admin.sessions.outreach()).find((number) => number.sessionId === pipeline.sessionId)).toMatchObject({
      warmUpDay: null,
      cap: null,
    });
    await waitForStatus(pipeline, id, "qr");
    await pipeline.db
      .update(waSessions)
      .set({ pairingPhone: "+55 11 99999-0000", pairingRequestedAt: new Date() })
      .where(eq(waSessions.id, id));
    await notifySessionRequest(pipeline.db, { sessionId: id, request: "control" });
    const withCode = await waitForRow(pipeline, id, (row) => Boolean(row.pairingCode), "a pairing code");
    const socket = fake.sockets[0]!;
    expect(socket.pairingRequests).toEqual(["5511999990000"]);
    expect(withCode.pairingCode).toBe(socket.config.auth.creds.pairingCode);
    // QR codes keep refreshing meanwhile: the code stays on the row.
    const qrsBefore = socket.qrs.length;
    await waitFor(() => Promise.resolve(socket.qrs.length >= qrsBefore + 2 || undefined), 5_000, "QR refreshes");
    expect((await sessionRow(pipeline, id)).pairingCode).toBe(withCode.pairingCode);
    await socket.scan();
    const ready = await waitForStatus(pipeline, id, "ready");
    expect(ready).toMatchObject({ phone: "+5511999990000", pairingCode: null });
  });

  it("deletes the login on a loggedOut close and offers a new QR; stops without retrying when the number is opened elsewhere", async () => {
    const fake = createFakeBaileys();
    const pipeline = await startPipeline({ engines: { baileys: fakeBaileysOptions(fake.factory) } });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Leaving", engine: "baileys" });
    await (await waitForSocket(fake, 1)).scan();
    await waitForStatus(pipeline, id, "ready");
    expect((await keyRows(pipeline, id)).length).toBeGreaterThan(0);

    fake.sockets[1]!.close(FAKE_DISCONNECT.loggedOut);
    await waitFor(
      async () => ((await keyRows(pipeline, id)).length === 0 ? true : undefined),
      10_000,
      "the login deleted",
    );
    const third = await waitForSocket(fake, 3);
    await waitForStatus(pipeline, id, "qr");
    expect(third.config.auth.creds.me).toBeUndefined();
    const statuses = (
      await pipeline.db
        .select({ payload: events.payload })
        .from(events)
        .where(and(eq(events.type, "session.status"), eq(events.sessionId, id)))
    ).map((event) => (event.payload as { status: string }).status);
    expect(statuses).toContain("logged_out");

    // Linked again, then another client takes the number over: failed, said so, no retry.
    await third.scan();
    await waitForStatus(pipeline, id, "ready");
    const sockets = fake.sockets.length;
    fake.sockets[sockets - 1]!.close(FAKE_DISCONNECT.connectionReplaced);
    const failed = await waitForStatus(pipeline, id, "failed");
    expect(failed.lastError).toMatch(/opened by another .* press Restart/);
    expect(failed.nextRetryAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(fake.sockets).toHaveLength(sockets);
    // The login is kept: Restart takes the number back without a QR.
    expect((await keyRows(pipeline, id)).length).toBeGreaterThan(0);
    await admin.sessions.restart({ id });
    await waitForStatus(pipeline, id, "ready");
    expect(fake.sockets.at(-1)!.qrs).toEqual([]);
  });
});

/** Handlers that record statuses (the lifecycle under test alone, no pipeline). */
function recordingHandlers(reports: TStatusReport[]): TEngineHandlers {
  return {
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
  };
}

async function baileysSession(name: string) {
  const database = await usePreparedDatabase();
  const [session] = await database.db
    .insert(waSessions)
    .values({ name, kind: "baileys" })
    .returning({ id: waSessions.id });
  return { database, sessionId: session!.id };
}

describe("Baileys reconnect backoff (fake socket)", () => {
  it("backs off further each time a connection opens and drops within a second, and starts over only after it stayed up", async () => {
    const { database, sessionId } = await baileysSession("Flapping");
    const fake = createFakeBaileys();
    const reports: TStatusReport[] = [];
    const stableAfterMs = 1_500;
    const transport = createBaileysConnection({
      ...fakeBaileysOptions(fake.factory, { minBackoffMs: 20, maxBackoffMs: 1_000, stableAfterMs, random: () => 0.5 }),
      db: database.db,
      sessionId,
      log: createLogger("flap", "silent"),
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    await transport.start(recordingHandlers(reports));
    await (await waitForSocket(fake, 1)).scan();
    await waitFor(
      () => Promise.resolve(reports.some((report) => report.status === "ready") || undefined),
      10_000,
      "linked",
    );
    // From now on every connection closes 100 ms after it opened.
    fake.phone.closeAfterOpenMs = 100;
    const started = Date.now();
    fake.sockets[1]!.close(FAKE_DISCONNECT.connectionClosed);
    const retries = () => reports.flatMap((report) => (report.retry ? [report.retry] : []));
    await waitFor(() => Promise.resolve(retries().length >= 8 || undefined), 15_000, "eight retries");
    const elapsed = Date.now() - started;
    expect(
      retries()
        .slice(0, 8)
        .map((retry) => [retry.attempt, retry.delayMs]),
    ).toEqual([
      [1, 20],
      [2, 40],
      [3, 80],
      [4, 160],
      [5, 320],
      [6, 640],
      [7, 1_000],
      [8, 1_000],
    ]);
    // Sockets created in that time: one per retry, not a loop (the first two were the linking).
    expect(fake.sockets.length).toBeLessThanOrEqual(2 + 8 + 1);
    expect(elapsed).toBeGreaterThan(20 + 40 + 80 + 160 + 320 + 640 + 1_000);
    expect(reports.filter((report) => report.reconnect).length).toBeGreaterThanOrEqual(8);

    // A connection that stays up past the threshold: the next drop starts over from the minimum.
    fake.phone.closeAfterOpenMs = undefined;
    const count = fake.sockets.length;
    await waitForSocket(fake, count + 1);
    await waitFor(() => Promise.resolve(transport.status() === "ready" || undefined), 10_000, "open again");
    await new Promise((resolve) => setTimeout(resolve, stableAfterMs + 300));
    const before = retries().length;
    fake.sockets.at(-1)!.close(FAKE_DISCONNECT.connectionLost);
    await waitFor(() => Promise.resolve(retries().length > before || undefined), 10_000, "the next retry");
    expect(retries().at(-1)).toMatchObject({ attempt: 1, delayMs: 20 });
    await transport.stop();
  });

  it("reports stored credentials it cannot decrypt as a failed session, without a crash", async () => {
    const { database, sessionId } = await baileysSession("Foreign secret");
    const fake = createFakeBaileys();
    const reports: TStatusReport[] = [];
    const linked = createBaileysConnection({
      ...fakeBaileysOptions(fake.factory),
      db: database.db,
      sessionId,
      log: createLogger("secret", "silent"),
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    await linked.start(recordingHandlers(reports));
    await (await waitForSocket(fake, 1)).scan();
    await waitFor(() => Promise.resolve(linked.status() === "ready" || undefined), 10_000, "linked");
    await linked.stop();

    const other: TStatusReport[] = [];
    const foreign = createBaileysConnection({
      ...fakeBaileysOptions(fake.factory, { appSecret: "x".repeat(40) }),
      db: database.db,
      sessionId,
      log: createLogger("secret", "silent"),
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    await foreign.start(recordingHandlers(other));
    const failed = await waitFor(
      () => Promise.resolve(other.find((report) => report.status === "failed")),
      10_000,
      "the failed status",
    );
    expect(failed.error).toMatch(
      /stored credentials cannot be used .*another APP_SECRET.*Log out and link the number again/,
    );
    expect(failed.retry).toBeUndefined();
    // Nothing was overwritten: the right secret still reads the login.
    expect(
      (await database.db.select().from(waEngineKeys).where(eq(waEngineKeys.sessionId, sessionId))).length,
    ).toBeGreaterThan(1);
    await foreign.stop();
    expect(FAKE_BAILEYS_APP_SECRET).not.toBe("x".repeat(40));
  });
});

describe("the real Baileys library with no internet", () => {
  it(
    "reports WhatsApp unreachable as a failed status within 10 s, while the simulator session keeps answering",
    { timeout: 40_000 },
    async () => {
      const { baileysOptionsFromEnv, ZBaileysEnv } = await import("~/workers/engines/baileys/config");
      const rejections: unknown[] = [];
      const onRejection = (reason: unknown) => rejections.push(reason);
      process.on("unhandledRejection", onRejection);
      try {
        const options = baileysOptionsFromEnv(ZBaileysEnv.parse({ BAILEYS_LOG_LEVEL: "silent" }), {
          APP_SECRET: FAKE_BAILEYS_APP_SECRET,
        });
        const pipeline = await startPipeline({
          engines: { baileys: { ...options, minBackoffMs: 60_000, maxBackoffMs: 60_000 } },
        });
        const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
        const started = Date.now();
        const { id } = await admin.sessions.create({ name: "Offline", engine: "baileys" });
        const failed = await waitForRow(pipeline, id, (row) => row.status === "failed", "the failed status", 10_000);
        process.stderr.write(`real Baileys reported after ${Date.now() - started} ms: ${failed.lastError}\n`);
        expect(failed.lastError).toMatch(
          /^WhatsApp is unreachable from this machine \(.*ENOTFOUND web\.whatsapp\.com\)$/,
        );
        expect(failed.nextRetryAt).toBeInstanceOf(Date);
        // The worker keeps serving the simulator session.
        const result = await inbound(pipeline, "+14155550160", "hello there");
        expect(result.status).toBe("stored");
        await waitForReplies(pipeline.db, "+14155550160", 1);
        expect(rejections).toEqual([]);
      } finally {
        process.off("unhandledRejection", onRejection);
      }
    },
  );
});

describe("Baileys' login in Postgres", () => {
  it("writes a batch of keys in one transaction: a batch that fails leaves none of it", async () => {
    const { database, sessionId } = await baileysSession("Keys");
    const { loadBaileysAuth } = await import("~/workers/engines/baileys/auth-state");
    const quiet = createLogger("keys", "silent");
    const auth = await loadBaileysAuth({
      db: database.db,
      sessionId,
      appSecret: FAKE_BAILEYS_APP_SECRET,
      log: quiet,
      libraryLog: quiet,
    });
    const keyPair = { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) };
    await auth.state.keys.set({ "pre-key": { "1": keyPair } });
    // The upsert is fine, the delete is refused by Postgres (a NUL in text): all or nothing.
    await expect(
      auth.state.keys.set({ "pre-key": { "2": keyPair }, session: { "bad\u0000id": null } }),
    ).rejects.toThrow();
    const rows = await database.db.select().from(waEngineKeys).where(eq(waEngineKeys.sessionId, sessionId));
    expect(rows.map((row) => `${row.type}/${row.keyId}`)).toEqual(["pre-key/1"]);
    // Read back in one query, Buffers intact.
    const again = await loadBaileysAuth({
      db: database.db,
      sessionId,
      appSecret: FAKE_BAILEYS_APP_SECRET,
      log: quiet,
      libraryLog: quiet,
    });
    const found = await again.state.keys.get("pre-key", ["1", "2"]);
    expect(Object.keys(found)).toEqual(["1"]);
    expect(Buffer.from(found["1"]!.public).equals(keyPair.public)).toBe(true);
  });
});

describe("Baileys echo of our own sends (the connection alone)", () => {
  it("never reports the echo of our send as typed on the phone, and does report a person's", async () => {
    const { database, sessionId } = await baileysSession("Echo");
    const fake = createFakeBaileys();
    const typed: string[] = [];
    const transport = createBaileysConnection({
      ...fakeBaileysOptions(fake.factory),
      db: database.db,
      sessionId,
      log: createLogger("echo", "silent"),
      typing: () => ({ enabled: false, maxMs: 1_000 }),
    });
    await transport.start({
      ...recordingHandlers([]),
      onPhoneMessage: (message) => {
        typed.push(message.waMessageId);
        return Promise.resolve();
      },
    });
    await (await waitForSocket(fake, 1)).scan();
    await waitFor(() => Promise.resolve(transport.status() === "ready" || undefined), 10_000, "linked");
    const { waMessageId } = await transport.send({ to: "+14155550123", body: "our reply", clientRef: "ref-echo-1" });
    expect(waMessageId).toMatch(/^3EB0/);
    expect(await transport.findSentMany!([{ clientRef: "ref-echo-1", to: "+14155550123" }])).toEqual(
      new Map([["ref-echo-1", waMessageId]]),
    );
    const person = fake.sockets[1]!.typeOnPhone("14155550123@s.whatsapp.net", "a person");
    await waitFor(() => Promise.resolve(typed.length > 0 || undefined), 5_000, "the phone message");
    expect(typed).toEqual([person.key.id]);
    await transport.stop();
  });
});
