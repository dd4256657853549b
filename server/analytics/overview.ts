import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { countStuckMessages } from "~/server/delivery/stuck";
import { responsePercentiles } from "./percentiles";
import { hourlyRows } from "./rollup";
import { threadCounts } from "./thread-days";
import { withAnalyticsSettings } from "./session";
import { resolveRange, sessionFilter, type TRangeInput } from "./range";

/**
 * The Overview's figures for a window [start, end). Additive counts come from the hourly rollup
 * for the whole hours it covers and from the raw tables for the rest (the edges, and everything
 * after the rollup's watermark, the current hour included); distinct counts and percentiles are
 * computed from narrow, indexed tables. Every figure is defined in docs/architecture.md
 * (Analytics) and checked against hand-computed values in tests/integration/analytics.test.ts.
 */
export type TFigures = {
  messagesIn: number;
  messagesOut: number;
  activeContacts: number;
  newContacts: number;
  activeThreads: number;
  botResolvedThreads: number;
  handedOffThreads: number;
  handoffRate: number | null;
  firstResponse: {
    bot: { median: number | null; p90: number | null; count: number };
    human: { median: number | null; p90: number | null; count: number };
  };
  delivery: { sent: number; delivered: number; read: number; failed: number; successRate: number | null };
  ai: { calls: number; latencyP50: number | null; latencyP95: number | null; fallbackRate: number | null };
  webhooks: { attempts: number; succeeded: number; successRate: number | null };
};

type TCounts = {
  messages_in: number;
  messages_out: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  handoffs: number;
};

const COUNT_KEYS = ["messages_in", "messages_out", "sent", "delivered", "read", "failed", "handoffs"] as const;

/** Additive counts of [start, end): the hourly rows (rollup, and live where it has none), summed. */
export async function additiveCounts(db: TDbOrTx, start: Date, end: Date, sessionId: string | null): Promise<TCounts> {
  const rows = await hourlyRows(db, start, end, sessionId);
  const { rows: sums } = await db.execute<Record<keyof TCounts, string | number | null>>(sql`
    select sum(messages_in) as messages_in, sum(messages_out) as messages_out, sum(sent) as sent,
      sum(delivered) as delivered, sum(read) as read, sum(failed) as failed, sum(handoffs) as handoffs
    from ${rows} h`);
  const row = sums[0];
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, Number(row?.[key] ?? 0)])) as TCounts;
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** Every figure of the Overview for [start, end). */
export async function figures(db: TDbOrTx, start: Date, end: Date, sessionId: string | null): Promise<TFigures> {
  return withAnalyticsSettings(db, (tx) => computeFigures(tx, start, end, sessionId));
}

async function computeFigures(db: TDbOrTx, start: Date, end: Date, sessionId: string | null): Promise<TFigures> {
  const counts = await additiveCounts(db, start, end, sessionId);
  const threads = await threadCounts(db, start, end, sessionId);
  const responses = (
    await responsePercentiles(db, {
      start,
      end,
      sessionId,
      groups: [{ key: "range", start, end }],
      groupOf: sql`'range'`,
      fractions: [0.5, 0.9],
    })
  ).get("range")!;
  const { rows } = await db.execute<Record<string, string | number | null>>(sql`
    select
      (select count(*) from contacts c where c.first_seen_at >= ${start} and c.first_seen_at < ${end}
        and ${sessionFilter("c.session_id", sessionId)}) as new_contacts,
      a.ai_calls, a.ai_p50, a.ai_p95, a.ai_fallbacks, w.webhook_attempts, w.webhook_ok
    from (
      select count(*) as ai_calls, percentile_cont(array[0.5, 0.95]) within group (order by latency_ms) as ai_p,
        count(*) filter (where fallback) as ai_fallbacks
      from analytics_ai_calls where at >= ${start} and at < ${end} and ${sessionFilter("session_id", sessionId)}
    ) a0 cross join lateral (select a0.ai_calls, a0.ai_p[1] as ai_p50, a0.ai_p[2] as ai_p95, a0.ai_fallbacks) a,
    (
      select count(*) as webhook_attempts, count(*) filter (where http_status between 200 and 299) as webhook_ok
      from webhook_attempts where at >= ${start} and at < ${end}
    ) w`);
  const row = rows[0]!;
  const activeThreads = threads.active;
  const handedOff = threads.handedOff;
  const aiCalls = Number(row.ai_calls);
  const webhookAttempts = Number(row.webhook_attempts);
  return {
    messagesIn: counts.messages_in,
    messagesOut: counts.messages_out,
    // One thread per contact (threads_contact_key): active contacts are active threads.
    activeContacts: activeThreads,
    newContacts: Number(row.new_contacts),
    activeThreads,
    botResolvedThreads: threads.botResolved,
    handedOffThreads: handedOff,
    handoffRate: ratio(handedOff, activeThreads),
    firstResponse: {
      bot: { median: responses.bot.values[0]!, p90: responses.bot.values[1]!, count: responses.bot.count },
      human: { median: responses.human.values[0]!, p90: responses.human.values[1]!, count: responses.human.count },
    },
    delivery: {
      sent: counts.sent,
      delivered: counts.delivered,
      read: counts.read,
      failed: counts.failed,
      successRate: ratio(counts.sent, counts.sent + counts.failed),
    },
    ai: {
      calls: aiCalls,
      latencyP50: num(row.ai_p50),
      latencyP95: num(row.ai_p95),
      fallbackRate: ratio(Number(row.ai_fallbacks), aiCalls),
    },
    webhooks: {
      attempts: webhookAttempts,
      succeeded: Number(row.webhook_ok),
      successRate: ratio(Number(row.webhook_ok), webhookAttempts),
    },
  };
}

/**
 * The Overview: the range's figures and the previous period's (same length, just before), and
 * the messages stuck now (server/delivery/stuck.ts: a count of this moment, not of the range).
 */
export async function getOverview(db: TDbOrTx, input: TRangeInput) {
  const range = await resolveRange(db, input);
  // The two periods at once, on two connections (outside a transaction).
  const [current, previous, stuck] = await Promise.all([
    figures(db, range.start, range.end, range.sessionId),
    figures(db, range.previousStart, range.start, range.sessionId),
    countStuckMessages(db, range.sessionId),
  ]);
  return { range, current, previous, stuck };
}
