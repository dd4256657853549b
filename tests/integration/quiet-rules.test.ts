import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { events, messages } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import { insertUser } from "../support/database";
import {
  conversationOf,
  inbound,
  publishRules,
  repliesTo,
  startPipeline,
  storedId,
  usePreparedDatabase,
  waitForReplies,
  type TPipeline,
} from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A rule that needs words from two of the burst's messages; the default reply answers anything else. */
async function setUp(pipeline: TPipeline, settings: { replyQuietMs: number; quietBeforeRules: boolean }) {
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  await admin.settings.update(settings);
  await publishRules(pipeline.db, [
    {
      name: "Where is my order",
      conditions: {
        all: [
          { fact: "message.text", operator: "containsWord", value: "where" },
          { fact: "message.text", operator: "containsWord", value: "order" },
        ],
      },
      actions: [{ type: "reply", text: "Your order left the shop this morning." }],
    },
  ]);
}

async function writeBurst(pipeline: TPipeline, phone: string, texts: readonly string[]) {
  const ids: string[] = [];
  for (const [index, text] of texts.entries()) {
    if (index > 0) await sleep(400);
    ids.push(storedId(await inbound(pipeline, phone, text)));
  }
  return ids;
}

describe("the quiet period before rules (Settings: wait before rules too)", () => {
  it("decides a burst as one message: one reply, from a rule that needed the burst's texts together", async () => {
    const pipeline = await startPipeline();
    await setUp(pipeline, { replyQuietMs: 1_500, quietBeforeRules: true });
    const phone = "+15550024001";
    const ids = await writeBurst(pipeline, phone, ["hi", "where is my", "order?"]);
    const lastAt = Date.now();
    const [reply] = await waitForReplies(pipeline.db, phone, 1);
    expect(reply!.body).toBe("Your order left the shop this morning.");
    const [stored] = await pipeline.db.select().from(messages).where(eq(messages.id, reply!.id));
    expect(stored!.replyToMessageId).toBe(ids[2]);
    // The latency it costs: at least the quiet period after the last message.
    expect(stored!.queuedAt!.getTime() - lastAt).toBeGreaterThanOrEqual(1_400);
    // Every message is processed; the earlier two ran no rule and got nothing of their own.
    const inbound3 = await pipeline.db
      .select({ id: messages.id, processedAt: messages.processedAt, noReplyReason: messages.noReplyReason })
      .from(messages)
      .where(and(eq(messages.threadId, stored!.threadId), eq(messages.direction, "in")))
      .orderBy(asc(messages.seq));
    expect(inbound3.map((row) => row.id)).toEqual(ids);
    expect(inbound3.every((row) => row.processedAt !== null && row.noReplyReason === null)).toBe(true);
    const fired = await pipeline.db.select().from(events).where(eq(events.type, "rule.fired"));
    expect(fired.filter((event) => ids.includes(event.messageId!)).map((event) => event.messageId)).toEqual([ids[2]]);
    // Nothing else comes: the quiet period has long passed for all three.
    await sleep(2_000);
    expect(await repliesTo(pipeline.db, phone)).toHaveLength(1);
    const { thread } = await conversationOf(pipeline.db, phone);
    expect(thread.awaitingSince).toBeNull();
  });

  it("is off by default: each message of the same burst is decided alone", async () => {
    const pipeline = await startPipeline();
    await setUp(pipeline, { replyQuietMs: 1_500, quietBeforeRules: false });
    const phone = "+15550024002";
    await writeBurst(pipeline, phone, ["hi", "where is my", "order?"]);
    const replies = await waitForReplies(pipeline.db, phone, 3);
    // No single message holds both words: the default reply answers each of the three.
    expect(replies.map((reply) => reply.body)).toEqual(
      Array(3).fill("Thanks for your message! We will get back to you shortly."),
    );
  });
});

describe("the quiet period before rules: a message too young is left for later", () => {
  it("is not processed now, and its job is queued again for the end of the quiet period, when it is decided", async () => {
    // No worker: the batch is run by hand, and the queued jobs are read from pg-boss's table.
    const database = await usePreparedDatabase();
    const { db, sessionId } = database;
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ graceful: false }));
    const admin = createCaller(testContext({ db, user: await insertUser(db, "admin") }));
    await admin.settings.update({ replyQuietMs: 1_500, quietBeforeRules: true });
    const id = storedId(
      await ingestInbound(db, boss, {
        sessionId,
        waMessageId: `in-${randomUUID()}`,
        from: "+15550024003",
        pushName: "Quiet Contact",
        type: "text",
        body: "hello",
      }),
    );
    const [stored] = await db.select().from(messages).where(eq(messages.id, id));

    expect(await processInboundBatch(db, boss, [id])).toEqual(new Map([[id, "deferred"]]));
    const [after] = await db.select().from(messages).where(eq(messages.id, id));
    expect(after!.processedAt).toBeNull();
    expect(await repliesTo(db, "+15550024003")).toEqual([]);
    // Queued again (besides ingest's own job), to start when the quiet period ends.
    const { rows: jobs } = await db.execute<{ start_after: string }>(sql`
      select start_after from pgboss.job
      where name = 'message.process' and data->>'messageId' = ${id} order by created_on, start_after`);
    expect(jobs).toHaveLength(2);
    expect(Math.abs(new Date(jobs[1]!.start_after).getTime() - (stored!.createdAt.getTime() + 1_500))).toBeLessThan(5);

    // At the end of the quiet period, the job runs again and decides it (the default reply).
    await sleep(Math.max(0, stored!.createdAt.getTime() + 1_550 - Date.now()));
    expect(await processInboundBatch(db, boss, [id])).toEqual(new Map([[id, "replied"]]));
    expect((await repliesTo(db, "+15550024003")).map((reply) => reply.body)).toEqual([
      "Thanks for your message! We will get back to you shortly.",
    ]);
  });
});
