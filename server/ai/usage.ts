import { and, desc, eq, gte, lte, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { aiUsageDaily, contextProfiles, type TAiUsagePurpose } from "~/db/schema";
import { getOrgSettings } from "~/server/settings/settings";
import { fallbackTextOf, resolveAnswerProfile, type TAiAnswer, type TAnswerRequest } from "./answer";

/** US dollars per million tokens, in and out. */
type TPrice = { family: string; inputPerMillion: number; outputPerMillion: number };

/**
 * ESTIMATES, not a bill: Google's list prices for the paid tier of the Gemini API as published
 * for the Gemini 2.5 family (ai.google.dev/gemini-api/docs/pricing, as known on 2025-06-17; text
 * input, prompts up to 200k tokens, thinking counted as output). A model is priced by its family,
 * the first pattern its name matches (so a newer "gemini-3.8-flash" costs what a Flash did); a
 * model no pattern matches costs `DEFAULT_PRICE`. Update this table when the prices change.
 */
export const MODEL_PRICES: readonly (TPrice & { pattern: RegExp })[] = [
  { family: "flash-lite", pattern: /flash-lite/i, inputPerMillion: 0.1, outputPerMillion: 0.4 },
  { family: "flash", pattern: /flash/i, inputPerMillion: 0.3, outputPerMillion: 2.5 },
  { family: "pro", pattern: /pro/i, inputPerMillion: 1.25, outputPerMillion: 10 },
  { family: "embedding", pattern: /embedding/i, inputPerMillion: 0.15, outputPerMillion: 0 },
];
/** An unknown model: priced as Flash (the default model's family), so a cap still bites. */
export const DEFAULT_PRICE: TPrice = { family: "unknown", inputPerMillion: 0.3, outputPerMillion: 2.5 };
/** The offline provider (no key) costs nothing. */
const FREE: TPrice = { family: "offline", inputPerMillion: 0, outputPerMillion: 0 };

export function priceOf(model: string): TPrice {
  if (model === "profile") return FREE;
  return MODEL_PRICES.find((price) => price.pattern.test(model)) ?? DEFAULT_PRICE;
}

/** The estimated cost of a call in millionths of a US dollar (whole numbers, rounded up). */
export function estimateCostMicros(model: string, tokens: { prompt: number; output: number }): number {
  const price = priceOf(model);
  // dollars per million tokens = micro-dollars per token.
  return Math.ceil(tokens.prompt * price.inputPerMillion + tokens.output * price.outputPerMillion);
}

/** Today as `ai_usage_daily` counts days: the UTC date. */
export function usageDay(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

export type TAiUsage = {
  profileId: string | null;
  model: string;
  purpose: TAiUsagePurpose;
  promptTokens: number;
  outputTokens: number;
  /** Model calls this usage stands for (1 by default). */
  calls?: number;
  at?: Date;
};

/**
 * Adds the tokens of model calls to today's row of their profile, model and purpose, with the
 * estimated cost. Call it in the transaction that stores what the call produced (a reply, an
 * embedding), so a rolled-back or retried job is counted once.
 */
export async function recordAiUsage(tx: TDbOrTx, usage: TAiUsage): Promise<void> {
  const promptTokens = Math.max(0, Math.round(usage.promptTokens));
  const outputTokens = Math.max(0, Math.round(usage.outputTokens));
  const costMicros = estimateCostMicros(usage.model, { prompt: promptTokens, output: outputTokens });
  await tx.execute(sql`
    insert into ${aiUsageDaily} (day, profile_id, model, purpose, calls, prompt_tokens, output_tokens, cost_micros)
    values (${usageDay(usage.at)}::date, ${usage.profileId}::uuid, ${usage.model}, ${usage.purpose},
      ${usage.calls ?? 1}, ${promptTokens}, ${outputTokens}, ${costMicros})
    on conflict (day, (coalesce(profile_id, '00000000-0000-0000-0000-000000000000'::uuid)), model, purpose)
    do update set
      calls = ${aiUsageDaily}.calls + excluded.calls,
      prompt_tokens = ${aiUsageDaily}.prompt_tokens + excluded.prompt_tokens,
      output_tokens = ${aiUsageDaily}.output_tokens + excluded.output_tokens,
      cost_micros = ${aiUsageDaily}.cost_micros + excluded.cost_micros`);
}

/** Today's (UTC) estimated cost of every AI call, in micro-dollars. */
export async function todaysCostMicros(db: TDbOrTx, at: Date = new Date()): Promise<number> {
  const [row] = await db
    .select({ cost: sql<string>`coalesce(sum(${aiUsageDaily.costMicros}), 0)` })
    .from(aiUsageDaily)
    .where(eq(aiUsageDaily.day, usageDay(at)));
  return Number(row?.cost ?? 0);
}

/**
 * Whether the daily cap (Settings `aiDailyCapUsd`; null: none) is reached: today's estimated
 * cost is at or over it. Checked before each call, so calls already running when the cap is
 * crossed still finish: the cap can be overshot by the calls in flight.
 */
export async function isDailyBudgetSpent(db: TDbOrTx, capUsd: number | null, at: Date = new Date()): Promise<boolean> {
  if (capUsd === null || capUsd <= 0) return false;
  return (await todaysCostMicros(db, at)) >= Math.round(capUsd * 1_000_000);
}

type TUsageFigures = { calls: number; promptTokens: number; outputTokens: number; costMicros: number };
export type TAiUsageReport = {
  /** Per UTC day with any use, oldest first. */
  days: (TUsageFigures & { day: string })[];
  /** Per profile (null: replies with no profile, embeddings and the like), costliest first. */
  profiles: (TUsageFigures & { profileId: string | null; name: string | null })[];
  totals: TUsageFigures;
  /** The cap and today's spend, for the "budget" line. */
  budget: { capUsd: number | null; todayCostMicros: number };
};

const figures = {
  calls: sql<string>`sum(${aiUsageDaily.calls})`,
  promptTokens: sql<string>`sum(${aiUsageDaily.promptTokens})`,
  outputTokens: sql<string>`sum(${aiUsageDaily.outputTokens})`,
  costMicros: sql<string>`sum(${aiUsageDaily.costMicros})`,
};
const toFigures = (row: { calls: string; promptTokens: string; outputTokens: string; costMicros: string }) => ({
  calls: Number(row.calls),
  promptTokens: Number(row.promptTokens),
  outputTokens: Number(row.outputTokens),
  costMicros: Number(row.costMicros),
});

/** Token use and estimated cost per day and per profile between two UTC days (both included). */
export async function aiUsageReport(
  db: TDbOrTx,
  range: { from: string; to: string },
  capUsd: number | null,
): Promise<TAiUsageReport> {
  const within = and(gte(aiUsageDaily.day, range.from), lte(aiUsageDaily.day, range.to));
  const days = await db
    .select({ day: aiUsageDaily.day, ...figures })
    .from(aiUsageDaily)
    .where(within)
    .groupBy(aiUsageDaily.day)
    .orderBy(aiUsageDaily.day);
  const profiles = await db
    .select({ profileId: aiUsageDaily.profileId, name: contextProfiles.name, ...figures })
    .from(aiUsageDaily)
    .leftJoin(contextProfiles, eq(contextProfiles.id, aiUsageDaily.profileId))
    .where(within)
    .groupBy(aiUsageDaily.profileId, contextProfiles.name)
    .orderBy(desc(figures.costMicros), desc(figures.calls));
  const dayRows = days.map((row) => ({ day: row.day, ...toFigures(row) }));
  const totals = dayRows.reduce(
    (sum, row) => ({
      calls: sum.calls + row.calls,
      promptTokens: sum.promptTokens + row.promptTokens,
      outputTokens: sum.outputTokens + row.outputTokens,
      costMicros: sum.costMicros + row.costMicros,
    }),
    { calls: 0, promptTokens: 0, outputTokens: 0, costMicros: 0 },
  );
  return {
    days: dayRows,
    profiles: profiles.map((row) => ({ profileId: row.profileId, name: row.name, ...toFigures(row) })),
    totals,
    budget: { capUsd, todayCostMicros: await todaysCostMicros(db) },
  };
}

/** The report for an Analytics range (its days read as UTC days; the session filter does not apply). */
export async function aiUsageForRange(db: TDbOrTx, range: { from: string; to: string }): Promise<TAiUsageReport> {
  const { aiDailyCapUsd } = await getOrgSettings(db);
  return aiUsageReport(db, range, aiDailyCapUsd);
}

/**
 * Counts an AI reply's model call (none for the offline provider, or when no call was made: an
 * open circuit, the budget spent), in the transaction that stores the reply.
 */
export async function recordReplyUsage(
  tx: TDbOrTx,
  reply: {
    provider: string;
    model: string;
    attempts: number;
    tokens: { prompt: number; output: number } | null;
    profileId: string | null;
  },
): Promise<void> {
  if (reply.provider !== "gemini" || reply.attempts === 0) return;
  await recordAiUsage(tx, {
    profileId: reply.profileId,
    model: reply.model,
    purpose: "reply",
    calls: reply.attempts,
    promptTokens: reply.tokens?.prompt ?? 0,
    outputTokens: reply.tokens?.output ?? 0,
  });
}

/**
 * The AI reply when the daily budget is spent (Settings `aiDailyCapUsd`): the answering
 * profile's fallback text (else the org's default reply, else a stock text), `reason: "budget"`,
 * and no model call. Null while there is budget left (or no cap): ask the model.
 */
export async function budgetSpentAnswer(
  db: TDbOrTx,
  profileId: string | null,
  contact: TAnswerRequest["contact"],
): Promise<TAiAnswer | null> {
  const settings = await getOrgSettings(db);
  if (!(await isDailyBudgetSpent(db, settings.aiDailyCapUsd))) return null;
  const profile = await resolveAnswerProfile(db, profileId, contact);
  return {
    outcome: "fallback",
    text: fallbackTextOf(profile, settings),
    reason: "budget",
    provider: "gemini",
    model: "none",
    latencyMs: 0,
    tokens: null,
    attempts: 0,
    profileId: profile.id,
    handoff: null,
    knowledge: null,
    toolCalls: [],
  };
}
