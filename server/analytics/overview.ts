import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { hourlyRows } from "./rollup";
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
  const { rows } = await db.execute<Record<string, string | number | null>>(sql`
    with active as (
      select distinct m.thread_id from messages m
      where m.direction = 'in' and m.created_at >= ${start} and m.created_at < ${end}
        and ${sessionFilter("m.session_id", sessionId)}
    ), to_people as (
      select distinct e.thread_id from events e
      where e.type in ('thread.handoff', 'thread.assigned') and e.at >= ${start} and e.at < ${end}
        and e.thread_id is not null and ${sessionFilter("e.session_id", sessionId)}
    ), handed as (
      select distinct e.thread_id from events e
      where e.type = 'thread.handoff' and e.at >= ${start} and e.at < ${end}
        and e.thread_id is not null and ${sessionFilter("e.session_id", sessionId)}
    ), bot_answered as (
      select distinct m.thread_id from messages m
      where m.direction = 'out' and m.source in ('rule', 'ai') and m.created_at >= ${start} and m.created_at < ${end}
        and ${sessionFilter("m.session_id", sessionId)}
    ), responses as (
      select responder, response_ms from analytics_responses r
      where r.responded_at >= ${start} and r.responded_at < ${end} and ${sessionFilter("r.session_id", sessionId)}
    ), ai as (
      select (e.payload->>'latencyMs')::numeric as latency, e.payload->>'outcome' as outcome from events e
      where e.type = 'ai.replied' and e.at >= ${start} and e.at < ${end} and ${sessionFilter("e.session_id", sessionId)}
        and not (e.payload ? 'discarded')
    )
    select
      (select count(*) from active) as active_threads,
      -- One thread per contact (threads_contact_key): active contacts are active threads.
      (select count(*) from active) as active_contacts,
      (select count(*) from contacts c where c.first_seen_at >= ${start} and c.first_seen_at < ${end}
        and ${sessionFilter("c.session_id", sessionId)}) as new_contacts,
      (select count(*) from handed h where h.thread_id in (select thread_id from active)) as handed_off,
      (select count(*) from active a where a.thread_id in (select thread_id from bot_answered)
        and a.thread_id not in (select thread_id from to_people)) as bot_resolved,
      r.bot_median, r.bot_p90, r.bot_count, r.human_median, r.human_p90, r.human_count,
      a.ai_calls, a.ai_p50, a.ai_p95, a.ai_fallbacks,
      (select count(*) from webhook_attempts w where w.at >= ${start} and w.at < ${end}) as webhook_attempts,
      (select count(*) from webhook_attempts w where w.at >= ${start} and w.at < ${end}
        and w.http_status between 200 and 299) as webhook_ok
    from (
      -- One pass over the range's responses for all four percentiles.
      select
        percentile_cont(0.5) within group (order by response_ms) filter (where responder = 'bot') as bot_median,
        percentile_cont(0.9) within group (order by response_ms) filter (where responder = 'bot') as bot_p90,
        count(*) filter (where responder = 'bot') as bot_count,
        percentile_cont(0.5) within group (order by response_ms) filter (where responder = 'human') as human_median,
        percentile_cont(0.9) within group (order by response_ms) filter (where responder = 'human') as human_p90,
        count(*) filter (where responder = 'human') as human_count
      from responses) r,
    (
      select count(*) as ai_calls, percentile_cont(0.5) within group (order by latency) as ai_p50,
        percentile_cont(0.95) within group (order by latency) as ai_p95,
        count(*) filter (where outcome = 'fallback') as ai_fallbacks
      from ai) a`);
  const row = rows[0]!;
  const activeThreads = Number(row.active_threads);
  const handedOff = Number(row.handed_off);
  const aiCalls = Number(row.ai_calls);
  const webhookAttempts = Number(row.webhook_attempts);
  return {
    messagesIn: counts.messages_in,
    messagesOut: counts.messages_out,
    activeContacts: Number(row.active_contacts),
    newContacts: Number(row.new_contacts),
    activeThreads,
    botResolvedThreads: Number(row.bot_resolved),
    handedOffThreads: handedOff,
    handoffRate: ratio(handedOff, activeThreads),
    firstResponse: {
      bot: { median: num(row.bot_median), p90: num(row.bot_p90), count: Number(row.bot_count) },
      human: { median: num(row.human_median), p90: num(row.human_p90), count: Number(row.human_count) },
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

/** The Overview: the range's figures and the previous period's (same length, just before). */
export async function getOverview(db: TDbOrTx, input: TRangeInput) {
  const range = await resolveRange(db, input);
  // The two periods at once, on two connections (outside a transaction).
  const [current, previous] = await Promise.all([
    figures(db, range.start, range.end, range.sessionId),
    figures(db, range.previousStart, range.start, range.sessionId),
  ]);
  return { range, current, previous };
}
