import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { aiUsageDaily, contextProfiles, messages } from "~/db/schema";
import { aiReplyJobFinder, decideBurst, MAX_BURST_WAIT_MS, type TBurstMessage } from "~/server/ai/burst";
import { noteContactPresence } from "~/server/ai/typing";
import { aiUsageReport, isDailyBudgetSpent, recordAiUsage, todaysCostMicros, usageDay } from "~/server/ai/usage";
import { createBoss, enqueueMany } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { usePreparedDatabase } from "../support/pipeline";

const QUIET = 2_500;

/** A prepared database with a started (non-working) pg-boss: messages are stored, never processed. */
async function setUp() {
  const database = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ graceful: false }));
  return { ...database, boss };
}

async function write(db: TDb, boss: PgBoss, sessionId: string, from: string, body: string): Promise<TBurstMessage> {
  const result = await ingestInbound(db, boss, {
    sessionId,
    waMessageId: `in-${randomUUID()}`,
    from,
    pushName: "Burst",
    type: "text",
    body,
  });
  if (result.status !== "stored") throw new Error(JSON.stringify(result));
  const [row] = await db.select().from(messages).where(eq(messages.id, result.messageId));
  return {
    id: row!.id,
    threadId: row!.threadId,
    contactId: result.contactId,
    seq: row!.seq,
    createdAt: row!.createdAt,
  };
}

const processed = (db: TDb, id: string, reason: "blocked" | null = null) =>
  db.update(messages).set({ processedAt: new Date(), noReplyReason: reason }).where(eq(messages.id, id));

const noJobs = () => Promise.resolve(false);

describe("one answer per burst: what an AI reply's job does", () => {
  it("answers at once with the quiet period off, and waits for the quiet period otherwise", async () => {
    const { db, boss, sessionId } = await setUp();
    const one = await write(db, boss, sessionId, "+15550023001", "hi");
    const sent = one.createdAt.getTime();
    expect(await decideBurst(db, noJobs, one, 0, sent)).toEqual({ action: "answer", messageIds: [one.id] });
    expect(await decideBurst(db, noJobs, one, QUIET, sent + 100)).toEqual({
      action: "wait",
      at: new Date(sent + QUIET),
      why: "quiet",
    });
    expect(await decideBurst(db, noJobs, one, QUIET, sent + QUIET)).toEqual({
      action: "answer",
      messageIds: [one.id],
    });
  });

  it("drops the reply to an earlier message of the burst once a newer one has its own answer coming", async () => {
    const { db, boss, sessionId } = await setUp();
    const [one, two, three] = [
      await write(db, boss, sessionId, "+15550023002", "hi"),
      await write(db, boss, sessionId, "+15550023002", "I ordered last week"),
      await write(db, boss, sessionId, "+15550023002", "where is it?"),
    ] as [TBurstMessage, TBurstMessage, TBurstMessage];
    const later = three.createdAt.getTime() + QUIET;
    // Message 3 still being decided: message 1's job looks again shortly (never past the bound).
    expect(await decideBurst(db, noJobs, one, QUIET, later)).toMatchObject({ action: "wait", why: "deciding" });
    for (const message of [one, two, three]) await processed(db, message.id);
    // Message 3 decided with an AI reply (its job exists): 1 and 2 are superseded by it.
    await enqueueMany(boss, "ai.reply", [{ messageId: three.id, ruleId: null, ruleVersion: null, profileId: null }], {
      startAfter: new Date(Date.now() + 60_000),
    });
    const hasJob = aiReplyJobFinder(boss);
    expect(await decideBurst(db, hasJob, one, QUIET, later)).toEqual({ action: "superseded", byMessageId: three.id });
    expect(await decideBurst(db, hasJob, two, QUIET, later)).toEqual({ action: "superseded", byMessageId: three.id });
    // Message 3's own job answers the whole burst, oldest first.
    expect(await decideBurst(db, hasJob, three, QUIET, later)).toEqual({
      action: "answer",
      messageIds: [one.id, two.id, three.id],
    });
  });

  it("still answers when the newer messages got no answer of their own (no rule, or the bot declined)", async () => {
    const { db, boss, sessionId } = await setUp();
    const one = await write(db, boss, sessionId, "+15550023003", "a question");
    const two = await write(db, boss, sessionId, "+15550023003", "thanks");
    const three = await write(db, boss, sessionId, "+15550023003", "ok");
    await processed(db, one.id);
    await processed(db, two.id); // no rule matched it: no job, no reply
    await processed(db, three.id, "blocked");
    const later = three.createdAt.getTime() + QUIET;
    expect(await decideBurst(db, aiReplyJobFinder(boss), one, QUIET, later)).toEqual({
      action: "answer",
      messageIds: [one.id],
    });
    // A rule's text reply to message 2 answers the burst instead.
    await db.insert(messages).values({
      sessionId,
      threadId: two.threadId,
      direction: "out",
      body: "A rule's answer",
      source: "rule",
      status: "queued",
      replyToMessageId: two.id,
    });
    expect(await decideBurst(db, noJobs, one, QUIET, later)).toEqual({ action: "superseded", byMessageId: two.id });
  });

  it("the burst starts after the last message to the contact", async () => {
    const { db, boss, sessionId } = await setUp();
    const old = await write(db, boss, sessionId, "+15550023004", "yesterday's question");
    await processed(db, old.id);
    await db.insert(messages).values({
      sessionId,
      threadId: old.threadId,
      direction: "out",
      body: "yesterday's answer",
      source: "ai",
      status: "sent",
      replyToMessageId: old.id,
    });
    const one = await write(db, boss, sessionId, "+15550023004", "hello again");
    const two = await write(db, boss, sessionId, "+15550023004", "one more thing");
    await processed(db, one.id);
    await processed(db, two.id);
    const later = two.createdAt.getTime() + QUIET;
    expect(await decideBurst(db, noJobs, two, QUIET, later)).toEqual({
      action: "answer",
      messageIds: [one.id, two.id],
    });
  });

  it("waits while the contact is typing, but never longer than the bound after their last message", async () => {
    const { db, boss, sessionId } = await setUp();
    const one = await write(db, boss, sessionId, "+15550023005", "so…");
    await processed(db, one.id);
    const sent = one.createdAt.getTime();
    // Typing reported before the message does not count (the message ended it).
    noteContactPresence(one.contactId, "typing", sent - 10);
    expect(await decideBurst(db, noJobs, one, QUIET, sent + QUIET)).toMatchObject({ action: "answer" });
    // Typing after it: wait another quiet period.
    noteContactPresence(one.contactId, "typing", sent + QUIET - 500);
    expect(await decideBurst(db, noJobs, one, QUIET, sent + QUIET)).toEqual({
      action: "wait",
      at: new Date(sent + 2 * QUIET),
      why: "typing",
    });
    // Near the bound, the wait ends at the bound; at the bound, typing or not, it answers.
    noteContactPresence(one.contactId, "typing", sent + MAX_BURST_WAIT_MS - 1_000);
    expect(await decideBurst(db, noJobs, one, QUIET, sent + MAX_BURST_WAIT_MS - 500)).toEqual({
      action: "wait",
      at: new Date(sent + MAX_BURST_WAIT_MS),
      why: "typing",
    });
    expect(await decideBurst(db, noJobs, one, QUIET, sent + MAX_BURST_WAIT_MS)).toMatchObject({ action: "answer" });
    // They stopped ("paused"): answer after the quiet period.
    noteContactPresence(one.contactId, "paused", sent + QUIET - 100);
    expect(await decideBurst(db, noJobs, one, QUIET, sent + QUIET)).toMatchObject({ action: "answer" });
  });
});

