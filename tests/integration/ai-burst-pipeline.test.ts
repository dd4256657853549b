import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, contextProfiles, events, messages, threads } from "~/db/schema";
import { replyWithAi } from "~/server/ai/ai-reply";
import { MAX_BURST_WAIT_MS } from "~/server/ai/burst";
import { noteContactPresence } from "~/server/ai/typing";
import { recordAiUsage } from "~/server/ai/usage";
import { createCaller } from "~/server/api/root";
import { createLogger } from "~/server/logger";
import { insertUser } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import {
  inbound,
  startPipeline,
  storedId,
  waitForProcessed,
  waitForReplies,
  type TPipeline,
} from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A default profile and a published rule that asks the model about every text. */
async function withAiForEverything(pipeline: TPipeline, settings: { replyQuietMs?: number; aiDailyCapUsd?: number }) {
  const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
  const [profile] = await pipeline.db
    .insert(contextProfiles)
    .values({ name: "Default", isDefault: true, fallbackText: "A person will answer you shortly." })
    .returning();
  await admin.settings.update(settings);
  await admin.rules.create({
    name: "Ask the model",
    conditions: { all: [{ fact: "message.text", operator: "matchesRegex", value: "." }] },
    actions: [{ type: "ai_reply" }],
  });
  await admin.rules.publish({});
  return profile!;
}

type TGeminiBody = { contents: { role: string; parts: { text: string }[] }[] };
const lastUserTurn = (body: unknown) => {
  const last = (body as TGeminiBody).contents.at(-1)!;
  return { role: last.role, text: last.parts.map((part) => part.text).join("\n") };
};

async function aiReplied(pipeline: TPipeline) {
  return (await pipeline.db.select().from(events).where(eq(events.type, "ai.replied"))).map((event) => ({
    messageId: event.messageId,
    ...event.payload,
  }));
}

describe("one answer per burst, in the pipeline (ingest → rules → ai.reply after the quiet period → send)", () => {
  it("three messages within two seconds get one AI reply that addresses all three", async () => {
    const fake = await startFakeGemini({
      otherwise: { reply: "One answer to all three.", tokens: { prompt: 1_000, output: 100 } },
    });
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } } },
    );
    const profile = await withAiForEverything(pipeline, { replyQuietMs: 2_500 });
    const phone = "+15550023101";
    const texts = ["hi", "I ordered a cake last week", "where is it?"];
    const ids: string[] = [];
    for (const [index, text] of texts.entries()) {
      if (index > 0) await sleep(900);
      ids.push(storedId(await inbound(pipeline, phone, text)));
    }
    const lastAt = Date.now();
    const [reply] = await waitForReplies(pipeline.db, phone, 1);
    const [stored] = await pipeline.db.select().from(messages).where(eq(messages.id, reply!.id));
    // The latency the burst costs: the quiet period after the last message, plus the job's pick-up.
    const latencyMs = stored!.queuedAt!.getTime() - lastAt;
    console.info(`burst reply queued ${latencyMs} ms after the last message (quiet period 2,500 ms)`);
    expect(latencyMs).toBeGreaterThanOrEqual(2_400);
    // The other two jobs ran too (they are due earlier) and stood down.
    await sleep(1_500);
    expect(
      await pipeline.db
        .select()
        .from(messages)
        .where(and(eq(messages.direction, "out"))),
    ).toHaveLength(1);
    expect(reply).toMatchObject({ body: "One answer to all three.", replyTo: ids[2] });
    expect(fake.requests).toHaveLength(1);
    const turn = lastUserTurn(fake.requests[0]!.body);
    expect(turn.role).toBe("user");
    for (const text of texts) expect(turn.text).toContain(text);
    const replied = await aiReplied(pipeline);
    expect(replied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ messageId: ids[0], discarded: "superseded", supersededBy: ids[2] }),
        expect.objectContaining({ messageId: ids[1], discarded: "superseded", supersededBy: ids[2] }),
        expect.objectContaining({ messageId: reply!.id, outcome: "ok", burst: ids }),
      ]),
    );
    expect(replied).toHaveLength(3);
    // Its tokens and estimated cost, on today's row of the profile ("gemini-test": the default price).
    expect(await pipeline.db.select().from(aiUsageDaily)).toEqual([
      expect.objectContaining({
        profileId: profile.id,
        model: "gemini-test",
        purpose: "reply",
        calls: 1,
        promptTokens: 1_000,
        outputTokens: 100,
        costMicros: 550,
      }),
    ]);
  });

  it("an earlier message's job finds the newer one answered; a retried job finds its reply stored (exactly once)", async () => {
    const fake = await startFakeGemini({ otherwise: { reply: "Answered once." } });
    const ai = { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } };
    const pipeline = await startPipeline({}, { ai });
    await withAiForEverything(pipeline, { replyQuietMs: 300 });
    const phone = "+15550023102";
    const first = await inbound(pipeline, phone, "first");
    const third = await inbound(pipeline, phone, "third");
    await waitForProcessed(pipeline.db, third);
    const [reply] = await waitForReplies(pipeline.db, phone, 1);
    expect(reply?.replyTo).toBe(storedId(third));
    const job = (messageId: string) => ({ messageId, ruleId: null, ruleVersion: null, profileId: null });
    // The job for the first message runs (again, or late, after a crash): nothing.
    expect(await replyWithAi(pipeline.db, pipeline.boss, ai, job(storedId(first)))).toBe("superseded");
    // The last message's job runs again after its reply was stored: nothing.
    const rule = (await pipeline.db.select().from(messages).where(eq(messages.id, reply!.id)))[0]!;
    expect(
      await replyWithAi(pipeline.db, pipeline.boss, ai, {
        ...job(storedId(third)),
        ruleId: rule.ruleId,
        ruleVersion: rule.ruleVersion,
      }),
    ).toBe("already_answered");
    expect(fake.requests).toHaveLength(1);
    expect(await pipeline.db.select().from(messages).where(eq(messages.direction, "out"))).toHaveLength(1);
  });

  it("waits while the contact is typing, never longer than the bound", async () => {
    const fake = await startFakeGemini({ otherwise: { reply: "Done waiting." } });
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } } },
    );
    await withAiForEverything(pipeline, { replyQuietMs: 1_000 });
    const phone = "+15550023103";
    const result = await inbound(pipeline, phone, "let me explain");
    const sentAt = Date.now();
    const [row] = await pipeline.db
      .select()
      .from(messages)
      .where(eq(messages.id, storedId(result)));
    const [thread] = await pipeline.db.select().from(threads).where(eq(threads.id, row!.threadId));
    const contactId = thread!.contactId;
    // They keep typing (as the engine reports it) for longer than the bound.
    const typing = setInterval(() => noteContactPresence(contactId, "typing"), 500);
    try {
      const [reply] = await waitForReplies(pipeline.db, phone, 1, "sent", MAX_BURST_WAIT_MS + 10_000);
      const waited = Date.now() - sentAt;
      expect(reply?.body).toBe("Done waiting.");
      expect(waited).toBeGreaterThanOrEqual(MAX_BURST_WAIT_MS - 500);
      expect(waited).toBeLessThan(MAX_BURST_WAIT_MS + 4_000);
    } finally {
      clearInterval(typing);
    }
  }, 40_000);
});

