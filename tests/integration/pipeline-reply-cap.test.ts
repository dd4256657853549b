import { eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { messages, webhookDeliveries } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import { updateOrgSettings } from "~/server/settings/settings";
import { buildWebhookPayloads } from "~/server/webhooks/events";
import { createEndpoint } from "~/server/webhooks/endpoints";
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
  type TPipeline,
} from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

/**
 * The other bot: answers every message our bot sends to `waId`, as a second WhatsApp bot would,
 * until our bot leaves one of its messages unanswered (processed, and no reply decided). Gives
 * up after `maxTurns`, so a missing cap fails the test instead of running forever.
 */
async function runOtherBot(pipeline: TPipeline, waId: string, maxTurns: number) {
  let seen = (await deliveriesTo(pipeline.db, waId)).length;
  let last = storedId(await inbound(pipeline, waId, "Hello! I am the other bot."));
  for (let turn = 1; turn <= maxTurns; turn += 1) {
    const next = await waitFor(
      async () => {
        const delivered = await deliveriesTo(pipeline.db, waId);
        if (delivered.length > seen) return { delivered };
        const [row] = await pipeline.db.select().from(messages).where(eq(messages.id, last));
        const answers = await pipeline.db.$count(messages, eq(messages.replyToMessageId, last));
        return row?.processedAt && answers === 0 ? { delivered: null } : undefined;
      },
      15_000,
      `our bot to answer, or to leave message ${last} unanswered`,
    );
    if (!next.delivered) return { turns: turn - 1, lastInbound: last };
    seen = next.delivered.length;
    last = storedId(await inbound(pipeline, waId, `Auto-reply ${turn}: thanks for "${next.delivered.at(-1)!.body}"`));
  }
  return { turns: maxTurns, lastInbound: last };
}

