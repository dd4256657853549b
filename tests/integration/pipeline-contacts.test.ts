import { and, eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { createDb } from "~/db/client";
import { contacts, events, messages, ruleHits, threads } from "~/db/schema";
import { replyWithAi } from "~/server/ai/ai-reply";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { createSentRecorder, sendQueuedBatch } from "~/server/messaging/outbound";
import { Pacer } from "~/server/messaging/pacing";
import { processInboundBatch } from "~/server/messaging/process";
import { sendToNumber } from "~/server/messaging/send-to-number";
import type { TRuleInput } from "~/server/rules/schema";
import { ZPacing } from "~/server/sessions/settings";
import { updateOrgSettings } from "~/server/settings/settings";
import { createSimulatorConnection } from "~/workers/engines/simulator";
import { insertUser } from "../support/database";
import {
  conversationOf,
  deliveriesTo,
  inbound,
  publishRules,
  repliesTo,
  startPipeline,
  storedId,
  usePreparedDatabase,
  waitForProcessed,
  waitForReplies,
} from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const DEFAULT_REPLY = "Thanks for your message! We will get back to you shortly.";

/** Answers a question about prices, tags the contact and tells other systems. */
const PRICE_RULE: TRuleInput = {
  name: "Price list",
  conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
  actions: [
    { type: "reply", text: "Our prices: cleaning $80." },
    { type: "tag", tag: "asked-price" },
    { type: "emit_event", name: "price_question", data: {} },
  ],
};

/**
 * A rule that opts a contact out and tells them so (its words are not opt-out keywords, which
 * opt out before any rule runs: tests/integration/consent.test.ts).
 */
const STOP_RULE: TRuleInput = {
  name: "Opt out",
  conditions: { all: [{ fact: "message.text", operator: "inList", value: ["remove me", "no more messages"] }] },
  actions: [{ type: "opt_out" }, { type: "reply", text: "You will get no more messages from us." }],
  stopOnMatch: true,
};

async function insertContact(db: Parameters<typeof conversationOf>[0], sessionId: string, waId: string, flags: object) {
  await db.insert(contacts).values({ sessionId, waId, ...flags });
}

describe("blocked contacts", () => {
  it("[blocked] their messages are stored and shown, no rule runs and nothing automatic answers them", async () => {
    const pipeline = await startPipeline();
    await publishRules(pipeline.db, [PRICE_RULE]);
    const waId = "+15550002001";
    await insertContact(pipeline.db, pipeline.sessionId, waId, { blocked: true });
    const price = await inbound(pipeline, waId, "what is the price?");
    const hello = await inbound(pipeline, waId, "hello");
    const processed = [await waitForProcessed(pipeline.db, price), await waitForProcessed(pipeline.db, hello)];
    expect(processed.map((row) => row.noReplyReason)).toEqual(["blocked", "blocked"]);

    // Nothing was queued or sent, no rule fired or changed them, and the silence says why.
    expect(await repliesTo(pipeline.db, waId)).toEqual([]);
    expect(await deliveriesTo(pipeline.db, waId)).toEqual([]);
    expect(await pipeline.db.$count(ruleHits)).toBe(0);
    const conversation = await conversationOf(pipeline.db, waId);
    expect(conversation.contact.tags).toEqual([]);
    // One event per message; two decided in one batch share their time, so in either order.
    const unanswered = conversation.events.filter((event) => event.type === "message.unanswered");
    expect(unanswered).toHaveLength(2);
    expect(unanswered.map((event) => [event.messageId, event.payload])).toEqual(
      expect.arrayContaining([
        [storedId(price), { reason: "blocked" }],
        [storedId(hello), { reason: "blocked" }],
      ]),
    );
    expect(conversation.events.map((event) => event.type)).not.toContain("rule.custom_event");

    // The inbox shows both messages, and why the bot left them unanswered.
    const agent = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "agent") }),
    );
    const view = await agent.inbox.thread({ threadId: conversation.thread.id });
    expect(view.messages.map((message) => [message.body, message.noReplyReason])).toEqual([
      ["what is the price?", "blocked"],
      ["hello", "blocked"],
    ]);

    // Unblocked, the same contact is answered again.
    await pipeline.db.update(contacts).set({ blocked: false }).where(eq(contacts.waId, waId));
    await inbound(pipeline, waId, "price again?");
    const [reply] = await waitForReplies(pipeline.db, waId, 1);
    expect(reply?.body).toBe("Our prices: cleaning $80.");
  });

  it("[blocked] an AI reply written while the contact was being blocked is discarded", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    // The job runs at once here, not after the burst's quiet period (server/ai/burst.ts).
    await updateOrgSettings(database.db, null, { replyQuietMs: 0 });
    const [rule] = await publishRules(database.db, [
      {
        name: "AI",
        conditions: { all: [{ fact: "message.text", operator: "notEqual", value: "" }] },
        actions: [{ type: "ai_reply", profileId: null }],
      },
    ]);
    const waId = "+15550002002";
    const result = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: "ai-1",
      from: waId,
      body: "hours?",
    });
    expect([...(await processInboundBatch(database.db, boss, [storedId(result)])).values()]).toEqual(["replied"]);
    // The model is writing (the job is queued); meanwhile staff block the contact.
    await database.db.update(contacts).set({ blocked: true }).where(eq(contacts.waId, waId));
    const job = { messageId: storedId(result), ruleId: rule!.id, ruleVersion: 1, profileId: null };
    expect(await replyWithAi(database.db, boss, { gemini: null }, job)).toBe("blocked");
    expect(await repliesTo(database.db, waId)).toEqual([]);
    const { events } = await conversationOf(database.db, waId);
    expect(events.find((event) => event.type === "ai.replied")?.payload).toMatchObject({ discarded: "blocked" });
  });

  it("[blocked] neither a person in the inbox nor the API can message them", async () => {
    const pipeline = await startPipeline();
    const waId = "+14155552003";
    await inbound(pipeline, waId, "hi");
    await waitForReplies(pipeline.db, waId, 1);
    await pipeline.db.update(contacts).set({ blocked: true }).where(eq(contacts.waId, waId));
    const { thread } = await conversationOf(pipeline.db, waId);
    const agent = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "agent") }),
    );
    await expect(agent.inbox.reply({ threadId: thread.id, body: "hello?" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("blocked") as string,
    });
    await expect(
      pipeline.db.transaction((tx) => sendToNumber(tx, pipeline.boss, { to: waId, body: "promo" }, { apiKeyId: "k" })),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "This contact is blocked." });
    // The refused reply did not take the thread over either.
    const [after] = await pipeline.db.select().from(threads).where(eq(threads.id, thread.id));
    expect(after?.mode).toBe("bot");
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(1);
  });
});