describe("AI usage: tokens and estimated cost per day and per profile", () => {
  it("adds each call to its day, profile, model and purpose (no profile included), and reports them", async () => {
    const { db } = await usePreparedDatabase();
    const [profile] = await db.insert(contextProfiles).values({ name: "Clients" }).returning();
    const day = new Date("2026-12-07T12:00:00Z");
    const call = {
      model: "gemini-3.8-flash",
      purpose: "reply" as const,
      promptTokens: 1_000,
      outputTokens: 100,
      at: day,
    };
    await recordAiUsage(db, { ...call, profileId: profile!.id });
    await recordAiUsage(db, { ...call, profileId: profile!.id });
    await recordAiUsage(db, { ...call, profileId: null });
    await recordAiUsage(db, { ...call, profileId: null });
    await recordAiUsage(db, {
      ...call,
      profileId: null,
      purpose: "embedding",
      model: "gemini-embedding-001",
      outputTokens: 0,
    });
    await recordAiUsage(db, { ...call, profileId: null, at: new Date("2026-12-08T00:00:01Z") });
    const rows = await db
      .select()
      .from(aiUsageDaily)
      .where(eq(aiUsageDaily.day, "2026-12-07"))
      .orderBy(asc(aiUsageDaily.purpose), asc(aiUsageDaily.profileId));
    expect(rows).toEqual([
      expect.objectContaining({
        purpose: "embedding",
        profileId: null,
        calls: 1,
        promptTokens: 1_000,
        costMicros: 150,
      }),
      expect.objectContaining({
        purpose: "reply",
        profileId: profile!.id,
        calls: 2,
        promptTokens: 2_000,
        outputTokens: 200,
        costMicros: 1_100,
      }),
      expect.objectContaining({ purpose: "reply", profileId: null, calls: 2, costMicros: 1_100 }),
    ]);
    const report = await aiUsageReport(db, { from: "2026-12-07", to: "2026-12-08" }, 1);
    expect(report.days).toEqual([
      { day: "2026-12-07", calls: 5, promptTokens: 5_000, outputTokens: 400, costMicros: 2_350 },
      { day: "2026-12-08", calls: 1, promptTokens: 1_000, outputTokens: 100, costMicros: 550 },
    ]);
    expect(report.profiles).toEqual([
      { profileId: null, name: null, calls: 4, promptTokens: 4_000, outputTokens: 300, costMicros: 1_800 },
      { profileId: profile!.id, name: "Clients", calls: 2, promptTokens: 2_000, outputTokens: 200, costMicros: 1_100 },
    ]);
    expect(report.totals.costMicros).toBe(2_900);
    expect(await todaysCostMicros(db, day)).toBe(2_350);
    expect(await isDailyBudgetSpent(db, 0.002, day)).toBe(true);
    expect(await isDailyBudgetSpent(db, 0.01, day)).toBe(false);
    expect(await isDailyBudgetSpent(db, null, day)).toBe(false);
    expect(usageDay(day)).toBe("2026-12-07");
    expect(
      await db
        .select()
        .from(aiUsageDaily)
        .where(and(eq(aiUsageDaily.day, "2026-12-08"))),
    ).toHaveLength(1);

    // Deleting the profile keeps its spending under its id (the day's "no profile" row exists
    // already, so it could not become null), reported as a deleted profile.
    await db.delete(contextProfiles).where(eq(contextProfiles.id, profile!.id));
    const after = await aiUsageReport(db, { from: "2026-12-07", to: "2026-12-08" }, 1);
    expect(after.profiles).toContainEqual(expect.objectContaining({ profileId: profile!.id, name: null, calls: 2 }));
    expect(after.totals.costMicros).toBe(2_900);
  });
});
