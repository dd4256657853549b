import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { ingestInbound } from "~/server/messaging/ingest";
import { LATE_AFTER_MS } from "~/server/messaging/inbound-message";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { notifySessionRequest } from "~/server/sessions/requests";
import { ENGINES, type TEngineOptions } from "~/workers/engines/registry";
import type { TEngine, TEngineHandlers } from "~/workers/engines/types";
import { insertUser } from "../support/database";
import { repliesTo, startPipeline, waitForProcessed } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

/**
 * What the runner does for every engine, beyond sending and hearing: requests the web announces
 * (restart, pairing by code, watching a contact's presence) carried out at once rather than at
 * the next lease tick; reconnects counted; memory sampled onto the session row. And the one
 * rule for every engine's late messages: stored, not answered.
 */

type TProbe = {
  handlers: TEngineHandlers | null;
  restarts: string[];
  pairing: string[];
  watched: string[];
};

function probeEngine(state: TProbe): TEngine<object> {
  return {
    descriptor: {
      kind: "probe",
      label: "Probe",
      description: "A test engine that records what the runner asks of it.",
      capabilities: { ...NO_CAPABILITIES, text: true, pairing: ["qr", "code"], contactPresence: true },
      settings: ["pacing"],
      controls: ["restart"],
      addable: true,
    },
    connect: () => ({
      async start(handlers) {
        state.handlers = handlers;
        await handlers.onQr("2@probe-qr");
      },
      stop: () => Promise.resolve(),
      async restart(reason) {
        state.restarts.push(reason);
        // A new connection after the old one went down: counted on the row.
        await state.handlers?.onStatus({ status: "connecting", reconnect: true });
      },
      async requestPairingCode(phone) {
        state.pairing.push(phone);
        await state.handlers?.onPairingCode("PRB3XK7Q");
      },
      watchPresence(to) {
        state.watched.push(to);
        return Promise.resolve();
      },
      memory: () => Promise.resolve({ bytes: 12_345_678, scope: "shared" as const }),
      send: () => Promise.reject(new Error("the probe does not send")),
    }),
  };
}

afterEach(() => {
  delete (ENGINES as Record<string, unknown>).probe;
});

async function row(db: Parameters<typeof notifySessionRequest>[0], id: string) {
  return (await db.select().from(waSessions).where(eq(waSessions.id, id)))[0]!;
}

describe("requests the web announces to the session's worker", () => {
  it("restart, a pairing code and a presence watch are carried out at once; reconnects are counted; memory is sampled", async () => {
    const state: TProbe = { handlers: null, restarts: [], pairing: [], watched: [] };
    Object.assign(ENGINES, { probe: probeEngine(state) });
    // A lease tick every 200 s: only the announcement can make the worker act within the test.
    const pipeline = await startPipeline({
      engines: { probe: {} } as TEngineOptions,
      leaseTtlS: 600,
      memorySampleMs: 200,
    });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Probe", engine: "probe" });
    // Created after the worker's first tick, the next 200 s away: the announcement of the new session starts it.
    await waitFor(async () => ((await row(pipeline.db, id)).status === "qr" ? true : undefined), 10_000, "the QR");

    await admin.sessions.restart({ id });
    await waitFor(() => Promise.resolve(state.restarts[0]), 5_000, "the restart, at once");
    await waitFor(
      async () => ((await row(pipeline.db, id)).reconnectCount === 1 ? true : undefined),
      5_000,
      "one reconnect counted",
    );

    // Pairing by code: the row says which number; the announcement makes the worker ask now.
    await pipeline.db
      .update(waSessions)
      .set({ pairingPhone: "+14155550100", pairingRequestedAt: new Date() })
      .where(eq(waSessions.id, id));
    await notifySessionRequest(pipeline.db, { sessionId: id, request: "control" });
    await waitFor(() => Promise.resolve(state.pairing[0]), 5_000, "the pairing request");
    expect(state.pairing).toEqual(["+14155550100"]);
    const paired = await waitFor(
      async () => {
        const current = await row(pipeline.db, id);
        return current.pairingCode ? current : undefined;
      },
      5_000,
      "the pairing code on the row",
    );
    expect(paired).toMatchObject({ status: "qr", pairingCode: "PRB3XK7Q" });
    // Once: the same request announced again is not asked twice.
    await notifySessionRequest(pipeline.db, { sessionId: id, request: "control" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(state.pairing).toHaveLength(1);

    // Linked: the code is gone from the row.
    await state.handlers!.onStatus({ status: "ready", phone: "+14155550100" });
    expect((await row(pipeline.db, id)).pairingCode).toBeNull();

    await notifySessionRequest(pipeline.db, { sessionId: id, request: "presence", to: "+14155550123" });
    await waitFor(() => Promise.resolve(state.watched[0]), 5_000, "the presence watch");
    expect(state.watched).toEqual(["+14155550123"]);

    const measured = await waitFor(
      async () => {
        const current = await row(pipeline.db, id);
        return current.memoryBytes ? current : undefined;
      },
      5_000,
      "the memory sample",
    );
    expect(measured).toMatchObject({ memoryBytes: 12_345_678, memoryScope: "shared" });
    expect((await admin.sessions.list()).find((session) => session.id === id)).toMatchObject({
      reconnectCount: 1,
      memoryBytes: 12_345_678,
      memoryScope: "shared",
    });
  });
});

describe("messages that reach us late", () => {
  it("are stored and their rules run, but the bot does not answer one older than LATE_AFTER_MS", async () => {
    const pipeline = await startPipeline();
    const deliver = (from: string, ageMs: number) =>
      ingestInbound(pipeline.db, pipeline.boss, {
        sessionId: pipeline.sessionId,
        waMessageId: `late-${from}-${ageMs}`,
        from,
        type: "text",
        body: "hello from the past",
        sentAt: new Date(Date.now() - ageMs),
      });
    const late = await deliver("+14155550171", LATE_AFTER_MS + 60_000);
    const recent = await deliver("+14155550172", LATE_AFTER_MS - 60_000);
    const lateRow = await waitForProcessed(pipeline.db, late);
    await waitForProcessed(pipeline.db, recent);
    expect(lateRow.flags).toContain("late");
    expect(lateRow.noReplyReason).toBe("too_old");
    expect(await repliesTo(pipeline.db, "+14155550171")).toEqual([]);
    const answered = await repliesTo(pipeline.db, "+14155550172");
    expect(answered).toHaveLength(1);
  });
});
