import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { contacts, events, messages, threads } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { DEAD_LETTER_QUEUE } from "~/server/jobs/queues";
import { ingestInbound, ingestInboundBatch } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import {
  deliveriesTo,
  inbound,
  repliesTo,
  startPipeline,
  usePreparedDatabase,
  waitForReplies,
} from "../support/pipeline";
import { waitFor } from "../support/processes";

describe("message pipeline (simulator)", () => {
  it("stores a message, replies with the default text, and moves it sent → delivered → read", async () => {
    const pipeline = await startPipeline();
    const result = await inbound(pipeline, "+15550000001", "hi");
    expect(result.status).toBe("stored");
    const [reply] = await waitForReplies(pipeline.db, "+15550000001", 1, "read");
    expect(reply).toMatchObject({ body: "Thanks for your message! We will get back to you shortly.", status: "read" });
    const [row] = await pipeline.db.select().from(messages).where(eq(messages.id, reply!.id));
    expect(row?.sentAt).toBeInstanceOf(Date);
    expect(row?.deliveredAt).toBeInstanceOf(Date);
    expect(row?.readAt).toBeInstanceOf(Date);
    expect(await deliveriesTo(pipeline.db, "+15550000001")).toHaveLength(1);
    const types = (await pipeline.db.select({ type: events.type }).from(events)).map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(["message.received", "message.queued", "message.sent", "message.status"]),
    );
  });

  it("stores a message delivered twice once, and answers it once", async () => {
    const pipeline = await startPipeline();
    const first = await inbound(pipeline, "+15550000002", "hello", "dup-1");
    const second = await inbound(pipeline, "+15550000002", "hello", "dup-1");
    expect(first.status).toBe("stored");
    expect(second.status).toBe("duplicate");
    await waitForReplies(pipeline.db, "+15550000002", 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await repliesTo(pipeline.db, "+15550000002")).toHaveLength(1);
    expect(await pipeline.db.$count(messages, eq(messages.direction, "in"))).toBe(1);
  });

  it("stays silent in a thread a human owns", async () => {
    const pipeline = await startPipeline();
    await inbound(pipeline, "+15550000003", "first");
    await waitForReplies(pipeline.db, "+15550000003", 1);
    const [contact] = await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+15550000003"));
    await pipeline.db.update(threads).set({ mode: "human" }).where(eq(threads.contactId, contact!.id));
    const second = await inbound(pipeline, "+15550000003", "second");
    await waitFor(
      async () =>
        (
          await pipeline.db
            .select()
            .from(messages)
            .where(and(eq(messages.id, second.status === "stored" ? second.messageId : "")))
        )[0]?.processedAt,
      10_000,
      "the second message to be processed",
    );
    expect(await repliesTo(pipeline.db, "+15550000003")).toHaveLength(1);
    expect(await pipeline.db.$count(events, eq(events.type, "thread.awaiting_human"))).toBe(1);
  });

  it("sends nothing when the default reply is off", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { defaultReply: { mode: "none" } });
    const result = await inbound(pipeline, "+15550000004", "anyone?");
    await waitFor(
      async () =>
        (
          await pipeline.db
            .select()
            .from(messages)
            .where(eq(messages.id, result.status === "stored" ? result.messageId : ""))
        )[0]?.processedAt,
      10_000,
      "processing",
    );
    expect(await repliesTo(pipeline.db, "+15550000004")).toHaveLength(0);
  });

  it("keeps each thread's replies in the order they were decided, under concurrency", async () => {
    const pipeline = await startPipeline({ sendConcurrency: 8 });
    const contactsUnderTest = ["+15550000010", "+15550000011", "+15550000012"];
    await Promise.all(
      contactsUnderTest.flatMap((waId) =>
        Array.from({ length: 12 }, (_, i) => inbound(pipeline, waId, `message ${i}`)),
      ),
    );
    for (const waId of contactsUnderTest) {
      const replies = await waitForReplies(pipeline.db, waId, 12);
      const delivered = await deliveriesTo(pipeline.db, waId);
      expect(delivered.map((delivery) => delivery.clientRef)).toEqual(replies.map((reply) => reply.id));
    }
  });

  it("sends once when the transport fails twice and then succeeds", async () => {
    let failures = 0;
    const pipeline = await startPipeline({
      sendPolicy: { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) => {
          if (failures < 2) {
            failures += 1;
            return Promise.reject(new Error(`network down (${failures})`));
          }
          return simulator.send(message, signal);
        },
      }),
    });
    await inbound(pipeline, "+15550000020", "retry me");
    const [reply] = await waitForReplies(pipeline.db, "+15550000020", 1, "sent", 30_000);
    expect(reply?.status).not.toBe("failed");
    expect(failures).toBe(2);
    expect(await deliveriesTo(pipeline.db, "+15550000020")).toHaveLength(1);
  });

  it("marks a message failed with its error, and dead-letters it, when the transport always fails", async () => {
    const pipeline = await startPipeline({
      sendPolicy: { retryLimit: 2, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
      createTransport: (simulator) => ({ ...simulator, send: () => Promise.reject(new Error("number banned")) }),
    });
    await inbound(pipeline, "+15550000021", "doomed");
    const [reply] = await waitForReplies(pipeline.db, "+15550000021", 1, "failed", 30_000);
    expect(reply?.error).toBe("number banned");
    const dead = await waitFor(
      async () => {
        const jobs = await pipeline.boss.fetch<{ messageId: string }>(DEAD_LETTER_QUEUE);
        return jobs.length > 0 ? jobs : undefined;
      },
      10_000,
      "a dead letter",
    );
    expect(dead[0]?.data).toMatchObject({ messageId: reply!.id });
    expect(await pipeline.db.$count(events, eq(events.type, "message.failed"))).toBe(1);
  });
});

