import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { analyticsResponses, events, messages, threads } from "~/db/schema";
import { queueOutbound, recordSentOutbound } from "~/server/conversations/outbound";
import { createBoss, enqueueSends } from "~/server/jobs/boss";
import { sendQueueName } from "~/server/jobs/queues";
import { ingestInbound } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import { insertUser } from "../support/database";
import { conversationOf, publishRules, storedId, usePreparedDatabase } from "../support/pipeline";

/** A prepared database and a sending pg-boss (no worker: nothing is sent, the jobs stay queued). */
async function setUp() {
  const { sessionId, ...database } = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ close: true, graceful: false }));
  return { ...database, sessionId, boss };
}

async function sendJobs(db: Awaited<ReturnType<typeof setUp>>["db"], sessionId: string) {
  const { rows } = await db.execute<{ message_id: string; thread_id: string; group_id: string }>(sql`
    select data->>'messageId' as message_id, data->>'threadId' as thread_id, group_id
    from pgboss.job where name = ${sendQueueName(sessionId)} order by created_on, id`);
  return rows;
}

describe("conversations: the one outbound entry point", () => {
  it("[outbound] answers a contact who waited longer than an int of milliseconds (25 days) without failing", async () => {
    const { db, boss, sessionId } = await setUp();
    await ingestInbound(db, boss, { sessionId, waMessageId: "old-1", from: "+15550007009", body: "hello?" });
    const { thread } = await conversationOf(db, "+15550007009");
    await db
      .update(threads)
      .set({ awaitingSince: sql`now() - interval '40 days'` })
      .where(eq(threads.id, thread.id));
    await db.transaction((tx) =>
      queueOutbound(tx, boss, [
        { sessionId, threadId: thread.id, contactId: thread.contactId, body: "sorry for the wait", source: "rule" },
      ]),
    );
    const [response] = await db.select().from(analyticsResponses).where(eq(analyticsResponses.threadId, thread.id));
    expect(response?.responseMs).toBe(2_147_483_647);
  });

  it("[outbound] stores a batch in order with its events, one response time per waiting conversation, and a send job per message", async () => {
    const { db, boss, sessionId } = await setUp();
    const agent = await insertUser(db, "agent");
    const a = await ingestInbound(db, boss, { sessionId, waMessageId: "a-1", from: "+15550007001", body: "hi" });
    await ingestInbound(db, boss, { sessionId, waMessageId: "b-1", from: "+15550007002", body: "hey" });
    const [threadA, threadB] = [
      (await conversationOf(db, "+15550007001")).thread,
      (await conversationOf(db, "+15550007002")).thread,
    ];
    expect(threadA.awaitingSince).not.toBeNull();
    expect(threadB.awaitingSince).not.toBeNull();
    const ids = { sessionId };
    const stored = await db.transaction((tx) =>
      queueOutbound(tx, boss, [
        {
          ...ids,
          threadId: threadA.id,
          contactId: threadA.contactId,
          body: "one",
          source: "rule",
          replyToMessageId: storedId(a),
        },
        {
          ...ids,
          threadId: threadA.id,
          contactId: threadA.contactId,
          body: "two",
          source: "rule",
          replyToMessageId: storedId(a),
        },
        {
          ...ids,
          threadId: threadB.id,
          contactId: threadB.contactId,
          body: "three",
          source: "agent",
          authorUserId: agent.id,
          event: { source: "agent", by: agent.id },
        },
      ]),
    );
    expect(stored).toHaveLength(3);
    expect(stored.map((row) => row.seq)).toEqual([...stored.map((row) => row.seq)].sort((x, y) => x - y));
    const rows = await db.select().from(messages).where(eq(messages.direction, "out")).orderBy(asc(messages.seq));
    expect(rows.map((row) => [row.body, row.status, row.source])).toEqual([
      ["one", "queued", "rule"],
      ["two", "queued", "rule"],
      ["three", "queued", "agent"],
    ]);
    const queued = await db.select().from(events).where(eq(events.type, "message.queued"));
    expect(queued.map((event) => event.messageId).sort()).toEqual(stored.map((row) => row.id).sort());
    expect(queued.find((event) => event.messageId === stored[2]!.id)!.payload).toEqual({
      source: "agent",
      by: agent.id,
    });
    // One answer per waiting conversation, by whom it was answered; nobody waits any more.
    const responses = await db.select().from(analyticsResponses).orderBy(asc(analyticsResponses.responder));
    expect(responses.map((row) => [row.threadId, row.responder, row.userId])).toEqual([
      [threadA.id, "bot", null],
      [threadB.id, "human", agent.id],
    ]);
    const after = await db.select().from(threads).orderBy(asc(threads.id));
    for (const thread of after) expect(thread.awaitingSince).toBeNull();
    // A person's answer restarts the idle handback's clock; the bot's does not.
    expect(after.find((thread) => thread.id === threadB.id)!.humanActiveAt).not.toBeNull();
    expect(after.find((thread) => thread.id === threadA.id)!.humanActiveAt).toBeNull();
    const jobs = await sendJobs(db, sessionId);
    expect(
      jobs.map((job) => [job.message_id, job.thread_id, job.group_id]).sort((x, y) => x[0]!.localeCompare(y[0]!)),
    ).toEqual(
      [
        [stored[0]!.id, threadA.id, threadA.id],
        [stored[1]!.id, threadA.id, threadA.id],
        [stored[2]!.id, threadB.id, threadB.id],
      ].sort((x, y) => x[0]!.localeCompare(y[0]!)),
    );
  });

  it("[outbound] a phone message stored before is a no-op, and a send payload that fails its schema is refused", async () => {
    const { db, boss, sessionId } = await setUp();
    await ingestInbound(db, boss, { sessionId, waMessageId: "p-1", from: "+15550007003", body: "hi" });
    const { thread } = await conversationOf(db, "+15550007003");
    const item = {
      sessionId,
      threadId: thread.id,
      contactId: thread.contactId,
      body: "typed on the phone",
      source: "phone" as const,
      sent: { waMessageId: "phone-1", at: new Date() },
    };
    const first = await db.transaction((tx) => recordSentOutbound(tx, [item]));
    const again = await db.transaction((tx) => recordSentOutbound(tx, [item]));
    expect(first).toHaveLength(1);
    expect(again).toEqual([]);
    expect(await db.$count(messages, eq(messages.waMessageId, "phone-1"))).toBe(1);
    expect(await db.$count(events, eq(events.type, "message.sent"))).toBe(1);
    expect(await db.$count(analyticsResponses)).toBe(1);
    expect(await sendJobs(db, sessionId)).toEqual([]);

    await expect(enqueueSends(boss, [{ id: "not-a-message-id", sessionId, threadId: thread.id }])).rejects.toThrow();
    expect(await sendJobs(db, sessionId)).toEqual([]);
  });
});

