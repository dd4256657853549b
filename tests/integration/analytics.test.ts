import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  analyticsAiCalls,
  analyticsResponses,
  contacts,
  events,
  messages,
  ruleEvaluations,
  ruleHits,
  ruleVersions,
  threads,
  webhookAttempts,
  webhookDeliveries,
  webhooks,
} from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { runAnalyticsRollup } from "~/server/analytics/rollup";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const at = (iso: string) => new Date(iso);

/**
 * A hand-made week in America/New_York (UTC-5 in November). The range is 2026-11-10 and
 * 2026-11-11, local: [2026-11-10T05:00Z, 2026-11-12T05:00Z); the previous period is the two
 * days before. Every expected figure below is counted by hand from these rows.
 */
async function seed() {
  const database = await usePreparedDatabase();
  const { db, sessionId } = database;
  await updateOrgSettings(db, null, { timeZone: "America/New_York" });
  const contact = async (waId: string, firstSeen: string) =>
    (
      await db
        .insert(contacts)
        .values({ sessionId, waId, firstSeenAt: at(firstSeen) })
        .returning({ id: contacts.id })
    )[0]!.id;
  const thread = async (contactId: string) =>
    (await db.insert(threads).values({ contactId }).returning({ id: threads.id }))[0]!.id;
  const A = await contact("+14155550001", "2026-11-10T10:00:00Z");
  const B = await contact("+14155550002", "2026-11-10T12:00:00Z");
  const C = await contact("+14155550003", "2026-11-11T15:00:00Z");
  const D = await contact("+14155550004", "2026-11-09T20:00:00Z"); // previous period
  // Just outside both ends: before the previous period, and 00:00 local after the range.
  await contact("+14155550005", "2026-11-08T04:59:59Z");
  const [tA, tB, tC, tD] = [await thread(A), await thread(B), await thread(C), await thread(D)];
  const message = async (
    threadId: string,
    direction: "in" | "out",
    source: "contact" | "rule" | "ai" | "agent" | "api",
    createdAt: string,
  ) =>
    (
      await db
        .insert(messages)
        .values({
          sessionId,
          threadId,
          direction,
          source,
          body: "x",
          status: direction === "in" ? "received" : "sent",
          createdAt: at(createdAt),
        })
        .returning({ id: messages.id })
    )[0]!.id;
  const event = async (
    type: string,
    time: string,
    threadId: string | null,
    payload: Record<string, unknown> = {},
    messageId: string | null = null,
  ) => db.insert(events).values({ type, sessionId, threadId, messageId, payload, at: at(time) });
  // An AI reply sent: its event, and the row analytics reads (both written by replyWithAi).
  const aiReply = async (time: string, threadId: string, outcome: "ok" | "fallback", latencyMs: number) => {
    await event("ai.replied", time, threadId, { outcome, latencyMs });
    await db.insert(analyticsAiCalls).values({ at: at(time), sessionId, latencyMs, fallback: outcome === "fallback" });
  };

  // In the range.
  await message(tA, "in", "contact", "2026-11-10T10:00:00Z");
  const aReply = await message(tA, "out", "rule", "2026-11-10T10:00:02Z");
  await message(tA, "in", "contact", "2026-11-11T04:59:59Z"); // 23:59:59 local on the 10th: inside
  await message(tB, "in", "contact", "2026-11-10T12:00:00Z");
  await event("thread.handoff", "2026-11-10T12:00:01Z", tB, { by: "rule" });
  const bReply = await message(tB, "out", "agent", "2026-11-10T12:05:00Z");
  await message(tC, "in", "contact", "2026-11-11T15:00:00Z");
  const cApi = await message(tC, "out", "api", "2026-11-11T16:00:00Z");
  await message(tD, "in", "contact", "2026-11-12T05:00:00Z"); // 00:00 local on the 12th: outside
  await event("message.sent", "2026-11-10T10:00:03Z", tA, {}, aReply);
  await event("message.status", "2026-11-10T10:00:05Z", tA, { status: "delivered" }, aReply);
  await event("message.status", "2026-11-10T10:01:00Z", tA, { status: "read" }, aReply);
  await event("message.sent", "2026-11-10T12:05:01Z", tB, {}, bReply);
  await event("message.failed", "2026-11-11T16:00:05Z", tC, { error: "banned" }, cApi);
  await aiReply("2026-11-10T11:00:00Z", tA, "ok", 1000);
  await aiReply("2026-11-11T11:00:00Z", tA, "fallback", 3000);
  await db.insert(analyticsResponses).values([
    {
      threadId: tA,
      sessionId,
      responder: "bot",
      waitingSince: at("2026-11-10T10:00:00Z"),
      respondedAt: at("2026-11-10T10:00:02Z"),
      responseMs: 2000,
    },
    {
      threadId: tA,
      sessionId,
      responder: "bot",
      waitingSince: at("2026-11-11T04:59:59Z"),
      respondedAt: at("2026-11-11T05:00:05Z"),
      responseMs: 6000,
    },
    {
      threadId: tB,
      sessionId,
      responder: "human",
      waitingSince: at("2026-11-10T12:00:00Z"),
      respondedAt: at("2026-11-10T12:05:00Z"),
      responseMs: 300000,
    },
  ]);
  const [endpoint] = await db
    .insert(webhooks)
    .values({ url: "https://example.com/h", secret: Buffer.from("x") })
    .returning();
  const [eventRow] = await db
    .insert(events)
    .values({ type: "webhook.test", at: at("2026-11-10T10:00:00Z") })
    .returning();
  const [delivery] = await db
    .insert(webhookDeliveries)
    .values({ webhookId: endpoint!.id, eventId: eventRow!.id, eventType: "webhook.test" })
    .returning();
  await db.insert(webhookAttempts).values([
    { deliveryId: delivery!.id, attempt: 1, at: at("2026-11-10T10:00:01Z"), httpStatus: 500, latencyMs: 10 },
    { deliveryId: delivery!.id, attempt: 2, at: at("2026-11-10T10:00:06Z"), httpStatus: 200, latencyMs: 10 },
    { deliveryId: delivery!.id, attempt: 3, at: at("2026-11-11T10:00:00Z"), httpStatus: 204, latencyMs: 10 },
    { deliveryId: delivery!.id, attempt: 4, at: at("2026-11-12T05:00:00Z"), httpStatus: 500, latencyMs: 10 }, // outside
  ]);

  // The previous period: D writes, the AI answers.
  await message(tD, "in", "contact", "2026-11-09T20:00:00Z");
  await message(tD, "out", "ai", "2026-11-09T20:00:03Z");
  await aiReply("2026-11-09T20:00:03Z", tD, "ok", 2000);
  return database;
}

