import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { and, asc, count, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contextProfiles, evalQuestions, evalRuns, users } from "~/db/schema";
import type { TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { enqueue } from "~/server/jobs/boss";
import { fold } from "~/server/lib/fold";
import { answerWithAi, type TAiConfig } from "./answer";

/** Questions one profile's evaluation set may hold. */
export const MAX_EVAL_QUESTIONS = 200;
/** Facts (and forbidden texts) one question may list. */
export const MAX_EVAL_FACTS = 30;
/** Runs kept per profile: older ones are removed when a new one starts. */
export const MAX_EVAL_RUNS = 100;
/**
 * A run still "running" after this long lost its worker for good (its job expired or was
 * dead-lettered): it no longer blocks a new run and is marked failed.
 */
export const EVAL_RUN_STALE_MS = 70 * 60_000;

// ---------------------------------------------------------------------------------------------
// Scoring (pure)
// ---------------------------------------------------------------------------------------------

/**
 * Text as the checks compare it: lower case, accents dropped ("Préço" → "preco"), every kind of
 * dash a hyphen, curly quotes straight, runs of white space one space. Both the answer and the
 * facts go through it, so "9–17" finds "9-17" and "SÃO PAULO" finds "são paulo".
 */
export function normaliseForCheck(text: string): string {
  return fold(text)
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[\u2018\u2019\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201F]/g, '"')
    .replace(/\s+/g, " ")
    .trim();
}

/** The alternatives of one fact ("25 €|25 euros" → both), normalised, empty ones dropped. */
function alternativesOf(fact: string): string[] {
  return fact
    .split("|")
    .map(normaliseForCheck)
    .filter((alternative) => alternative.length > 0);
}

/** Whether the answer holds the fact, or one of its alternatives ("a|b"), case- and accent-insensitively. */
export function containsFact(answer: string, fact: string): boolean {
  const text = normaliseForCheck(answer);
  return alternativesOf(fact).some((alternative) => text.includes(alternative));
}

export type TEvalExpectation = { mustContain: string[]; mustNotContain: string[]; expectHandoff: boolean };
export type TEvalAnswer = { text: string; handedOff: boolean; error: string | null };

export type TEvalChecks = {
  factsFound: string[];
  factsMissing: string[];
  forbiddenFound: string[];
  /** Checks made: one per fact, one per forbidden text, one for the hand-off. */
  checks: number;
  checksMet: number;
  passed: boolean;
};

/**
 * Scores one answer: each fact found, each forbidden text absent, and the hand-off as expected
 * (handed off when it should, answered when it should) are one check each. The question passes
 * when every check is met. An answer the model never gave (`error`) meets none of its checks.
 */
export function scoreAnswer(expected: TEvalExpectation, answer: TEvalAnswer): TEvalChecks {
  const checks = expected.mustContain.length + expected.mustNotContain.length + 1;
  if (answer.error !== null) {
    return {
      factsFound: [],
      factsMissing: [...expected.mustContain],
      forbiddenFound: [],
      checks,
      checksMet: 0,
      passed: false,
    };
  }
  const factsFound = expected.mustContain.filter((fact) => containsFact(answer.text, fact));
  const factsMissing = expected.mustContain.filter((fact) => !factsFound.includes(fact));
  const forbiddenFound = expected.mustNotContain.filter((text) => containsFact(answer.text, text));
  const handoffMet = answer.handedOff === expected.expectHandoff;
  const checksMet = factsFound.length + (expected.mustNotContain.length - forbiddenFound.length) + (handoffMet ? 1 : 0);
  return { factsFound, factsMissing, forbiddenFound, checks, checksMet, passed: checksMet === checks };
}

/** A knowledge passage an answer was given: its title, its source's, and whether the answer cited it. */
export type TEvalPassage = { title: string; source: string; cited: boolean };

/** One question of a run: what was asked and expected (as it was when the run started), and what happened. */
export type TEvalResult = TEvalExpectation & {
  questionId: string;
  question: string;
  /** `pending` until the question is answered (progress while the run goes). */
  state: "pending" | "done";
  answer: string | null;
  handedOff: boolean | null;
  factsFound: string[];
  factsMissing: string[];
  forbiddenFound: string[];
  checks: number;
  checksMet: number;
  passed: boolean;
  latencyMs: number | null;
  /** Why the model gave no answer (a failed call, a timeout); the question then fails. */
  error: string | null;
  /** The knowledge passages the answer was given (and whether it cited each), when the profile has collections. */
  passages?: TEvalPassage[];
};