describe("pacing and bad input", () => {
  it("under a burst, no send breaks the session's rate or the per-chat gap", async () => {
    // When the transport was asked to send, per chat: the moment pacing governs.
    const sendTimes: { chat: string; at: number }[] = [];
    const pipeline = await startPipeline({
      sendConcurrency: 4,
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) => {
          sendTimes.push({ chat: message.to, at: performance.now() });
          return simulator.send(message, signal);
        },
      }),
    });
    const pacing = {
      enabled: true,
      messagesPerMinute: 300,
      burst: 2,
      jitterMinMs: 0,
      jitterMaxMs: 20,
      perChatGapMs: 500,
    };
    await updateSessionSettings(pipeline.db, null, pipeline.sessionId, { pacing });
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the runner picks the settings up on its next tick
    const chats = ["+15550000030", "+15550000031", "+15550000032", "+15550000033"];
    for (let i = 0; i < 5; i += 1) await Promise.all(chats.map((waId) => inbound(pipeline, waId, `burst ${i}`)));
    for (const waId of chats) await waitForReplies(pipeline.db, waId, 5, "sent", 30_000);
    expect(sendTimes).toHaveLength(20);
    const toleranceMs = 2; // timer granularity
    let rateViolations = 0;
    let tokens = pacing.burst;
    let last = sendTimes[0]!.at;
    for (const send of sendTimes) {
      tokens = Math.min(pacing.burst, tokens + (send.at - last + toleranceMs) / (60_000 / pacing.messagesPerMinute));
      last = send.at;
      if (tokens < 1) rateViolations += 1;
      tokens -= 1;
    }
    let gapViolations = 0;
    for (const waId of chats) {
      const times = sendTimes.filter((send) => send.chat === waId).map((send) => send.at);
      for (let i = 1; i < times.length; i += 1)
        if (times[i]! - times[i - 1]! < pacing.perChatGapMs - toleranceMs) gapViolations += 1;
    }
    expect({ rateViolations, gapViolations }).toEqual({ rateViolations: 0, gapViolations: 0 });
  });

  it("stores odd messages with flags, and rejects a non-phone sender with a recorded reason", async () => {
    const pipeline = await startPipeline();
    const huge = await inbound(pipeline, "+15550000040", "z".repeat(70_000));
    const broken = await inbound(pipeline, "+15550000040", "bad \uDC00 text");
    const empty = await inbound(pipeline, "+15550000040", "");
    const group = await inbound(pipeline, "120363000000@g.us", "from a group");
    expect(group).toEqual({ status: "rejected", reason: 'sender "120363000000@g.us" is not a phone number or a LID' });
    const stored = await pipeline.db
      .select({ id: messages.id, flags: messages.flags, body: messages.body })
      .from(messages)
      .where(eq(messages.direction, "in"));
    const flagsOf = (result: typeof huge) =>
      stored.find((row) => result.status === "stored" && row.id === result.messageId)?.flags;
    expect(flagsOf(huge)).toEqual(["truncated"]);
    expect(flagsOf(broken)).toEqual(["invalid_utf16"]);
    expect(flagsOf(empty)).toEqual(["empty"]);
    const [rejection] = await pipeline.db.select().from(events).where(eq(events.type, "message.rejected"));
    expect(rejection?.payload).toMatchObject({
      reason: expect.stringContaining("not a phone number"),
      message: { body: "from a group" },
    });
    await waitForReplies(pipeline.db, "+15550000040", 3);
  });

  it("ingests a batch with repeats inside it and copies stored before, once each, and answers in order", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    const message = (waMessageId: string, from: string, body: string) => ({
      sessionId,
      waMessageId,
      from,
      body,
      type: "text",
    });
    expect((await ingestInbound(database.db, boss, message("b-1", "+15550000050", "one"))).status).toBe("stored");
    const results = await ingestInboundBatch(database.db, boss, [
      message("b-1", "+15550000050", "one again"),
      message("b-2", "+15550000050", "two"),
      message("b-3", "+15550000051", "other chat"),
      message("b-2", "+15550000050", "two again"),
      message("b-4", "+15550000050", "three"),
      { sessionId, waMessageId: "b-5" },
    ]);
    expect(results.map((result) => result.status)).toEqual([
      "duplicate",
      "stored",
      "stored",
      "duplicate",
      "stored",
      "rejected",
    ]);
    const bodies = await database.db
      .select({ body: messages.body })
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(contacts.waId, "+15550000050"))
      .orderBy(asc(messages.seq));
    expect(bodies.map((row) => row.body)).toEqual(["one", "two", "three"]);
    expect(await database.db.$count(contacts)).toBe(2);
    expect(await database.db.$count(events, eq(events.type, "message.received"))).toBe(4);

    // One process batch for all four: the replies of a thread keep the order of its messages.
    const ids = results.flatMap((result) => (result.status === "stored" ? [result.messageId] : []));
    const outcomes = await processInboundBatch(database.db, boss, [...ids].reverse());
    expect([...outcomes.values()]).toEqual(["replied", "replied", "replied"]);
    expect([...(await processInboundBatch(database.db, boss, ids)).values()]).toEqual([
      "already_processed",
      "already_processed",
      "already_processed",
    ]);
    const replies = await repliesTo(database.db, "+15550000050");
    expect(replies.map((reply) => reply.replyTo)).toEqual([ids[0], ids[2]]);
  });
});