const EXPECTED_CURRENT = {
  messagesIn: 4,
  messagesOut: 3,
  activeContacts: 3,
  newContacts: 3,
  activeThreads: 3,
  botResolvedThreads: 1,
  handedOffThreads: 1,
  handoffRate: 1 / 3,
  firstResponse: {
    bot: { median: 4000, p90: 5600, count: 2 },
    human: { median: 300000, p90: 300000, count: 1 },
  },
  delivery: { sent: 2, delivered: 1, read: 1, failed: 1, successRate: 2 / 3 },
  ai: { calls: 2, latencyP50: 2000, latencyP95: 2900, fallbackRate: 0.5 },
  webhooks: { attempts: 3, succeeded: 2, successRate: 2 / 3 },
};

const EXPECTED_PREVIOUS = {
  messagesIn: 1,
  messagesOut: 1,
  activeContacts: 1,
  newContacts: 1,
  activeThreads: 1,
  botResolvedThreads: 1,
  handedOffThreads: 0,
  handoffRate: 0,
  firstResponse: { bot: { median: null, p90: null, count: 0 }, human: { median: null, p90: null, count: 0 } },
  delivery: { sent: 0, delivered: 0, read: 0, failed: 0, successRate: null },
  ai: { calls: 1, latencyP50: 2000, latencyP95: 2000, fallbackRate: 0 },
  webhooks: { attempts: 0, succeeded: 0, successRate: null },
};

