import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import {
  contextProfiles,
  evalQuestions,
  evalRuns,
  knowledgeCollections,
  knowledgePassages,
  knowledgeSources,
} from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { MAX_EVAL_QUESTIONS } from "~/server/ai/evaluation";
import { createBoss } from "~/server/jobs/boss";
import type { TProfileInput } from "~/server/profiles/profiles";
import { insertUser } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import { startPipeline, usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const BAKERY: TProfileInput = {
  name: "Bakery",
  businessInfo: { name: "Sunrise Bakery", hours: "Mon–Sat 7–19", services: ["sourdough", "large cake 45 €"] },
  fallbackText: "A baker will answer you shortly.",
};

const QUESTIONS = [
  { question: "What are your opening hours?", mustContain: ["7-19", "mon|monday"], mustNotContain: ["sunday"] },
  { question: "What services do you offer?", mustContain: ["Sourdough", "large cake"] },
  { question: "Is the baker married?", mustNotContain: ["married"] },
];

async function builderOf(db: TDb, boss: Parameters<typeof testContext>[0]["boss"]) {
  const user = await insertUser(db, "builder", { name: "Bea Builder" });
  return createCaller(testContext({ db, user, boss }));
}

async function waitForRun(caller: Awaited<ReturnType<typeof builderOf>>, id: string) {
  return waitFor(
    async () => {
      const run = await caller.evaluation.run({ id });
      return run.status === "running" ? null : run;
    },
    20_000,
    "the evaluation run to finish",
  );
}

describe("Evaluation runs through the worker (ai.evaluate)", () => {
  it("scores a profile; after a change that removes a fact the score drops and the comparison names the failed question", async () => {
    // The offline provider answers from the profile alone: what the profile holds decides the answer.
    const pipeline = await startPipeline();
    const caller = await builderOf(pipeline.db, pipeline.boss);
    const profile = await caller.profiles.save({ id: null, profile: BAKERY });
    for (const question of QUESTIONS) {
      await caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question });
    }

    const first = await caller.evaluation.start({ profileId: profile.id });
    const before = await waitForRun(caller, first.id);
    expect(before).toMatchObject({ status: "done", total: 3, passed: 3, score: 1, startedByName: "Bea Builder" });
    expect(before.results[0]).toMatchObject({
      question: "What are your opening hours?",
      state: "done",
      answer: "Our opening hours: Mon–Sat 7–19.",
      factsFound: ["7-19", "mon|monday"],
      factsMissing: [],
      handedOff: false,
      passed: true,
      error: null,
    });
    expect(before.results[0]!.latencyMs).toBeGreaterThanOrEqual(0);

    // The opening hours leave the profile.
    await caller.profiles.save({
      id: profile.id,
      profile: { ...BAKERY, businessInfo: { ...BAKERY.businessInfo, hours: undefined } },
    });
    const second = await caller.evaluation.start({ profileId: profile.id });
    const after = await waitForRun(caller, second.id);
    // 9 checks: the hours question's two facts are now missing.
    expect(after).toMatchObject({ status: "done", total: 3, passed: 2 });
    expect(after.score).toBeCloseTo(7 / 9);
    expect(after.results[0]).toMatchObject({
      answer: "A baker will answer you shortly.",
      factsMissing: ["7-19", "mon|monday"],
      passed: false,
    });

    const history = await caller.evaluation.runs({ profileId: profile.id });
    expect(history.map((run) => [run.id, run.passed, run.answered])).toEqual([
      [second.id, 2, 3],
      [first.id, 3, 3],
    ]);
    const comparison = await caller.evaluation.compare({ a: first.id, b: second.id });
    expect(comparison.rows.map((row) => [row.question, row.change])).toEqual([
      ["What are your opening hours?", "broke"],
      ["What services do you offer?", "same"],
      ["Is the baker married?", "same"],
    ]);
    expect(comparison.rows[0]).toMatchObject({ a: { passed: true }, b: { passed: false } });
  });

  it("asks the real Gemini client as a new contact; a failed model call is that question's error and the run goes on", async () => {
    const fake = await startFakeGemini({
      steps: [{ reply: "Our large cake costs 45 €, baked daily." }, { status: 400, message: "bad request" }],
      otherwise: { reply: "I will ask the baker." },
    });
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: `eval-${randomUUID()}`, baseUrl: fake.url }, policy: { maxAttempts: 1 } } },
    );
    const caller = await builderOf(pipeline.db, pipeline.boss);
    const profile = await caller.profiles.save({ id: null, profile: { ...BAKERY, topicsToAvoid: ["politics"] } });
    const questions = [
      { question: "How much is the large cake?", mustContain: ["45 €|45 euros"] },
      { question: "Do you deliver?", mustContain: ["deliver"] },
      { question: "Who will win the election?", mustNotContain: ["vote"] },
    ];
    for (const question of questions) {
      await caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question });
    }
    const { id } = await caller.evaluation.start({ profileId: profile.id });
    const run = await waitForRun(caller, id);
    expect(run).toMatchObject({ status: "done", total: 3, passed: 2, error: null });
    expect(run.results.map((result) => [result.passed, result.error === null])).toEqual([
      [true, true],
      [false, false],
      [true, true],
    ]);
    expect(run.results[1]!.error).toContain("bad request");
    // A failed call meets none of its checks: 2 + 0 + 2 of 2 + 2 + 2.
    expect(run.score).toBeCloseTo(4 / 6);
    // Each question went alone (no history), with the profile as it is in the system instruction.
    expect(fake.requests).toHaveLength(3);
    const body = fake.requests[0]!.body as {
      systemInstruction: unknown;
      contents: { role: string; parts: { text: string }[] }[];
    };
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "How much is the large cake?" }] }]);
    expect(JSON.stringify(body.systemInstruction)).toContain("Sunrise Bakery");
    expect(JSON.stringify(body.systemInstruction)).toContain("Never discuss: politics");
  });

  it("expects a hand-off: a question the bot answers instead of handing off fails", async () => {
    const pipeline = await startPipeline();
    const caller = await builderOf(pipeline.db, pipeline.boss);
    const profile = await caller.profiles.save({ id: null, profile: BAKERY });
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "What are your opening hours?", expectHandoff: true },
    });
    const { id } = await caller.evaluation.start({ profileId: profile.id });
    const run = await waitForRun(caller, id);
    expect(run.results[0]).toMatchObject({ handedOff: false, expectHandoff: true, passed: false, checks: 1 });
    expect(run.score).toBe(0);
  });
});