describe("opted-out contacts", () => {
  it("[opted out] are answered when they write (the default), but never sent a message we start", async () => {
    const pipeline = await startPipeline();
    const waId = "+14155552010";
    await insertContact(pipeline.db, pipeline.sessionId, waId, { optedOut: true });
    await inbound(pipeline, waId, "are you open today?");
    const [reply] = await waitForReplies(pipeline.db, waId, 1);
    expect(reply?.body).toBe(DEFAULT_REPLY);
    await expect(
      pipeline.db.transaction((tx) => sendToNumber(tx, pipeline.boss, { to: waId, body: "promo" }, { apiKeyId: "k" })),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "This contact opted out of messages." });
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(1);
  });

  it("[opted out] with answerOptedOut off: no rule, AI or default reply, while their rules still tag them", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { answerOptedOut: false });
    await publishRules(pipeline.db, [PRICE_RULE]);
    const waId = "+15550002011";
    await insertContact(pipeline.db, pipeline.sessionId, waId, { optedOut: true });
    const price = await inbound(pipeline, waId, "price?");
    const hello = await inbound(pipeline, waId, "hello");
    const processed = [await waitForProcessed(pipeline.db, price), await waitForProcessed(pipeline.db, hello)];
    expect(processed.map((row) => row.noReplyReason)).toEqual(["opted_out", "opted_out"]);
    expect(await repliesTo(pipeline.db, waId)).toEqual([]);
    const conversation = await conversationOf(pipeline.db, waId);
    expect(conversation.contact.tags).toEqual(["asked-price"]);
    expect(conversation.events.filter((event) => event.type === "message.unanswered").map((e) => e.payload)).toEqual([
      { reason: "opted_out" },
      { reason: "opted_out" },
    ]);
    // Someone who has not opted out is answered as always.
    await inbound(pipeline, "+15550002012", "price?");
    expect((await waitForReplies(pipeline.db, "+15550002012", 1))[0]?.body).toBe("Our prices: cleaning $80.");
  });

  it("[opted out] a rule's opt-out ('remove me') still sends the rule's confirmation; the next message is not answered", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { answerOptedOut: false });
    await publishRules(pipeline.db, [STOP_RULE]);
    const waId = "+15550002013";
    await inbound(pipeline, waId, "REMOVE ME");
    const [confirmation] = await waitForReplies(pipeline.db, waId, 1);
    expect(confirmation?.body).toBe("You will get no more messages from us.");
    const conversation = await conversationOf(pipeline.db, waId);
    expect(conversation.contact.optedOut).toBe(true);
    expect(conversation.events.find((event) => event.type === "contact.updated")?.payload).toEqual({
      by: "rule",
      changes: { optedOut: true },
    });
    const later = await inbound(pipeline, waId, "hello again");
    expect((await waitForProcessed(pipeline.db, later)).noReplyReason).toBe("opted_out");
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(1);
    expect(await deliveriesTo(pipeline.db, waId)).toHaveLength(1);
  });

  it("[opted out] a rule's opt-out and a later message in ONE batch: the confirmation goes out, the later message gets nothing", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await updateOrgSettings(database.db, null, { answerOptedOut: false });
    await publishRules(database.db, [STOP_RULE]);
    const waId = "+15550002014";
    const stop = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: "s-1",
      from: waId,
      body: "remove me",
    });
    const after = await ingestInbound(database.db, boss, { sessionId, waMessageId: "s-2", from: waId, body: "ok?" });
    const outcomes = await processInboundBatch(database.db, boss, [storedId(stop), storedId(after)]);
    expect(Object.fromEntries(outcomes)).toEqual({ [storedId(stop)]: "replied", [storedId(after)]: "opted_out" });
    expect((await repliesTo(database.db, waId)).map((reply) => [reply.body, reply.replyTo])).toEqual([
      ["You will get no more messages from us.", storedId(stop)],
    ]);
  });

  it("[opted out] a person may answer within 24 hours of their last message, not later", async () => {
    const pipeline = await startPipeline();
    const waId = "+15550002015";
    const first = await inbound(pipeline, waId, "question");
    await waitForReplies(pipeline.db, waId, 1);
    await pipeline.db.update(contacts).set({ optedOut: true }).where(eq(contacts.waId, waId));
    const { thread } = await conversationOf(pipeline.db, waId);
    const agent = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "agent") }),
    );
    await agent.inbox.reply({ threadId: thread.id, body: "Here is the answer." });
    await waitForReplies(pipeline.db, waId, 2);
    // A day and an hour later, a message would be one we start.
    await pipeline.db
      .update(messages)
      .set({ createdAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(messages.id, storedId(first)));
    await expect(agent.inbox.reply({ threadId: thread.id, body: "Any news?" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This contact opted out: you can answer them only within 24 hours of their last message.",
    });
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(2);
  });
});