describe("the daily AI budget", () => {
  it("once today's estimated cost reaches the cap, replies send the fallback text without calling the model", async () => {
    const fake = await startFakeGemini({ otherwise: { reply: "Should not be asked." } });
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } } },
    );
    const profile = await withAiForEverything(pipeline, { replyQuietMs: 0, aiDailyCapUsd: 0.01 });
    await recordAiUsage(pipeline.db, {
      profileId: profile.id,
      model: "gemini-test",
      purpose: "reply",
      promptTokens: 40_000,
      outputTokens: 0,
    }); // 40,000 × $0.30 / 1M = $0.012
    const phone = "+15550023104";
    await inbound(pipeline, phone, "are you there?");
    const [reply] = await waitForReplies(pipeline.db, phone, 1);
    expect(reply?.body).toBe("A person will answer you shortly.");
    expect(fake.requests).toHaveLength(0);
    expect(await aiReplied(pipeline)).toEqual([expect.objectContaining({ outcome: "fallback", reason: "budget" })]);
    // No model call: nothing more is counted.
    const [usage] = await pipeline.db.select().from(aiUsageDaily);
    expect(usage).toMatchObject({ calls: 1, promptTokens: 40_000 });
  });
});

describe("privacy: no message content in the logs at info level", () => {
  it("the pipeline logs nothing of what the contact or the AI wrote", async () => {
    const marker = `secret-${randomUUID()}`;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const fake = await startFakeGemini({ otherwise: { reply: `AI says ${marker}-answer` } });
    const pipeline = await startPipeline(
      {},
      {
        ai: { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } },
        log: createLogger("privacy", "info", sink),
      },
    );
    await withAiForEverything(pipeline, { replyQuietMs: 0 });
    const phone = "+15550023105";
    await inbound(pipeline, phone, `my card is ${marker}`);
    await waitForReplies(pipeline.db, phone, 1);
    await pipeline.worker.stop(5_000);
    expect(lines.length).toBeGreaterThan(0); // the worker did log (started, session…)
    expect(lines.filter((line) => line.includes(marker))).toEqual([]);
  });
});