describe("conversations: state decided by message.process", () => {
  it("[state] a reply and a hand-off, then a message nobody answers in the same batch: the contact waits since that message", async () => {
    const { db, boss, sessionId } = await setUp();
    await publishRules(db, [
      {
        name: "Hand over",
        conditions: { all: [{ fact: "message.text", operator: "equal", value: "a person please" }] },
        actions: [
          { type: "reply", text: "Connecting you to a person." },
          { type: "handoff", assigneeId: null, note: "" },
        ],
      },
    ]);
    const waId = "+15550007004";
    const first = await ingestInbound(db, boss, { sessionId, waMessageId: "s-1", from: waId, body: "a person please" });
    const second = await ingestInbound(db, boss, { sessionId, waMessageId: "s-2", from: waId, body: "hello?" });
    const outcomes = await processInboundBatch(db, boss, [storedId(first), storedId(second)]);
    expect([outcomes.get(storedId(first)), outcomes.get(storedId(second))]).toEqual(["replied", "human_mode"]);
    const { thread, events: recorded } = await conversationOf(db, waId);
    const [secondRow] = await db
      .select()
      .from(messages)
      .where(eq(messages.id, storedId(second)));
    expect(thread.mode).toBe("human");
    expect(thread.handoffAt).not.toBeNull();
    expect(thread.awaitingSince?.getTime()).toBe(secondRow!.createdAt.getTime());
    expect(recorded.filter((event) => event.type === "thread.handoff").map((event) => event.payload)).toEqual([
      { by: "rule", ruleId: expect.any(String) as string, assigneeId: null, note: "" },
    ]);
    expect(await db.$count(analyticsResponses)).toBe(1);
  });
});
