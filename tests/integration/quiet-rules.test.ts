import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, messages } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { insertUser } from "../support/database";
import {
  conversationOf,
  inbound,
  publishRules,
  repliesTo,
  startPipeline,
  storedId,
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