describe("sends queued before the contact changed", () => {
  it("[send] nothing queued goes to a contact blocked since, no API message to one who opted out since; a reply to their opt-out still goes", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await publishRules(database.db, [STOP_RULE]);
    // Queued while nothing sends: an API message, a bot reply, and a rule's opt-out confirmation.
    const api = "+14155552020";
    await database.db.transaction((tx) =>
      sendToNumber(tx, boss, { to: api, body: "Your order shipped" }, { apiKeyId: "k" }),
    );
    const bot = "+15550002021";
    const stopper = "+15550002022";
    const hi = await ingestInbound(database.db, boss, { sessionId, waMessageId: "q-1", from: bot, body: "hi" });
    const stop = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: "q-2",
      from: stopper,
      body: "remove me",
    });
    await processInboundBatch(database.db, boss, [storedId(hi), storedId(stop)]);
    // Then the contacts change: one opts out, one is blocked (the opt-out rule opted the third out itself).
    await database.db.update(contacts).set({ optedOut: true }).where(eq(contacts.waId, api));
    await database.db.update(contacts).set({ blocked: true }).where(eq(contacts.waId, bot));

    const queued = await database.db
      .select({ id: messages.id, threadId: messages.threadId })
      .from(messages)
      .where(and(eq(messages.direction, "out"), eq(messages.status, "queued")));
    expect(queued).toHaveLength(3);
    const locks = createDb(database.url, { max: 2 });
    onTestFinished(() => locks.pool.end());
    const transport = createSimulatorConnection({
      db: database.db,
      boss,
      sessionId,
      settings: () => ({ acks: false, deliveredAfterMs: 0, readAfterMs: 0 }),
    });
    const errors = await sendQueuedBatch(
      database.db,
      transport,
      new Pacer(ZPacing.parse({ enabled: false })),
      queued.map((message) => ({
        jobId: `job-${message.id}`,
        messageId: message.id,
        threadId: message.threadId,
        isLastAttempt: false,
      })),
      { lockDb: locks.db, concurrency: 2, recorder: createSentRecorder(database.db) },
    );
    expect(errors.size).toBe(0);
    expect((await repliesTo(database.db, api)).map((reply) => [reply.status, reply.error])).toEqual([
      ["failed", "Not sent: the contact opted out before it went out."],
    ]);
    expect((await repliesTo(database.db, bot)).map((reply) => [reply.status, reply.error])).toEqual([
      ["failed", "Not sent: the contact was blocked before it went out."],
    ]);
    expect((await repliesTo(database.db, stopper)).map((reply) => [reply.body, reply.status])).toEqual([
      ["You will get no more messages from us.", "sent"],
    ]);
    expect(await deliveriesTo(database.db, api)).toEqual([]);
    expect(await deliveriesTo(database.db, bot)).toEqual([]);
    expect(await deliveriesTo(database.db, stopper)).toHaveLength(1);
    expect(await database.db.$count(events, eq(events.type, "message.failed"))).toBe(2);
  });
});
