import { sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { withAnalyticsSettings } from "./session";
import { hourlyRows } from "./rollup";
import { resolveRange, sessionFilter, ZRangeInput } from "./range";

export const ZSeriesInput = ZRangeInput.and(z.object({ bucket: z.enum(["hour", "day"]).default("day") }));

/** Messages in and out, and hand-offs, per hour or day (local time), every bucket present. */
async function messagesOverTimeQuery(db: TDbOrTx, input: z.input<typeof ZSeriesInput>) {
  const parsed = ZSeriesInput.parse(input);
  const range = await resolveRange(db, parsed);
  const rows = await hourlyRows(db, range.start, range.end, range.sessionId);
  const step = parsed.bucket === "hour" ? sql`interval '1 hour'` : sql`interval '1 day'`;
  const { rows: series } = await db.execute<{
    bucket: string;
    messages_in: number;
    messages_out: number;
    handoffs: number;
  }>(sql`
    with buckets as (
      select generate_series(
        date_trunc(${parsed.bucket}, ${range.start} at time zone ${range.timeZone}),
        (${range.end} at time zone ${range.timeZone}) - interval '1 microsecond',
        ${step}) as bucket
    ), counted as (
      select date_trunc(${parsed.bucket}, h.hour at time zone ${range.timeZone}) as bucket,
        sum(h.messages_in)::int as messages_in, sum(h.messages_out)::int as messages_out, sum(h.handoffs)::int as handoffs
      from ${rows} h group by 1
    )
    select to_char(b.bucket, 'YYYY-MM-DD"T"HH24:MI') as bucket, coalesce(c.messages_in, 0) as messages_in,
      coalesce(c.messages_out, 0) as messages_out, coalesce(c.handoffs, 0) as handoffs
    from buckets b left join counted c on c.bucket = b.bucket order by b.bucket`);
  return series.map((row) => ({
    bucket: row.bucket,
    messagesIn: Number(row.messages_in),
    messagesOut: Number(row.messages_out),
    handoffs: Number(row.handoffs),
  }));
}

/** Inbound messages by local weekday (1 Monday … 7 Sunday) and hour: the busiest hours. */
async function busiestHoursQuery(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  const range = await resolveRange(db, input);
  const rows = await hourlyRows(db, range.start, range.end, range.sessionId);
  const { rows: cells } = await db.execute<{ weekday: number; hour: number; messages: number }>(sql`
    select extract(isodow from h.hour at time zone ${range.timeZone})::int as weekday,
      extract(hour from h.hour at time zone ${range.timeZone})::int as hour, sum(h.messages_in)::int as messages
    from ${rows} h group by 1, 2 having sum(h.messages_in) > 0 order by 1, 2`);
  return cells.map((cell) => ({
    weekday: Number(cell.weekday),
    hour: Number(cell.hour),
    messages: Number(cell.messages),
  }));
}

/** First-response time per local day: median and p90 for the bot and for people (ms). */
async function responseTimeOverTimeQuery(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  const range = await resolveRange(db, input);
  const { rows } = await db.execute<{
    day: string;
    bot_median: number | null;
    bot_p90: number | null;
    human_median: number | null;
    human_p90: number | null;
  }>(sql`
    with days as (
      select generate_series(date_trunc('day', ${range.start} at time zone ${range.timeZone}),
        (${range.end} at time zone ${range.timeZone}) - interval '1 microsecond', interval '1 day') as day
    ), stats as (
      select date_trunc('day', r.responded_at at time zone ${range.timeZone}) as day,
        percentile_cont(0.5) within group (order by r.response_ms) filter (where r.responder = 'bot') as bot_median,
        percentile_cont(0.9) within group (order by r.response_ms) filter (where r.responder = 'bot') as bot_p90,
        percentile_cont(0.5) within group (order by r.response_ms) filter (where r.responder = 'human') as human_median,
        percentile_cont(0.9) within group (order by r.response_ms) filter (where r.responder = 'human') as human_p90
      from analytics_responses r
      where r.responded_at >= ${range.start} and r.responded_at < ${range.end} and ${sessionFilter("r.session_id", range.sessionId)}
      group by 1
    )
    select to_char(d.day, 'YYYY-MM-DD') as day, s.bot_median, s.bot_p90, s.human_median, s.human_p90
    from days d left join stats s on s.day = d.day order by d.day`);
  const num = (value: unknown) => (value === null ? null : Number(value));
  return rows.map((row) => ({
    day: row.day,
    botMedianMs: num(row.bot_median),
    botP90Ms: num(row.bot_p90),
    humanMedianMs: num(row.human_median),
    humanP90Ms: num(row.human_p90),
  }));
}

export function messagesOverTime(db: TDbOrTx, input: z.input<typeof ZSeriesInput>) {
  return withAnalyticsSettings(db, (tx) => messagesOverTimeQuery(tx, input));
}

export function busiestHours(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  return withAnalyticsSettings(db, (tx) => busiestHoursQuery(tx, input));
}

export function responseTimeOverTime(db: TDbOrTx, input: z.input<typeof ZRangeInput>) {
  return withAnalyticsSettings(db, (tx) => responseTimeOverTimeQuery(tx, input));
}
