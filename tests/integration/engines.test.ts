import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { messages, threads, waEngines, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { ENGINES, type TEngineOptions } from "~/workers/engines/registry";
import type { TEngine, TEngineHandlers } from "~/workers/engines/types";
import { testContext } from "../support/trpc-context";
import { insertUser } from "../support/database";
import { conversationOf, startPipeline, usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";

/**
 * Engines as plug-ins: the worker publishes the engines it runs for the web, the web asks
 * what an engine can do (never its kind), and an engine added to the registry alone (here a
 * test engine, "loopback") is offered, created, run, sent through and heard from.
 */

type TLoopback = {
  handlers: TEngineHandlers | null;
  sent: { to: string; body: string; waMessageId: string }[];
  restarts: string[];
};

function loopbackEngine(state: TLoopback): TEngine<{ phone: string }> {
  return {
    descriptor: {
      kind: "loopback",
      label: "Loopback",
      description: "A test engine paired by code.",
      capabilities: { ...NO_CAPABILITIES, text: true, readReceipts: true, pairing: ["code"], phoneEcho: true },
      settings: ["pacing"],
      controls: ["restart"],
      addable: true,
    },
    connect: (_context, options) => ({
      async start(handlers) {
        state.handlers = handlers;
        await handlers.onStatus({ status: "ready", phone: options.phone });
      },
      stop: () => Promise.resolve(),
      restart(reason) {
        state.restarts.push(reason);
        return Promise.resolve();
      },
      send(message) {
        const waMessageId = `loop-${state.sent.length + 1}`;
        state.sent.push({ to: message.to, body: message.body, waMessageId });
        // Read at once: the ack overtakes the worker's record of the send, as a fast phone's may.
        void state.handlers?.onAck({ waMessageId, status: "read" });
        return Promise.resolve({ waMessageId });
      },
    }),
  };
}

afterEach(() => {
  delete (ENGINES as Record<string, unknown>).loopback;
});

describe("engines published by the worker, read by the web", () => {
  it("a worker publishes the engines it runs; the web lists them with their capabilities", async () => {
    const pipeline = await startPipeline();
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const [simulator] = await pipeline.db.select().from(waEngines).where(eq(waEngines.kind, "simulator"));
    // Published by this worker (not only the migration's copy), and read back as declared.
    expect(simulator?.publishedBy).toBe(pipeline.worker.workerId);
    const engines = await admin.sessions.engines();
    expect(engines.find((engine) => engine.kind === "simulator")).toEqual(ENGINES.simulator.descriptor);
    expect(engines.find((engine) => engine.kind === "wwebjs")).toMatchObject({
      addable: true,
      capabilities: { pairing: ["qr"], presence: true, phoneEcho: true },
    });
    const sessions = await admin.sessions.list();
    expect(sessions.find((session) => session.id === pipeline.sessionId)?.engine).toEqual(ENGINES.simulator.descriptor);
  });

  it("a stored description that does not validate reads as able to do nothing; an unpublished kind shows as itself", async () => {
    const database = await usePreparedDatabase();
    const admin = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "admin") }));
    await database.db
      .update(waEngines)
      .set({ capabilities: { text: "yes" }, controls: ["restart", "self-destruct"] })
      .where(eq(waEngines.kind, "wwebjs"));
    const [wwebjs] = (await admin.sessions.engines()).filter((engine) => engine.kind === "wwebjs");
    expect(wwebjs?.capabilities).toEqual(NO_CAPABILITIES);
    expect(wwebjs?.controls).toEqual(["restart"]);
    // A session of a kind nobody published shows as such, with no capability.
    await database.db.insert(waSessions).values({ name: "From the future", kind: "cloud-api" });
    const future = (await admin.sessions.list()).find((session) => session.name === "From the future");
    expect(future?.engine).toMatchObject({ kind: "cloud-api", label: "cloud-api", capabilities: NO_CAPABILITIES });
  });
});