describe("Evaluation runs with a knowledge base (the fake model answers from the passages it is sent)", () => {
  async function knowledgeBase(db: TDb) {
    const [collection] = await db
      .insert(knowledgeCollections)
      .values({ name: `Shop ${randomUUID()}`, language: "english" })
      .returning();
    const passage = async (title: string, body: string) => {
      const [source] = await db
        .insert(knowledgeSources)
        .values({ collectionId: collection!.id, kind: "text", title, content: body, status: "indexed" })
        .returning();
      await db
        .insert(knowledgePassages)
        .values({ sourceId: source!.id, collectionId: collection!.id, position: 0, title, body, language: "english" });
      return source!;
    };
    const prices = await passage("Price list", "The large cake costs 45 euros. The small cake costs 20 euros.");
    const hours = await passage("Opening hours", "We open Monday to Saturday from 7 to 19.");
    return { collection: collection!, prices, hours };
  }

  it("scores answers built from the passages; with a source removed, its question is handed off and the comparison shows it failed", async () => {
    const fake = await startFakeGemini();
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: `eval-${randomUUID()}`, baseUrl: fake.url } } },
    );
    const caller = await builderOf(pipeline.db, pipeline.boss);
    const kb = await knowledgeBase(pipeline.db);
    const profile = await caller.profiles.save({
      id: null,
      profile: {
        ...BAKERY,
        businessInfo: { name: "Sunrise Bakery" },
        knowledgeOnly: true,
        collectionIds: [kb.collection.id],
      },
    });
    const questions = [
      { question: "How much is the large cake?", mustContain: ["45 euros"], mustNotContain: ["55 euros"] },
      { question: "When do you open?", mustContain: ["monday", "7 to 19"] },
      { question: "Who will win the election?", expectHandoff: true },
    ];
    for (const question of questions) {
      await caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question });
    }

    const first = await caller.evaluation.start({ profileId: profile.id });
    const before = await waitForRun(caller, first.id);
    expect(before.results.map((result) => [result.passed, result.handedOff])).toEqual([
      [true, false],
      [true, false],
      [true, true],
    ]);
    expect(before).toMatchObject({ status: "done", passed: 3, score: 1 });
    expect(before.results[0]!.answer).toContain("The large cake costs 45 euros");
    expect(before.results[0]!.passages).toContainEqual({ title: "Price list", source: "Price list", cited: true });
    expect(before.results[2]!.answer).toContain("passing your question to a colleague");

    // The opening hours leave the knowledge base.
    await pipeline.db.delete(knowledgeSources).where(eq(knowledgeSources.id, kb.hours.id));
    const second = await caller.evaluation.start({ profileId: profile.id });
    const after = await waitForRun(caller, second.id);
    expect(after).toMatchObject({ status: "done", passed: 2 });
    expect(after.score).toBeLessThan(before.score!);
    expect(after.results[1]).toMatchObject({
      question: "When do you open?",
      handedOff: true,
      factsMissing: ["monday", "7 to 19"],
      passed: false,
    });
    const comparison = await caller.evaluation.compare({ a: first.id, b: second.id });
    expect(comparison.rows.filter((row) => row.change === "broke").map((row) => row.question)).toEqual([
      "When do you open?",
    ]);
  });

  it("a knowledge-only profile hands off what its documents do not cover: expected, it passes; not expected, it fails", async () => {
    const pipeline = await startPipeline();
    const caller = await builderOf(pipeline.db, pipeline.boss);
    const kb = await knowledgeBase(pipeline.db);
    const profile = await caller.profiles.save({
      id: null,
      profile: { ...BAKERY, knowledgeOnly: true, collectionIds: [kb.collection.id] },
    });
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "Who will win the election?", expectHandoff: true },
    });
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "Do you sell bicycles?", mustContain: ["bicycle"] },
    });
    const { id } = await caller.evaluation.start({ profileId: profile.id });
    const run = await waitForRun(caller, id);
    expect(run.results).toMatchObject([
      { handedOff: true, expectHandoff: true, passed: true, checks: 1, checksMet: 1 },
      { handedOff: true, expectHandoff: false, passed: false, checks: 2, checksMet: 0 },
    ]);
    expect(run.score).toBeCloseTo(1 / 3);
  });
});