describe("analytics overview", () => {
  it("equals the hand-computed figures, time zone and range ends included, live and from the rollup", async () => {
    const database = await seed();
    const manager = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "manager") }));
    const range = { from: "2026-11-10", to: "2026-11-11" };
    const live = await manager.analytics.overview(range);
    expect(live.range.start.toISOString()).toBe("2026-11-10T05:00:00.000Z");
    expect(live.range.end.toISOString()).toBe("2026-11-12T05:00:00.000Z");
    expect(live.current).toEqual(EXPECTED_CURRENT);
    expect(live.previous).toEqual(EXPECTED_PREVIOUS);

    // The same from the hourly rollup.
    await runAnalyticsRollup(database.db, new Date("2026-11-13T00:30:00Z"));
    const rolled = await manager.analytics.overview(range);
    expect(rolled.current).toEqual(EXPECTED_CURRENT);
    expect(rolled.previous).toEqual(EXPECTED_PREVIOUS);

    // The charts count the same messages, in local days and hours.
    const daily = await manager.analytics.messages({ ...range, bucket: "day" });
    expect(daily).toEqual([
      { bucket: "2026-11-10T00:00", messagesIn: 3, messagesOut: 2, handoffs: 1 },
      { bucket: "2026-11-11T00:00", messagesIn: 1, messagesOut: 1, handoffs: 0 },
    ]);
    expect(await manager.analytics.messages({ ...range, bucket: "hour" })).toHaveLength(48);
    const heat = await manager.analytics.busiestHours(range);
    // Tuesday 10th: 05:00, 07:00 and 23:00 local; Wednesday 11th: 10:00 local.
    expect(heat).toEqual([
      { weekday: 2, hour: 5, messages: 1 },
      { weekday: 2, hour: 7, messages: 1 },
      { weekday: 2, hour: 23, messages: 1 },
      { weekday: 3, hour: 10, messages: 1 },
    ]);
    expect(await manager.analytics.responseTimes(range)).toEqual([
      { day: "2026-11-10", botMedianMs: 2000, botP90Ms: 2000, humanMedianMs: 300000, humanP90Ms: 300000 },
      { day: "2026-11-11", botMedianMs: 6000, botP90Ms: 6000, humanMedianMs: null, humanP90Ms: null },
    ]);

    // A session filter that matches nothing.
    const other = await manager.analytics.overview({ ...range, sessionId: "00000000-0000-4000-8000-000000000000" });
    expect(other.current.messagesIn).toBe(0);
    await expect(manager.analytics.overview({ from: "2026-02-30", to: "2026-03-02" })).rejects.toThrow(
      "Not a date in the calendar",
    );
    await expect(manager.analytics.overview({ from: "2026-11-12", to: "2026-11-10" })).rejects.toThrow(
      "The range ends before it starts",
    );
  });

  it("shows an agent only their own row of the agents table; a manager sees everyone", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const ana = await insertUser(db, "agent", { name: "Ana" });
    const bo = await insertUser(db, "agent", { name: "Bo" });
    const [contact] = await db.insert(contacts).values({ sessionId, waId: "+14155550900" }).returning();
    const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
    const reply = (authorUserId: string) => ({
      sessionId,
      threadId: thread!.id,
      direction: "out" as const,
      source: "agent" as const,
      authorUserId,
      body: "x",
      status: "sent" as const,
      createdAt: at("2026-11-10T15:00:00Z"),
    });
    await db.insert(messages).values([reply(ana.id), reply(ana.id), reply(bo.id)]);
    const range = { from: "2026-11-10", to: "2026-11-10" };
    const asAna = await createCaller(testContext({ db, user: ana })).analytics.agents(range);
    expect(asAna.map((row) => [row.name, row.replies])).toEqual([["Ana", 2]]);
    const asManager = await createCaller(testContext({ db, user: await insertUser(db, "manager") })).analytics.agents(
      range,
    );
    expect(asManager.map((row) => [row.name, row.replies])).toEqual([
      ["Ana", 2],
      ["Bo", 1],
    ]);
  });

  it("counts each rule's evaluations, matches and the matches a hand-off followed in the same thread", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    await updateOrgSettings(db, null, { timeZone: "UTC" });
    const [prices, hours] = [randomUUID(), randomUUID()];
    await db.insert(ruleVersions).values({
      version: 1,
      snapshot: [
        { id: prices, name: "Prices" },
        { id: hours, name: "Hours" },
      ],
    });
    const thread = async (waId: string) => {
      const [contact] = await db.insert(contacts).values({ sessionId, waId }).returning();
      return (await db.insert(threads).values({ contactId: contact!.id }).returning())[0]!.id;
    };
    const [t1, t2, t3] = [await thread("+14155550801"), await thread("+14155550802"), await thread("+14155550803")];
    await db.insert(ruleEvaluations).values([
      { ruleId: prices, version: 1, evaluations: 10, matches: 4, at: at("2026-11-10T09:00:00Z") },
      { ruleId: prices, version: 1, evaluations: 5, matches: 5, at: at("2026-11-09T09:00:00Z") }, // outside
      { ruleId: hours, version: 1, evaluations: 10, matches: 1, at: at("2026-11-10T10:00:00Z") },
    ]);
    const hit = (ruleId: string, threadId: string, time: string) => ({
      ruleId,
      version: 1,
      messageId: randomUUID(),
      threadId,
      matched: true,
      at: at(time),
    });
    await db.insert(ruleHits).values([
      hit(prices, t1, "2026-11-10T09:00:00Z"), // followed by the hand-off at 09:05
      hit(prices, t1, "2026-11-10T09:10:00Z"), // after it: not followed
      hit(hours, t2, "2026-11-10T10:00:00Z"), // no hand-off in t2's range
      hit(prices, t2, "2026-11-09T23:00:00Z"), // before the range
      hit(prices, t3, "2026-11-10T11:00:00Z"), // a hand-off at the same instant follows it
    ]);
    const handoff = (threadId: string, time: string) => ({ type: "thread.handoff", sessionId, threadId, at: at(time) });
    await db
      .insert(events)
      .values([
        handoff(t1, "2026-11-10T09:05:00Z"),
        handoff(t2, "2026-11-10T01:00:00Z"),
        handoff(t3, "2026-11-10T11:00:00Z"),
      ]);
    const manager = createCaller(testContext({ db, user: await insertUser(db, "manager") }));
    expect(await manager.analytics.rules({ from: "2026-11-10", to: "2026-11-10" })).toEqual([
      {
        ruleId: prices,
        name: "Prices",
        evaluations: 10,
        matches: 4,
        matchRate: 0.4,
        lastFiredAt: at("2026-11-10T11:00:00Z"),
        followedByHandoff: 2,
      },
      {
        ruleId: hours,
        name: "Hours",
        evaluations: 10,
        matches: 1,
        matchRate: 0.1,
        lastFiredAt: at("2026-11-10T10:00:00Z"),
        followedByHandoff: 0,
      },
    ]);
  });
});
