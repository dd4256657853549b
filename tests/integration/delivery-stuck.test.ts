import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { describe, expect, it } from "vitest";
import { messages, simulatorDeliveries, waEngines, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { enqueue } from "~/server/jobs/boss";
import {
  countStuckMessages,
  listStuckMessages,
  NOT_ACCEPTED_AFTER_MS,
  NOT_DELIVERED_AFTER_MS,
  sweepStuckMessages,
} from "~/server/delivery/stuck";
import { insertUser } from "../support/database";
import { conversationOf, inbound, startPipeline, type TPipeline, waitForProcessed } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const MINUTE = 60_000;

/**
 * A contact with a conversation (they wrote first), by number, once the pipeline is done with
 * it: any reply sent, so no send job of the thread is left to carry the test's messages along.
 */
async function contactThread(pipeline: TPipeline, waId: string) {
  await waitForProcessed(pipeline.db, await inbound(pipeline, waId, "hello"));
  const threadId = (await conversationOf(pipeline.db, waId)).thread.id;
  await waitFor(
    async () =>
      (await pipeline.db.$count(messages, and(eq(messages.threadId, threadId), eq(messages.status, "queued")))) === 0
        ? true
        : undefined,
    10_000,
    "the thread's replies to go",
  );
  // The send path recorded that the number sent; the test's clock then moves past the threshold
  // (a number that has gone quiet), so its queued messages are not taken to be waiting their turn.
  const [session] = await pipeline.db.select().from(waSessions).where(eq(waSessions.id, pipeline.sessionId));
  expect(session!.lastSentAt).not.toBeNull();
  await quietNumber(pipeline);
  return threadId;
}

/** The number last sent longer ago than the not-accepted threshold. */
async function quietNumber(pipeline: TPipeline) {
  await pipeline.db
    .update(waSessions)
    .set({ lastSentAt: new Date(Date.now() - NOT_ACCEPTED_AFTER_MS - MINUTE) })
    .where(eq(waSessions.id, pipeline.sessionId));
}

/**
 * An outbound message as a stuck one looks: `queued` with no send job left (its last try's
 * worker died), or `sent` long ago without a receipt; `ageMs` old.
 */
async function insertOutbound(
  pipeline: TPipeline,
  threadId: string,
  options: { status: "queued" | "sent" | "delivered"; ageMs: number; flags?: string[] },
) {
  const at = new Date(Date.now() - options.ageMs);
  const id = randomUUID();
  await pipeline.db.insert(messages).values({
    id,
    sessionId: pipeline.sessionId,
    threadId,
    direction: "out",
    body: `Your order ${id.slice(0, 6)} is ready`,
    source: "api",
    status: options.status,
    flags: options.flags ?? [],
    createdAt: at,
    queuedAt: at,
    ...(options.status === "queued" ? {} : { waMessageId: `sim-old-${id}`, sentAt: at }),
    ...(options.status === "delivered" ? { deliveredAt: at } : {}),
  });
  return id;
}

async function messageOf(pipeline: TPipeline, id: string) {
  const [row] = await pipeline.db.select().from(messages).where(eq(messages.id, id));
  return row!;
}

/** What the simulated phone received of this message (by the pipeline's client reference). */
async function deliveriesOf(pipeline: TPipeline, id: string) {
  return pipeline.db.select().from(simulatorDeliveries).where(eq(simulatorDeliveries.clientRef, id));
}

/** Send jobs ever made for this message (pg-boss keeps completed ones for a while). */
async function sendJobsOf(pipeline: TPipeline, id: string) {
  const { rows } = await pipeline.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pgboss.job where name = ${`send.${pipeline.sessionId}`} and data->>'messageId' = ${id}`,
  );
  return rows[0]!.n;
}

async function setSimulatorCapability(pipeline: TPipeline, resendUnaccepted: boolean) {
  await pipeline.db
    .update(waEngines)
    .set({ capabilities: sql`${waEngines.capabilities} || ${JSON.stringify({ resendUnaccepted })}::jsonb` })
    .where(eq(waEngines.kind, "simulator"));
}

async function setSessionStatus(pipeline: TPipeline, status: "ready" | "disconnected") {
  await pipeline.db.update(waSessions).set({ status }).where(eq(waSessions.id, pipeline.sessionId));
}

async function waitForDelivery(pipeline: TPipeline, id: string) {
  return waitFor(
    async () => {
      const found = await deliveriesOf(pipeline, id);
      return found.length > 0 ? found : undefined;
    },
    15_000,
    "the re-sent message to reach the phone",
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("delivery you can trust: stuck messages", () => {
  it("a message the engine never took on a connected number is flagged not_accepted and re-sent once; the phone gets it once", async () => {
    const pipeline = await startPipeline();
    const threadId = await contactThread(pipeline, "+14155558601");
    const stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    // Queued a moment ago: not stuck yet.
    const fresh = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: MINUTE });

    const first = await sweepStuckMessages(pipeline.db, pipeline.boss);
    expect(first.resent).toEqual([stuck]);
    expect((await messageOf(pipeline, stuck)).flags).toEqual(["stuck:not_accepted", "stuck_resent"]);
    await waitForDelivery(pipeline, stuck);
    const sent = await waitFor(
      async () => {
        const row = await messageOf(pipeline, stuck);
        return row.status === "queued" ? undefined : row;
      },
      10_000,
      "the re-sent message to be recorded",
    );
    expect(sent.waMessageId).toBe((await deliveriesOf(pipeline, stuck))[0]!.waMessageId);
    expect(await messageOf(pipeline, fresh)).toMatchObject({ status: "queued", flags: [] });

    // Stuck again afterwards (put back by hand): flagged, but never a second re-send.
    await pipeline.db
      .update(messages)
      .set({ status: "queued", waMessageId: null, flags: ["stuck:number_disconnected", "stuck_resent"] })
      .where(eq(messages.id, stuck));
    await quietNumber(pipeline);
    const again = await sweepStuckMessages(pipeline.db, pipeline.boss);
    expect(again.resent).toEqual([]);
    expect((await messageOf(pipeline, stuck)).flags).toEqual(["stuck_resent", "stuck:not_accepted"]);
    await sleep(1_500);
    expect(await deliveriesOf(pipeline, stuck)).toHaveLength(1);
    expect(await sendJobsOf(pipeline, stuck)).toBe(1);
  });

  it("a queued message on a connected number that is sending is waiting for its turn (pacing), not stuck; once the number goes quiet it is", async () => {
    const pipeline = await startPipeline();
    await setSimulatorCapability(pipeline, false);
    const threadId = await contactThread(pipeline, "+14155558609");
    const waiting = await insertOutbound(pipeline, threadId, {
      status: "queued",
      ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE,
    });
    // The number sent something 2 minutes ago: it works through a backlog behind its pacing.
    await pipeline.db
      .update(waSessions)
      .set({ lastSentAt: new Date(Date.now() - 2 * MINUTE) })
      .where(eq(waSessions.id, pipeline.sessionId));
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 0, resent: [] });
    expect(await messageOf(pipeline, waiting)).toMatchObject({ status: "queued", flags: [] });
    // Quiet for the whole threshold while the message waits: now it is not accepted.
    await quietNumber(pipeline);
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 1, resent: [] });
    expect(await messageOf(pipeline, waiting)).toMatchObject({ status: "queued", flags: ["stuck:not_accepted"] });
  });

  it("an engine that cannot make a re-send certain: flagged not_accepted, never re-sent", async () => {
    const pipeline = await startPipeline();
    await setSimulatorCapability(pipeline, false);
    const threadId = await contactThread(pipeline, "+14155558602");
    const stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    const swept = await sweepStuckMessages(pipeline.db, pipeline.boss);
    expect(swept).toEqual({ flagged: 1, resent: [] });
    const row = await messageOf(pipeline, stuck);
    expect(row).toMatchObject({ status: "queued", flags: ["stuck:not_accepted"] });
    await sleep(1_500);
    expect(await deliveriesOf(pipeline, stuck)).toHaveLength(0);
    expect(await sendJobsOf(pipeline, stuck)).toBe(0);
  });

  it("a message queued while its number is disconnected waits for the number: that cause, no re-send until it is back", async () => {
    const pipeline = await startPipeline();
    const threadId = await contactThread(pipeline, "+14155558603");
    await setSessionStatus(pipeline, "disconnected");
    const stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 1, resent: [] });
    expect((await messageOf(pipeline, stuck)).flags).toEqual(["stuck:number_disconnected"]);
    // The same sweep again writes nothing (already flagged with this cause).
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 0, resent: [] });
    expect(await countStuckMessages(pipeline.db)).toMatchObject({ total: 1, number_disconnected: 1 });

    // The number is back and the message still did not go: now the engine's, re-sent once.
    await setSessionStatus(pipeline, "ready");
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 1, resent: [stuck] });
    expect((await messageOf(pipeline, stuck)).flags).toEqual(["stuck:not_accepted", "stuck_resent"]);
    await waitForDelivery(pipeline, stuck);
  });

  it("sent without a delivery receipt past the threshold: flagged not_delivered, stays sent, never re-sent", async () => {
    const pipeline = await startPipeline();
    const threadId = await contactThread(pipeline, "+14155558604");
    const old = await insertOutbound(pipeline, threadId, { status: "sent", ageMs: NOT_DELIVERED_AFTER_MS + MINUTE });
    const recent = await insertOutbound(pipeline, threadId, { status: "sent", ageMs: NOT_DELIVERED_AFTER_MS - MINUTE });
    const delivered = await insertOutbound(pipeline, threadId, {
      status: "delivered",
      ageMs: NOT_DELIVERED_AFTER_MS + MINUTE,
    });
    expect(await sweepStuckMessages(pipeline.db, pipeline.boss)).toEqual({ flagged: 1, resent: [] });
    expect(await messageOf(pipeline, old)).toMatchObject({ status: "sent", flags: ["stuck:not_delivered"] });
    expect((await messageOf(pipeline, recent)).flags).toEqual([]);
    expect((await messageOf(pipeline, delivered)).flags).toEqual([]);
    expect(await sendJobsOf(pipeline, old)).toBe(0);

    // Failed messages lists it with its cause and age; Analytics counts it.
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const listed = await admin.outbox.stuck();
    expect(listed).toEqual([
      expect.objectContaining({ id: old, cause: "not_delivered", status: "sent", resent: false, waId: "+14155558604" }),
    ]);
    expect(Date.now() - listed[0]!.since.getTime()).toBeGreaterThan(NOT_DELIVERED_AFTER_MS);
    expect(await countStuckMessages(pipeline.db, pipeline.sessionId)).toMatchObject({ total: 1, not_delivered: 1 });
    const today = new Date().toISOString().slice(0, 10);
    expect((await admin.analytics.overview({ from: today, to: today })).stuck).toEqual({
      total: 1,
      number_disconnected: 0,
      not_accepted: 0,
      not_delivered: 1,
    });
    // Its receipt comes after all: no longer stuck (the flag stays as history).
    await pipeline.db.update(messages).set({ status: "delivered" }).where(eq(messages.id, old));
    expect(await listStuckMessages(pipeline.db)).toEqual([]);
    expect((await countStuckMessages(pipeline.db)).total).toBe(0);
  });

  it("the worker's delivery.sweep job runs the sweep", async () => {
    const pipeline = await startPipeline();
    await setSimulatorCapability(pipeline, false);
    const threadId = await contactThread(pipeline, "+14155558605");
    const stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    await enqueue(pipeline.boss, "delivery.sweep", {});
    await waitFor(
      async () => ((await messageOf(pipeline, stuck)).flags.includes("stuck:not_accepted") ? true : undefined),
      15_000,
      "the sweep job to flag the message",
    );
  });
});

describe("delivery you can trust: the one re-send across crashes (deterministic faults)", () => {
  it("the worker dies after the re-send's job is made, before the claim commits: nothing happened; the next sweep re-sends once", async () => {
    const pipeline = await startPipeline();
    const threadId = await contactThread(pipeline, "+14155558606");
    const stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    // The fault, at the exact point: the send job is written (in the sweep's transaction), then the worker dies.
    const dying = new Proxy(pipeline.boss, {
      get(target, property, receiver) {
        if (property === "insert") {
          return async (...args: Parameters<PgBoss["insert"]>) => {
            await target.insert(...args);
            throw new Error("worker died after the re-send's job was written");
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    await expect(sweepStuckMessages(pipeline.db, dying)).rejects.toThrow("worker died");
    expect((await messageOf(pipeline, stuck)).flags).toEqual([]);
    expect(await sendJobsOf(pipeline, stuck)).toBe(0);

    expect((await sweepStuckMessages(pipeline.db, pipeline.boss)).resent).toEqual([stuck]);
    expect((await sweepStuckMessages(pipeline.db, pipeline.boss)).resent).toEqual([]);
    await waitForDelivery(pipeline, stuck);
    await sleep(1_000);
    expect(await deliveriesOf(pipeline, stuck)).toHaveLength(1);
    expect(await sendJobsOf(pipeline, stuck)).toBe(1);
  });

  it("the re-sent message reaches the phone, then the worker dies before recording it: the retry asks the engine and sends nothing again", async () => {
    let sends = 0;
    let stuck = "";
    const pipeline = await startPipeline({
      sendPolicy: { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
      createTransport: (simulator) => ({
        ...simulator,
        send: async (message, signal) => {
          const accepted = await simulator.send(message, signal);
          if (message.clientRef === stuck) {
            sends += 1;
            if (sends === 1) throw new Error("worker died after the engine accepted the re-send");
          }
          return accepted;
        },
      }),
    });
    const threadId = await contactThread(pipeline, "+14155558607");
    stuck = await insertOutbound(pipeline, threadId, { status: "queued", ageMs: NOT_ACCEPTED_AFTER_MS + MINUTE });
    expect((await sweepStuckMessages(pipeline.db, pipeline.boss)).resent).toEqual([stuck]);
    const recorded = await waitFor(
      async () => {
        const row = await messageOf(pipeline, stuck);
        return row.status === "queued" ? undefined : row;
      },
      20_000,
      "the re-send to be recorded after the retry",
    );
    const delivered = await deliveriesOf(pipeline, stuck);
    expect(delivered).toHaveLength(1);
    expect(sends).toBe(1);
    expect(recorded.waMessageId).toBe(delivered[0]!.waMessageId);
    // And the sweep does not re-send it again.
    expect((await sweepStuckMessages(pipeline.db, pipeline.boss)).resent).toEqual([]);
  });
});