describe("locks", () => {
  it("a contact's new message arriving while their last one is being decided does not deadlock", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    const waId = "+15550006001";
    const message = (waMessageId: string, body: string) => ({ sessionId, waMessageId, from: waId, body, type: "text" });
    const first = await ingestInbound(database.db, boss, message("l-1", "one"));
    if (first.status !== "stored") throw new Error("not stored");
    const waiting = async (count: number) => {
      const { rows } = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      return rows[0]!.n >= count;
    };
    // Someone (an agent taking the thread over) holds the thread row for a moment. Processing
    // queues behind them first, then ingest of the contact's next message: when the holder
    // lets go, processing gets the thread. Had it locked the thread before the contact (the
    // reverse of ingest's order), it would now wait for the contact ingest holds: a deadlock.
    const holder = await database.pool.connect();
    onTestFinished(() => holder.release());
    await holder.query("begin");
    await holder.query("select 1 from threads where id = $1 for no key update", [first.threadId]);
    const processing = processInboundBatch(database.db, boss, [first.messageId]);
    await waitFor(() => waiting(1), 10_000, "processing to wait for the thread");
    const ingesting = ingestInbound(database.db, boss, message("l-2", "two"));
    await waitFor(() => waiting(2), 10_000, "ingest to wait too");
    await holder.query("commit");
    const [outcomes, second] = await Promise.all([processing, ingesting]);
    expect(outcomes.get(first.messageId)).toBe("replied");
    expect(second.status).toBe("stored");
  });
});
