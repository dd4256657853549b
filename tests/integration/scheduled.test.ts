/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   The API answers untyped JSON; the assertions are what check its shape. */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { messages, scheduledMessages } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { updateOrgSettings } from "~/server/settings/settings";
import { runScheduledMessage, runScheduledMessageIn } from "~/server/scheduled/scheduled";
import { insertUser } from "../support/database";
import { conversationOf, deliveriesTo, inbound, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { restClient } from "../support/rest-client";
import { testContext } from "../support/trpc-context";

function api(pipeline: TPipeline) {
  const call = restClient({ db: pipeline.db, boss: pipeline.boss, ratePerMinute: 600 });
  return async (method: string, path: string, key: string, body?: unknown) =>
    call(method, path, { key, body, headers: { "idempotency-key": randomUUID() } });
}

async function writeKey(pipeline: TPipeline) {
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  return (await admin.apiKeys.create({ name: "OTP", scopes: ["read", "write"] })).key;
}

async function scheduledRow(pipeline: TPipeline, id: string) {
  const [row] = await pipeline.db.select().from(scheduledMessages).where(eq(scheduledMessages.id, id));
  return row!;
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1_000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("scheduled messages", () => {
  it("sends a message scheduled through the API once, at its time", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    const sendAt = inSeconds(1.5);
    const answer = await call("POST", "/messages", key, { to: "+14155550161", body: "Your visit is today", sendAt });
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body.message).toBeUndefined();
    expect(answer.body.scheduled).toMatchObject({ state: "scheduled", sendAt, expiresAt: null, messageId: null });
    const id = answer.body.scheduled.id as string;
    // Not before its time.
    expect(await deliveriesTo(pipeline.db, "+14155550161")).toHaveLength(0);
    const delivered = await waitFor(
      async () => {
        const found = await deliveriesTo(pipeline.db, "+14155550161");
        return found.length > 0 ? found : undefined;
      },
      15_000,
      "the scheduled message to arrive",
    );
    expect(delivered[0]!.at.getTime()).toBeGreaterThanOrEqual(new Date(sendAt).getTime() - 50);
    const row = await scheduledRow(pipeline, id);
    expect(row.state).toBe("sent");
    const read = await call("GET", `/scheduled-messages/${id}`, key);
    expect(read).toMatchObject({ status: 200, body: { id, state: "sent", messageId: row.messageId } });
    await sleep(1_000);
    expect(await deliveriesTo(pipeline.db, "+14155550161")).toHaveLength(1);
  });

  it("queues a scheduled message once when its job runs twice, or crashes before its commit", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    // An hour ahead: its own job stays away; the test runs it as if the hour had passed.
    const answer = await call("POST", "/messages", key, {
      to: "+14155550162",
      body: "Twice?",
      sendAt: inSeconds(3_600),
    });
    const id = answer.body.scheduled.id as string;
    const later = new Date(Date.now() + 3_601_000);
    // A crash after queuing, before the commit: nothing of it stays.
    await expect(
      pipeline.db.transaction(async (tx) => {
        expect(await runScheduledMessageIn(tx, pipeline.boss, id, later)).toBe("sent");
        throw new Error("worker died");
      }),
    ).rejects.toThrow("worker died");
    expect((await scheduledRow(pipeline, id)).state).toBe("scheduled");
    expect(await pipeline.db.$count(messages, eq(messages.body, "Twice?"))).toBe(0);
    // The retry, and the job run again: one message.
    expect(await runScheduledMessage(pipeline.db, pipeline.boss, id, later)).toBe("sent");
    expect(await runScheduledMessage(pipeline.db, pipeline.boss, id, later)).toBe("done");
    await Promise.all([
      runScheduledMessage(pipeline.db, pipeline.boss, id, later),
      runScheduledMessage(pipeline.db, pipeline.boss, id, later),
    ]);
    expect(await pipeline.db.$count(messages, eq(messages.body, "Twice?"))).toBe(1);
    await waitFor(
      async () => (await deliveriesTo(pipeline.db, "+14155550162")).length === 1,
      10_000,
      "the one delivery",
    );
    await sleep(500);
    expect(await deliveriesTo(pipeline.db, "+14155550162")).toHaveLength(1);
  });

  it("sends nothing when cancelled before its time, and refuses a second cancel", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    const answer = await call("POST", "/messages", key, { to: "+14155550163", body: "Never", sendAt: inSeconds(1.5) });
    const id = answer.body.scheduled.id as string;
    const cancelled = await call("POST", `/scheduled-messages/${id}/cancel`, key);
    expect(cancelled).toMatchObject({ status: 200, body: { id, state: "cancelled" } });
    await sleep(3_000);
    expect(await deliveriesTo(pipeline.db, "+14155550163")).toHaveLength(0);
    expect(await pipeline.db.$count(messages, eq(messages.body, "Never"))).toBe(0);
    const again = await call("POST", `/scheduled-messages/${id}/cancel`, key);
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect(again.body.error.message).toContain("cancelled");
    const unknown = await call("GET", `/scheduled-messages/${randomUUID()}`, key);
    expect(unknown.status).toBe(404);
  });

  it("marks a message expired, never queued, when its job runs after the expiry", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    const answer = await call("POST", "/messages", key, {
      to: "+14155550164",
      body: "Code 111111",
      sendAt: inSeconds(3_600),
      expiresAt: inSeconds(3_660),
    });
    const id = answer.body.scheduled.id as string;
    expect(await runScheduledMessage(pipeline.db, pipeline.boss, id, new Date(Date.now() + 3_700_000))).toBe("expired");
    expect(await scheduledRow(pipeline, id)).toMatchObject({ state: "expired", messageId: null });
    expect(await pipeline.db.$count(messages, eq(messages.body, "Code 111111"))).toBe(0);
  });

  it("drops a one-time code queued while the number was down, once the number is back after its expiry", async () => {
    let down = true;
    let attempts = 0;
    const pipeline = await startPipeline({
      sendPolicy: { retryLimit: 30, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) => {
          if (message.to === "+14155550165") attempts += 1;
          return down ? Promise.reject(new Error("the phone is offline")) : simulator.send(message, signal);
        },
      }),
    });
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    const expiresAt = inSeconds(4);
    const answer = await call("POST", "/messages", key, {
      to: "+14155550165",
      body: "Your code is 424242",
      sendAt: inSeconds(1),
      expiresAt,
    });
    expect(answer.status).toBe(202);
    const id = answer.body.scheduled.id as string;
    // Queued at its time, and the number down: its sends fail and wait for retries.
    await waitFor(() => Promise.resolve(attempts > 0), 15_000, "a send attempt while the number is down");
    const queued = await scheduledRow(pipeline, id);
    expect(queued.state).toBe("sent");
    const [message] = await pipeline.db.select().from(messages).where(eq(messages.id, queued.messageId!));
    expect(message!.status).toBe("queued");
    // The number comes back after the expiry.
    await sleep(Math.max(0, new Date(expiresAt).getTime() - Date.now()) + 300);
    const triedWhileDown = attempts;
    down = false;
    const dropped = await waitFor(
      async () => {
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.id, queued.messageId!));
        return row?.status === "failed" ? row : undefined;
      },
      15_000,
      "the expired code to be dropped",
    );
    expect(dropped.error).toBe("expired");
    expect(await scheduledRow(pipeline, id)).toMatchObject({ state: "expired", reason: "expired" });
    await sleep(1_500);
    expect(await deliveriesTo(pipeline.db, "+14155550165")).toHaveLength(0);
    expect(attempts).toBe(triedWhileDown);
    // Other messages still go once it is back.
    const now = await call("POST", "/messages", key, { to: "+14155550165", body: "Hello again" });
    expect(now.status).toBe(202);
    await waitFor(
      async () => (await deliveriesTo(pipeline.db, "+14155550165")).length === 1,
      15_000,
      "the next message",
    );
  });

  it("refuses bad times with a 400 naming the field", async () => {
    const pipeline = await startPipeline();
    const call = api(pipeline);
    const key = await writeKey(pipeline);
    const send = (extra: Record<string, unknown>) =>
      call("POST", "/messages", key, { to: "+14155550166", body: "x", ...extra });
    const past = await send({ sendAt: inSeconds(-60) });
    expect(past).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(past.body.error.fields.sendAt).toBe("The time to send at has passed.");
    const tooFar = await send({ sendAt: inSeconds(31 * 86_400) });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.error.fields.sendAt).toBe("At most 30 days ahead.");
    const before = await send({ sendAt: inSeconds(60), expiresAt: inSeconds(30) });
    expect(before.status).toBe(400);
    expect(before.body.error.fields.expiresAt).toBe("The expiry must come after the time to send at.");
    const unreadable = await send({ sendAt: "tomorrow at noon" });
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.error.fields.sendAt).toBe("Give the time to send at as an ISO date and time.");
    const alone = await send({ expiresAt: inSeconds(60) });
    expect(alone.status).toBe(400);
    expect(alone.body.error.fields.expiresAt).toBe("An expiry needs a time to send at (sendAt).");
    expect(await pipeline.db.$count(scheduledMessages)).toBe(0);
    expect(await pipeline.db.$count(messages, eq(messages.body, "x"))).toBe(0);
  });

  it("[agent] schedules in a conversation they may reply to, in the org's time zone, and cancels it; not in one another took over", async () => {
    const pipeline = await startPipeline();
    await inbound(pipeline, "+15550026007", "hello");
    const { thread } = await waitFor(() => conversationOf(pipeline.db, "+15550026007"), 10_000, "the conversation");
    const caller = async (role: "agent" | "manager") =>
      createCaller(testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, role) }));
    const agent = await caller("agent");
    await updateOrgSettings(pipeline.db, null, { timeZone: "America/Sao_Paulo" });
    // Tomorrow 09:00 in São Paulo (UTC-3, no summer time): 12:00 UTC.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const scheduled = await agent.scheduled.create({
      threadId: thread.id,
      body: "See you tomorrow",
      sendAt: `${tomorrow}T09:00`,
    });
    expect(scheduled.sendAt.toISOString()).toBe(`${tomorrow}T12:00:00.000Z`);
    const listed = await agent.scheduled.list({ threadId: thread.id });
    expect(listed.map((row) => [row.id, row.body, row.state])).toEqual([
      [scheduled.id, "See you tomorrow", "scheduled"],
    ]);
    const refused = await agent.scheduled
      .create({ threadId: thread.id, body: "Too late", sendAt: "2020-01-01T09:00" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "BAD_REQUEST" });
    await agent.scheduled.cancel({ threadId: thread.id, id: scheduled.id });
    expect(await agent.scheduled.list({ threadId: thread.id })).toEqual([]);
    // A viewer may not; nor an agent where another person took the conversation over.
    const manager = await caller("manager");
    await expect(
      manager.scheduled.create({ threadId: thread.id, body: "x", sendAt: `${tomorrow}T09:00` }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await agent.inbox.takeOver({ threadId: thread.id });
    const other = await caller("agent");
    await expect(
      other.scheduled.create({ threadId: thread.id, body: "Mine now", sendAt: `${tomorrow}T09:00` }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(
      await agent.scheduled.create({ threadId: thread.id, body: "Still mine", sendAt: `${tomorrow}T10:00` }),
    ).toMatchObject({
      state: "scheduled",
    });
  });
});