describe("sessions by engine", () => {
  it("adds a number on the only engine staff can add when none is named, and refuses an engine that cannot be added", async () => {
    const database = await usePreparedDatabase();
    const admin = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "admin") }));
    const created = await admin.sessions.create({ name: "Front desk" });
    expect(created.kind).toBe("wwebjs");
    await expect(admin.sessions.create({ name: "Second simulator", engine: "simulator" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "No worker offers this engine.",
    });
    await expect(admin.sessions.create({ name: "Nope", engine: "telegraph" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await database.db.$count(waSessions)).toBe(2);
  });

  it("the simulator session has no client to restart or log out, and cannot be deleted; a WhatsApp number can", async () => {
    const database = await usePreparedDatabase();
    const admin = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "admin") }));
    await expect(admin.sessions.restart({ id: database.sessionId })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Simulator has no client to restart.",
    });
    await expect(admin.sessions.logout({ id: database.sessionId })).rejects.toMatchObject({
      message: "Simulator has no linked number to log out.",
    });
    await expect(admin.sessions.delete({ id: database.sessionId })).rejects.toMatchObject({
      message: "The simulator session is built in and cannot be deleted.",
    });
    const number = await admin.sessions.create({ name: "Shop" });
    await admin.sessions.restart({ id: number.id });
    await admin.sessions.logout({ id: number.id });
    await admin.sessions.delete({ id: number.id });
    expect(await database.db.$count(waSessions, eq(waSessions.id, number.id))).toBe(0);
  });

  it("an engine added to the registry alone is offered, created, run, sent through, heard from and controlled", async () => {
    const state: TLoopback = { handlers: null, sent: [], restarts: [] };
    Object.assign(ENGINES, { loopback: loopbackEngine(state) });
    const pipeline = await startPipeline({
      engines: { loopback: { phone: "+15550001111" } } as TEngineOptions,
    });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    expect((await admin.sessions.engines()).map((engine) => engine.kind)).toContain("loopback");
    // Two engines can be added now: one must be named.
    await expect(admin.sessions.create({ name: "Which?" })).rejects.toMatchObject({ message: "Choose an engine." });
    const { id } = await admin.sessions.create({ name: "Loop", engine: "loopback" });
    await admin.sessions.updateSettings({ id, pacing: { enabled: false } });

    // The worker runs it: it reports ready with its number.
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, id));
        return row?.status === "ready" ? row : undefined;
      },
      15_000,
      "the loopback session to be ready",
    );
    const listed = (await admin.sessions.list()).find((session) => session.id === id);
    expect(listed).toMatchObject({ phone: "+15550001111", engine: { label: "Loopback", controls: ["restart"] } });

    // A contact writes through it; the bot's reply goes out through it; its ack, come before the
    // send was recorded, still moves the reply on.
    await state.handlers!.onMessage({
      sessionId: id,
      waMessageId: "loop-in-1",
      from: "+14155550123",
      type: "text",
      body: "hello loop",
    });
    const reply = await waitFor(() => Promise.resolve(state.sent[0]), 15_000, "the reply sent through loopback");
    expect(reply.to).toBe("+14155550123");
    await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.waMessageId, reply.waMessageId));
        return row?.status === "read" ? row : undefined;
      },
      10_000,
      "the reply read",
    );

    // A person writes on the phone: the conversation becomes theirs.
    await state.handlers!.onPhoneMessage({
      to: "+14155550123",
      waMessageId: "loop-phone-1",
      body: "I'll take it from here",
      at: new Date(),
    });
    const { thread } = await conversationOf(pipeline.db, "+14155550123");
    const [after] = await pipeline.db.select().from(threads).where(eq(threads.id, thread.id));
    expect(after?.mode).toBe("human");

    // Its controls are its own: restart reaches it, log-out it does not have.
    await admin.sessions.restart({ id });
    await waitFor(() => Promise.resolve(state.restarts[0]), 10_000, "the restart");
    await expect(admin.sessions.logout({ id })).rejects.toMatchObject({
      message: "Loopback has no linked number to log out.",
    });
  });
});