describe("Evaluation set and run bookkeeping", () => {
  async function withoutWorker() {
    const database = await usePreparedDatabase();
    // Jobs are sent, never worked: a started run stays "running".
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ graceful: false, close: true }));
    const caller = await builderOf(database.db, boss);
    const profile = await caller.profiles.save({ id: null, profile: BAKERY });
    return { ...database, caller, profile };
  }

  it("refuses a second run of a profile while one runs, even when both start at once", async () => {
    const { db, caller, profile } = await withoutWorker();
    await expect(caller.evaluation.start({ profileId: profile.id })).rejects.toThrow(
      "Add a question to evaluate first.",
    );
    await caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question: QUESTIONS[0]! });
    const outcomes = await Promise.allSettled([
      caller.evaluation.start({ profileId: profile.id }),
      caller.evaluation.start({ profileId: profile.id }),
      caller.evaluation.start({ profileId: profile.id }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes.filter((outcome) => outcome.status === "rejected")) {
      expect(String(outcome.reason)).toContain("An evaluation of this profile is running already.");
    }
    const [running] = await caller.evaluation.runs({ profileId: profile.id });
    expect(running).toMatchObject({ status: "running", total: 1, answered: 0 });

    // Another profile runs meanwhile.
    const other = await caller.profiles.save({ id: null, profile: { ...BAKERY, name: "Other" } });
    await caller.evaluation.saveQuestion({ profileId: other.id, id: null, question: QUESTIONS[1]! });
    await expect(caller.evaluation.start({ profileId: other.id })).resolves.toMatchObject({ id: expect.any(String) });

    // A run whose worker is gone for good (started long ago) no longer blocks, and is marked failed.
    await db
      .update(evalRuns)
      .set({ startedAt: new Date(Date.now() - 2 * 60 * 60_000) })
      .where(eq(evalRuns.id, running!.id));
    const next = await caller.evaluation.start({ profileId: profile.id });
    expect(await caller.evaluation.run({ id: running!.id })).toMatchObject({ status: "failed", error: "interrupted" });
    expect(next.id).not.toBe(running!.id);
  });

  it("keeps questions in order, edits and deletes them within their profile, and caps a set at 200", async () => {
    const { db, caller, profile } = await withoutWorker();
    const first = await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "  First?  ", mustContain: ["a", "", "a"], mustNotContain: [] },
    });
    const second = await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "Second?" },
    });
    expect(first).toMatchObject({ question: "First?", mustContain: ["a"], position: 0 });
    expect(second.position).toBe(1);
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: first.id,
      question: { question: "First, edited?", expectHandoff: true },
    });
    expect(await caller.evaluation.questions({ profileId: profile.id })).toMatchObject([
      { question: "First, edited?", expectHandoff: true, mustContain: [] },
      { question: "Second?" },
    ]);
    // A question is reached only through its own profile.
    const other = await caller.profiles.save({ id: null, profile: { ...BAKERY, name: "Other" } });
    await expect(caller.evaluation.deleteQuestion({ profileId: other.id, id: first.id })).rejects.toThrow(
      "This question no longer exists.",
    );
    await expect(
      caller.evaluation.saveQuestion({ profileId: other.id, id: first.id, question: { question: "Stolen?" } }),
    ).rejects.toThrow("This question no longer exists.");
    await caller.evaluation.deleteQuestion({ profileId: profile.id, id: first.id });
    expect(await caller.evaluation.questions({ profileId: profile.id })).toHaveLength(1);
    await expect(
      caller.evaluation.saveQuestion({ profileId: randomUUID(), id: null, question: { question: "Lost?" } }),
    ).rejects.toThrow("This profile no longer exists.");
    await expect(
      caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question: { question: " " } }),
    ).rejects.toThrow();

    await db.insert(evalQuestions).values(
      Array.from({ length: MAX_EVAL_QUESTIONS - 1 }, (_, index) => ({
        profileId: profile.id,
        question: `Q${index}?`,
        position: index + 2,
      })),
    );
    await expect(
      caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question: { question: "One too many?" } }),
    ).rejects.toThrow("A profile has at most 200 evaluation questions.");
  });

  it("exports a set as CSV and imports it into another profile; a bad line refuses the whole file", async () => {
    const { caller, profile } = await withoutWorker();
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: {
        question: 'Price of the "large" cake, please?',
        mustContain: ["45 €|45 euros", "large"],
        mustNotContain: ["=1+1"],
      },
    });
    await caller.evaluation.saveQuestion({
      profileId: profile.id,
      id: null,
      question: { question: "Who wins the election?", expectHandoff: true },
    });
    const csv = await caller.evaluation.exportCsv({ profileId: profile.id });
    expect(csv.split("\r\n")[0]).toBe("question,must_contain,must_not_contain,expect_handoff");
    // A formula is defused for spreadsheets.
    expect(csv).toContain(",'=1+1,");

    const other = await caller.profiles.save({ id: null, profile: { ...BAKERY, name: "Copy" } });
    expect(await caller.evaluation.importCsv({ profileId: other.id, csv })).toEqual({ imported: 2 });
    const copied = await caller.evaluation.questions({ profileId: other.id });
    expect(
      copied.map(({ question, mustContain, mustNotContain, expectHandoff, position }) => ({
        question,
        mustContain,
        mustNotContain,
        expectHandoff,
        position,
      })),
    ).toEqual([
      {
        question: 'Price of the "large" cake, please?',
        mustContain: ["45 €|45 euros", "large"],
        mustNotContain: ["=1+1"],
        expectHandoff: false,
        position: 0,
      },
      { question: "Who wins the election?", mustContain: [], mustNotContain: [], expectHandoff: true, position: 1 },
    ]);

    // A spreadsheet's own file: other column order and case, a BOM, semicolon-free lists by line.
    await expect(
      caller.evaluation.importCsv({ profileId: other.id, csv: "\uFEFFExpect handoff,Question\nx,Open on Sunday?\n" }),
    ).resolves.toEqual({ imported: 1 });
    expect((await caller.evaluation.questions({ profileId: other.id })).at(-1)).toMatchObject({
      question: "Open on Sunday?",
      expectHandoff: true,
      position: 2,
    });
    await expect(caller.evaluation.importCsv({ profileId: other.id, csv: 'question\nfine?\n""\n' })).rejects.toThrow(
      /^Line 3:/,
    );
    await expect(caller.evaluation.importCsv({ profileId: other.id, csv: "text\nhello?\n" })).rejects.toThrow(
      "The first line must name the columns",
    );
    await expect(caller.evaluation.importCsv({ profileId: other.id, csv: "question\n" })).rejects.toThrow(
      "The file holds no questions.",
    );
    expect(await caller.evaluation.questions({ profileId: other.id })).toHaveLength(3);
  });

  it("compares only runs of one profile, and forgets a profile's runs with the profile", async () => {
    const { db, caller, profile } = await withoutWorker();
    const other = await caller.profiles.save({ id: null, profile: { ...BAKERY, name: "Other" } });
    await caller.evaluation.saveQuestion({ profileId: profile.id, id: null, question: QUESTIONS[0]! });
    await caller.evaluation.saveQuestion({ profileId: other.id, id: null, question: QUESTIONS[0]! });
    const a = await caller.evaluation.start({ profileId: profile.id });
    const b = await caller.evaluation.start({ profileId: other.id });
    await expect(caller.evaluation.compare({ a: a.id, b: b.id })).rejects.toThrow(
      "Compare two runs of the same profile.",
    );
    await caller.profiles.delete({ id: other.id });
    expect(await db.select().from(evalRuns).where(eq(evalRuns.profileId, other.id))).toEqual([]);
    await expect(caller.evaluation.run({ id: b.id })).rejects.toThrow("This evaluation run no longer exists.");
    expect(await db.select().from(contextProfiles).where(eq(contextProfiles.id, profile.id))).toHaveLength(1);
  });
});