/** The run's figures from its answered questions: questions passed, and checks met over checks made (null: none made). */
export function scoreRun(results: readonly TEvalResult[]): { passed: number; score: number | null } {
  const done = results.filter((result) => result.state === "done");
  const checks = done.reduce((sum, result) => sum + result.checks, 0);
  const met = done.reduce((sum, result) => sum + result.checksMet, 0);
  return { passed: done.filter((result) => result.passed).length, score: checks === 0 ? null : met / checks };
}

/** How a question fared from one run to the other. */
export type TEvalChange = "broke" | "fixed" | "same" | "only_a" | "only_b";
export type TEvalComparisonRow = {
  questionId: string;
  question: string;
  a: TEvalResult | null;
  b: TEvalResult | null;
  change: TEvalChange;
};

/**
 * Lines two runs' results up by question (their id, else their text), in the order of run B
 * then what only run A had. A question passed in A and failed in B "broke"; the other way "fixed".
 */
export function compareResults(a: readonly TEvalResult[], b: readonly TEvalResult[]): TEvalComparisonRow[] {
  const remaining = [...a];
  const take = (result: TEvalResult) => {
    let index = remaining.findIndex((other) => other.questionId === result.questionId);
    if (index < 0)
      index = remaining.findIndex((other) => normaliseForCheck(other.question) === normaliseForCheck(result.question));
    return index < 0 ? null : remaining.splice(index, 1)[0]!;
  };
  const rows: TEvalComparisonRow[] = b.map((right) => {
    const left = take(right);
    const change: TEvalChange = !left
      ? "only_b"
      : left.state !== "done" || right.state !== "done" || left.passed === right.passed
        ? "same"
        : left.passed
          ? "broke"
          : "fixed";
    return { questionId: right.questionId, question: right.question, a: left, b: right, change };
  });
  for (const left of remaining) {
    rows.push({ questionId: left.questionId, question: left.question, a: left, b: null, change: "only_a" });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The question set
// ---------------------------------------------------------------------------------------------

const ZFacts = z
  .array(z.string().trim().max(300))
  .max(MAX_EVAL_FACTS)
  .default([])
  // Blank lines are dropped and repeats kept once: a list typed one per line.
  .transform((facts) => [...new Set(facts.filter((fact) => fact.replaceAll("|", "").trim().length > 0))]);

export const ZEvalQuestionInput = z
  .object({
    question: z.string().trim().min(1, "Write the question").max(2_000),
    mustContain: ZFacts,
    mustNotContain: ZFacts,
    expectHandoff: z.boolean().default(false),
  })
  .strict();
export type TEvalQuestionInput = z.input<typeof ZEvalQuestionInput>;

async function lockProfile(tx: TDbOrTx, profileId: string) {
  const [profile] = await tx
    .select({ id: contextProfiles.id })
    .from(contextProfiles)
    .where(eq(contextProfiles.id, profileId))
    .for("update");
  if (!profile) throw new AppError("NOT_FOUND", "This profile no longer exists.");
}

/** A profile's evaluation questions, in their order. */
export async function listEvalQuestions(db: TDbOrTx, profileId: string) {
  return db
    .select()
    .from(evalQuestions)
    .where(eq(evalQuestions.profileId, profileId))
    .orderBy(asc(evalQuestions.position), asc(evalQuestions.createdAt));
}

/** Adds a question to a profile's set (at the end), or changes one (`id`). At most MAX_EVAL_QUESTIONS per profile. */
export async function saveEvalQuestion(
  db: TDb,
  input: { profileId: string; id: string | null; question: TEvalQuestionInput },
) {
  const question = ZEvalQuestionInput.parse(input.question);
  return db.transaction(async (tx) => {
    await lockProfile(tx, input.profileId);
    if (input.id) {
      const [updated] = await tx
        .update(evalQuestions)
        .set({ ...question, updatedAt: new Date() })
        .where(and(eq(evalQuestions.id, input.id), eq(evalQuestions.profileId, input.profileId)))
        .returning();
      if (!updated) throw new AppError("NOT_FOUND", "This question no longer exists.");
      return updated;
    }
    const [{ n, last }] = (await tx
      .select({ n: count(), last: sql<number | null>`max(${evalQuestions.position})` })
      .from(evalQuestions)
      .where(eq(evalQuestions.profileId, input.profileId))) as [{ n: number; last: number | null }];
    if (n >= MAX_EVAL_QUESTIONS) {
      throw new AppError("BAD_REQUEST", serverText("evaluation.tooManyQuestions", { max: MAX_EVAL_QUESTIONS }));
    }
    const [created] = await tx
      .insert(evalQuestions)
      .values({ ...question, profileId: input.profileId, position: (last ?? -1) + 1 })
      .returning();
    return created!;
  });
}

export async function deleteEvalQuestion(db: TDbOrTx, input: { profileId: string; id: string }) {
  const [row] = await db
    .delete(evalQuestions)
    .where(and(eq(evalQuestions.id, input.id), eq(evalQuestions.profileId, input.profileId)))
    .returning({ id: evalQuestions.id });
  if (!row) throw new AppError("NOT_FOUND", "This question no longer exists.");
}

/** The columns of an evaluation set as CSV; lists hold one fact per line of the cell. */
export const EVAL_CSV_COLUMNS = ["question", "must_contain", "must_not_contain", "expect_handoff"] as const;
/** The largest CSV an import reads. */
export const MAX_EVAL_CSV_CHARS = 1_000_000;

/** One CSV field: quoted when it holds a comma, quote or line break; formula-looking text defused. */
function csvField(text: string): string {
  // A leading = + - @ makes spreadsheets run the cell as a formula: prefix it to keep it text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A profile's evaluation set as CSV (header first), for a spreadsheet or another profile. */
export async function exportEvalQuestionsCsv(db: TDbOrTx, profileId: string): Promise<string> {
  const questions = await listEvalQuestions(db, profileId);
  const lines = [
    EVAL_CSV_COLUMNS.join(","),
    ...questions.map((question) =>
      [
        question.question,
        question.mustContain.join("\n"),
        question.mustNotContain.join("\n"),
        question.expectHandoff ? "yes" : "no",
      ]
        .map(csvField)
        .join(","),
    ),
  ];
  return `${lines.join("\r\n")}\r\n`;
}

/** A cell as written by a person or by the export (which defuses formulas with a leading '). */
function cellText(cell: string | undefined): string {
  const text = (cell ?? "").trim();
  return /^'[=+\-@]/.test(text) ? text.slice(1) : text;
}

/**
 * Adds the questions of a CSV (the export's columns; `question` required, the others optional,
 * lists one per line of the cell, `expect_handoff` yes/true/1/x) after a profile's own. All or
 * nothing: a line that does not fit refuses the file, naming the line.
 */
export async function importEvalQuestionsCsv(db: TDb, input: { profileId: string; csv: string }) {
  let records: string[][];
  try {
    const rows: unknown = parse(input.csv.slice(0, MAX_EVAL_CSV_CHARS), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    });
    // Without `columns`, each record is the array of its cells.
    records = rows as string[][];
  } catch {
    throw new AppError("BAD_REQUEST", "This file cannot be read as CSV.");
  }
  const header = (records[0] ?? []).map((name) => fold(name.trim()).replace(/[\s-]+/g, "_"));
  const column = (name: (typeof EVAL_CSV_COLUMNS)[number]) => header.indexOf(name);
  if (column("question") < 0) {
    throw new AppError(
      "BAD_REQUEST",
      "The first line must name the columns: question, must_contain, must_not_contain, expect_handoff.",
    );
  }
  const list = (row: string[], name: (typeof EVAL_CSV_COLUMNS)[number]) =>
    column(name) < 0 ? [] : (row[column(name)] ?? "").split(/\r?\n/).map(cellText);
  const questions = records.slice(1).map((row, index) => {
    const parsed = ZEvalQuestionInput.safeParse({
      question: cellText(row[column("question")]),
      mustContain: list(row, "must_contain"),
      mustNotContain: list(row, "must_not_contain"),
      expectHandoff: /^(yes|y|true|1|x|si|sim)$/i.test(fold(cellText(row[column("expect_handoff")]))),
    });
    if (!parsed.success) throw new AppError("BAD_REQUEST", serverText("evaluation.csvLine", { line: index + 2 }));
    return parsed.data;
  });
  if (questions.length === 0) throw new AppError("BAD_REQUEST", "The file holds no questions.");
  return db.transaction(async (tx) => {
    await lockProfile(tx, input.profileId);
    const [{ n, last }] = (await tx
      .select({ n: count(), last: sql<number | null>`max(${evalQuestions.position})` })
      .from(evalQuestions)
      .where(eq(evalQuestions.profileId, input.profileId))) as [{ n: number; last: number | null }];
    if (n + questions.length > MAX_EVAL_QUESTIONS) {
      throw new AppError("BAD_REQUEST", serverText("evaluation.tooManyQuestions", { max: MAX_EVAL_QUESTIONS }));
    }
    await tx.insert(evalQuestions).values(
      questions.map((question, index) => ({
        ...question,
        profileId: input.profileId,
        position: (last ?? -1) + 1 + index,
      })),
    );
    return { imported: questions.length };
  });
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

function pendingResult(question: typeof evalQuestions.$inferSelect): TEvalResult {
  return {
    questionId: question.id,
    question: question.question,
    mustContain: question.mustContain,
    mustNotContain: question.mustNotContain,
    expectHandoff: question.expectHandoff,
    state: "pending",
    answer: null,
    handedOff: null,
    factsFound: [],
    factsMissing: [],
    forbiddenFound: [],
    checks: 0,
    checksMet: 0,
    passed: false,
    latencyMs: null,
    error: null,
  };
}

/**
 * Starts a run of a profile's evaluation set: the questions as they are now go into the run
 * (each pending), and an `ai.evaluate` job answers them. One run per profile at a time: a second
 * start while one runs is refused. A run left "running" by a worker gone for good
 * (EVAL_RUN_STALE_MS) is marked failed instead of blocking for ever.
 */
export async function startEvaluation(db: TDb, boss: PgBoss, actor: TActor, profileId: string) {
  return db.transaction(async (tx) => {
    // The profile's row lock makes "is one running?" and "start one" one step.
    await lockProfile(tx, profileId);
    const staleBefore = new Date(Date.now() - EVAL_RUN_STALE_MS);
    await tx
      .update(evalRuns)
      .set({ status: "failed", error: "interrupted", finishedAt: new Date() })
      .where(
        and(eq(evalRuns.profileId, profileId), eq(evalRuns.status, "running"), lt(evalRuns.startedAt, staleBefore)),
      );
    const [running] = await tx
      .select({ id: evalRuns.id })
      .from(evalRuns)
      .where(and(eq(evalRuns.profileId, profileId), eq(evalRuns.status, "running")));
    if (running) throw new AppError("CONFLICT", "An evaluation of this profile is running already.");
    const questions = await listEvalQuestions(tx, profileId);
    if (questions.length === 0) throw new AppError("BAD_REQUEST", "Add a question to evaluate first.");
    const id = randomUUID();
    const [run] = await tx
      .insert(evalRuns)
      .values({
        id,
        profileId,
        status: "running",
        total: questions.length,
        results: questions.map(pendingResult),
        startedBy: actor?.id ?? null,
      })
      .returning({ id: evalRuns.id, startedAt: evalRuns.startedAt });
    // The history keeps the latest runs.
    const old = await tx
      .select({ id: evalRuns.id })
      .from(evalRuns)
      .where(eq(evalRuns.profileId, profileId))
      .orderBy(desc(evalRuns.startedAt), desc(evalRuns.id))
      .offset(MAX_EVAL_RUNS);
    if (old.length > 0) {
      await tx.delete(evalRuns).where(
        inArray(
          evalRuns.id,
          old.map((row) => row.id),
        ),
      );
    }
    await enqueue(boss, "ai.evaluate", { runId: id }, { tx });
    return run!;
  });
}

/** A question answered as a new contact would ask it: the reply's text, whether it handed off, and how it went. */
export type TEvalReply = {
  text: string;
  handedOff: boolean;
  /** Set when the model gave no answer of its own (the fallback text was all there was). */
  error: string | null;
  latencyMs: number;
  passages?: TEvalPassage[];
};

/**
 * One question answered by the code that writes real AI replies, for the profile as it is now,
 * as the first message of a new contact (no history, no stored thread).
 */
export type TEvalAnswerer = (profileId: string, question: string) => Promise<TEvalReply>;

/**
 * The answerer the worker uses: `answerWithAi`, the code that answers every real message (the
 * profile, its knowledge base, the knowledge-only hand-off, citations, the model and its
 * fallback), with the worker's model configuration, for a new contact with no history.
 */
export function replyAnswerer(db: TDbOrTx, config: TAiConfig): TEvalAnswerer {
  return async (profileId, question) => {
    const reply = await answerWithAi(db, config, {
      profileId,
      contact: { name: null, relationship: "client", tags: [], profileId },
      history: [],
      message: question,
    });
    return {
      text: reply.text,
      handedOff: reply.handoff !== null,
      error: reply.outcome === "fallback" ? `${reply.reason}${reply.error ? `: ${reply.error}` : ""}` : null,
      latencyMs: reply.latencyMs,
      ...(reply.knowledge
        ? { passages: reply.knowledge.passages.map(({ title, source, cited }) => ({ title, source, cited })) }
        : {}),
    };
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/**
 * `ai.evaluate`: answers a run's pending questions one after the other and writes each result
 * as it comes (the page shows the progress), then the score. A question whose answer failed
 * keeps its error and fails; the run goes on. A retried job (the worker died) carries on where
 * the run stood. Returns what it did.
 */
export async function runEvaluation(db: TDb, answer: TEvalAnswerer, runId: string) {
  const [run] = await db.select().from(evalRuns).where(eq(evalRuns.id, runId));
  if (!run) return "not_found" as const;
  if (run.status !== "running") return "finished" as const;
  const results = run.results as TEvalResult[];
  try {
    for (const [index, pending] of results.entries()) {
      if (pending.state === "done") continue;
      let reply: TEvalReply;
      const started = performance.now();
      try {
        reply = await answer(run.profileId, pending.question);
      } catch (error) {
        reply = {
          text: "",
          handedOff: false,
          error: messageOf(error),
          latencyMs: Math.round(performance.now() - started),
        };
      }
      const checks = scoreAnswer(pending, reply);
      results[index] = {
        ...pending,
        ...checks,
        state: "done",
        answer: reply.text,
        handedOff: reply.handedOff,
        latencyMs: reply.latencyMs,
        error: reply.error,
        ...(reply.passages ? { passages: reply.passages } : {}),
      };
      const { passed, score } = scoreRun(results);
      const [still] = await db
        .update(evalRuns)
        .set({ results, passed, score })
        .where(and(eq(evalRuns.id, runId), eq(evalRuns.status, "running")))
        .returning({ id: evalRuns.id });
      // The run was removed (its profile deleted) or ended elsewhere: stop.
      if (!still) return "stopped" as const;
    }
    const { passed, score } = scoreRun(results);
    await db
      .update(evalRuns)
      .set({ status: "done", passed, score, finishedAt: new Date() })
      .where(and(eq(evalRuns.id, runId), eq(evalRuns.status, "running")));
    return "done" as const;
  } catch (error) {
    await db
      .update(evalRuns)
      .set({ status: "failed", error: messageOf(error), finishedAt: new Date() })
      .where(and(eq(evalRuns.id, runId), eq(evalRuns.status, "running")));
    throw error;
  }
}

const runSummary = {
  id: evalRuns.id,
  profileId: evalRuns.profileId,
  status: evalRuns.status,
  total: evalRuns.total,
  passed: evalRuns.passed,
  score: evalRuns.score,
  error: evalRuns.error,
  startedAt: evalRuns.startedAt,
  finishedAt: evalRuns.finishedAt,
  startedByName: users.name,
  /** Questions answered so far. */
  answered: sql<number>`(select count(*)::int from jsonb_array_elements(${evalRuns.results}) r where r->>'state' = 'done')`,
};

/** A profile's runs, newest first, without their answers. */
export async function listEvalRuns(db: TDbOrTx, profileId: string) {
  return db
    .select(runSummary)
    .from(evalRuns)
    .leftJoin(users, eq(users.id, evalRuns.startedBy))
    .where(eq(evalRuns.profileId, profileId))
    .orderBy(desc(evalRuns.startedAt), desc(evalRuns.id))
    .limit(MAX_EVAL_RUNS);
}

/** One run with each question's answer and checks. */
export async function getEvalRun(db: TDbOrTx, runId: string) {
  const [run] = await db
    .select({ ...runSummary, results: evalRuns.results })
    .from(evalRuns)
    .leftJoin(users, eq(users.id, evalRuns.startedBy))
    .where(eq(evalRuns.id, runId));
  if (!run) throw new AppError("NOT_FOUND", "This evaluation run no longer exists.");
  return { ...run, results: run.results as TEvalResult[] };
}

/** Two runs of one profile side by side: question by question, which broke and which were fixed. */
export async function compareEvalRuns(db: TDbOrTx, input: { a: string; b: string }) {
  const [a, b] = await Promise.all([getEvalRun(db, input.a), getEvalRun(db, input.b)]);
  if (a.profileId !== b.profileId) {
    throw new AppError("BAD_REQUEST", "Compare two runs of the same profile.");
  }
  const { results: aResults, ...aRun } = a;
  const { results: bResults, ...bRun } = b;
  return { a: aRun, b: bRun, rows: compareResults(aResults, bResults) };
}

export const ZEvalRunIds = z.object({ a: z.uuid(), b: z.uuid() });