async function adminOf(db: TDb, boss: PgBoss) {
  const admin = await insertUser(db, "admin");
  return {
    admin,
    caller: createCaller(
      testContext({
        db,
        boss,
        user: admin,
        webhooks: { appSecret: "w".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
      }),
    ),
  };
}

describe("reply cap", () => {
  it("[loop] two bots answering each other stop at the cap; the pause is an event, a webhook and shown in the inbox", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { replyCapLimit: 5, replyCapMinutes: 10, replyCapAction: "quiet" });
    const { admin, caller } = await adminOf(pipeline.db, pipeline.boss);
    await createEndpoint(
      pipeline.db,
      admin,
      { url: "http://127.0.0.1:9/hooks", events: ["thread.bot_paused"] },
      { appSecret: "w".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
    );
    const waId = "+15550003001";
    const { turns, lastInbound } = await runOtherBot(pipeline, waId, 30);

    // Our bot answered five times, the other bot five times plus its first message; then silence.
    expect(turns).toBe(5);
    expect(await deliveriesTo(pipeline.db, waId)).toHaveLength(5);
    const conversation = await conversationOf(pipeline.db, waId);
    const paused = conversation.events.filter((event) => event.type === "thread.bot_paused");
    expect(paused).toHaveLength(1);
    expect(paused[0]).toMatchObject({
      messageId: lastInbound,
      payload: { reason: "reply_cap", limit: 5, windowMinutes: 10, action: "quiet" },
    });
    const until = new Date((paused[0]!.payload as { until: string }).until).getTime();
    expect(until - Date.now()).toBeGreaterThan(9 * 60_000);
    const [last] = await pipeline.db.select().from(messages).where(eq(messages.id, lastInbound));
    expect(last?.noReplyReason).toBe("reply_cap");
    expect(conversation.thread.mode).toBe("bot");
    expect(conversation.thread.autoRepliesAt).toHaveLength(5);

    // Delivered to webhooks: a delivery row for the subscribed endpoint, with the documented payload.
    const [delivery] = await pipeline.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventType, "thread.bot_paused"));
    expect(delivery?.eventId).toBe(paused[0]!.id);
    const payload = (await buildWebhookPayloads(pipeline.db, [paused[0]!.id])).get(paused[0]!.id);
    expect(payload).toMatchObject({
      type: "thread.bot_paused",
      data: {
        contact: { phone: waId },
        thread: { id: conversation.thread.id, mode: "bot" },
        details: { reason: "reply_cap", limit: 5, windowMinutes: 10, action: "quiet" },
      },
    });

    // The inbox says the bot is paused, and why a message was left unanswered.
    const view = await caller.inbox.thread({ threadId: conversation.thread.id });
    expect(new Date(view.thread.botPausedUntil!).getTime()).toBe(until);
    expect(view.messages.at(-1)).toMatchObject({ id: lastInbound, noReplyReason: "reply_cap" });

    // While paused, the bot stays quiet without pausing again; another contact is answered as usual.
    const more = await inbound(pipeline, waId, "Are you still there?");
    await waitFor(
      async () =>
        (
          await pipeline.db
            .select()
            .from(messages)
            .where(eq(messages.id, storedId(more)))
        )[0]?.processedAt,
      10_000,
      "the message to be processed",
    );
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(5);
    const after = await conversationOf(pipeline.db, waId);
    expect(after.events.filter((event) => event.type === "thread.bot_paused")).toHaveLength(1);
    expect(after.events.filter((event) => event.type === "message.unanswered").map((event) => event.payload)).toEqual([
      { reason: "reply_cap" },
      { reason: "reply_cap" },
    ]);
    await inbound(pipeline, "+15550003002", "hi");
    await waitFor(async () => (await deliveriesTo(pipeline.db, "+15550003002")).length === 1, 10_000, "a reply");
  });

  it("[loop] with hand-off at the cap: the conversation goes to people, and after a person releases it the bot counts afresh", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { replyCapLimit: 3, replyCapMinutes: 60, replyCapAction: "handoff" });
    const waId = "+15550003003";
    const { turns } = await runOtherBot(pipeline, waId, 30);
    expect(turns).toBe(3);
    const conversation = await conversationOf(pipeline.db, waId);
    expect(conversation.thread).toMatchObject({ mode: "human", assignedUserId: null });
    expect(conversation.events.find((event) => event.type === "thread.bot_paused")?.payload).toMatchObject({
      reason: "reply_cap",
      action: "handoff",
      until: null,
    });
    expect(conversation.events.find((event) => event.type === "thread.handoff")?.payload).toMatchObject({
      by: "policy",
      reason: "reply_cap",
      assigneeId: null,
      note: "The bot sent 3 automatic replies within 60 minutes.",
    });

    // A person takes it, then gives it back: the earlier replies no longer count against the bot.
    const agent = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "agent") }),
    );
    await agent.inbox.takeOver({ threadId: conversation.thread.id });
    await agent.inbox.release({ threadId: conversation.thread.id });
    const again = await runOtherBot(pipeline, waId, 30);
    expect(again.turns).toBe(3);
    expect(await deliveriesTo(pipeline.db, waId)).toHaveLength(6);
  });

  it("[concurrency] two batches of one thread deciding at once cannot both slip under the cap", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await updateOrgSettings(database.db, null, { replyCapLimit: 1, replyCapMinutes: 10 });
    const waId = "+15550003004";
    const first = await ingestInbound(database.db, boss, { sessionId, waMessageId: "c-1", from: waId, body: "one" });
    const second = await ingestInbound(database.db, boss, { sessionId, waMessageId: "c-2", from: waId, body: "two" });

    // Batch A holds after reading its rows until batch B has read its rows too, or is waiting
    // for a lock: without the thread's row lock both would decide on the same empty count.
    let bRead = false;
    const waitingOnLock = async () => {
      const { rows } = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0]!.n > 0;
    };
    const batchA = processInboundBatch(database.db, boss, [storedId(first)], {
      afterLock: async () => {
        await waitFor(async () => bRead || (await waitingOnLock()), 10_000, "batch B to read or to wait");
      },
    });
    // B starts once A holds its rows (A is then waiting in afterLock).
    await waitFor(
      async () => {
        const { rows } = await database.db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
              where c.relname = 'messages' and l.mode = 'RowShareLock' and l.granted`,
        );
        return rows[0]!.n > 0;
      },
      10_000,
      "batch A to lock its rows",
    );
    const batchB = processInboundBatch(database.db, boss, [storedId(second)], {
      afterLock: () => {
        bRead = true;
        return Promise.resolve();
      },
    });
    const [a, b] = await Promise.all([batchA, batchB]);
    expect([a.get(storedId(first)), b.get(storedId(second))]).toEqual(["replied", "reply_cap"]);
    expect(await repliesTo(database.db, waId)).toHaveLength(1);
  });

  it("[ai] AI replies count against the cap when they are decided, also within one batch", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await updateOrgSettings(database.db, null, { replyCapLimit: 2, replyCapMinutes: 10 });
    await publishRules(database.db, [
      {
        name: "AI answers",
        conditions: { all: [{ fact: "message.text", operator: "notEqual", value: "" }] },
        actions: [{ type: "ai_reply", profileId: null }],
      },
    ]);
    const ids = [];
    for (const [index, body] of ["a", "b", "c"].entries()) {
      const result = await ingestInbound(database.db, boss, {
        sessionId,
        waMessageId: `ai-${index}`,
        from: "+15550003005",
        body,
      });
      ids.push(storedId(result));
    }
    const outcomes = await processInboundBatch(database.db, boss, ids);
    expect(ids.map((id) => outcomes.get(id))).toEqual(["replied", "replied", "reply_cap"]);
    const { rows } = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pgboss.job where name = 'ai.reply'`,
    );
    expect(rows[0]!.n).toBe(2);
  });

  it("[settings] refuses a cap out of range or an unknown choice, naming the field, and changes nothing", async () => {
    const database = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    const { caller } = await adminOf(database.db, boss);
    const before = await caller.settings.get();
    expect(before).toMatchObject({
      answerOptedOut: true,
      replyCapLimit: 20,
      replyCapMinutes: 10,
      replyCapAction: "quiet",
    });
    const refused = async (patch: object) => {
      const error = await caller.settings.update(patch as never).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      const issues =
        (error as { cause?: { issues?: { path: (string | number)[]; message: string }[] } }).cause?.issues ?? [];
      return Object.fromEntries(issues.map((issue) => [issue.path.join("."), issue.message]));
    };
    expect(await refused({ replyCapLimit: 0 })).toEqual({ replyCapLimit: "Automatic replies: at least 1" });
    expect(await refused({ replyCapLimit: "2.5" })).toEqual({ replyCapLimit: "Automatic replies: a whole number" });
    expect(await refused({ replyCapLimit: "lots" })).toEqual({ replyCapLimit: "Automatic replies: enter a number" });
    expect(await refused({ replyCapMinutes: 2_000 })).toEqual({
      replyCapMinutes: "Per how many minutes: at most a day (1,440)",
    });
    expect(await refused({ replyCapAction: "explode" })).toEqual({
      replyCapAction: "At the cap: choose “go quiet” or “hand off to a person”",
    });
    expect(await refused({ answerOptedOut: "maybe" })).toEqual({
      answerOptedOut: "Choose whether the bot answers opted-out contacts",
    });
    expect(await caller.settings.get()).toEqual(before);
    await expect(
      caller.settings.update({
        replyCapLimit: "7",
        replyCapMinutes: 3,
        replyCapAction: "handoff",
        answerOptedOut: false,
      }),
    ).resolves.toMatchObject({
      replyCapLimit: 7,
      replyCapMinutes: 3,
      replyCapAction: "handoff",
      answerOptedOut: false,
    });
  });
});
