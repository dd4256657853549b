import { sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { withAnalyticsSettings } from "./session";
import { hourlyRows } from "./rollup";
import { responsePercentiles, type TPercentiles, type TResponder } from "./percentiles";
import { resolveRange, sessionFilter, ZRangeInput, type TRange } from "./range";
import { HOUR } from "./watermark";

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
  const { rows: days } = await db.execute<{ day: string; start_at: string; end_at: string }>(sql`
    select to_char(d, 'YYYY-MM-DD') as day, d at time zone ${range.timeZone} as start_at,
      (d + interval '1 day') at time zone ${range.timeZone} as end_at
    from generate_series(date_trunc('day', ${range.start} at time zone ${range.timeZone}),
      (${range.end} at time zone ${range.timeZone}) - interval '1 microsecond', interval '1 day') as d
    order by d`);
  const groups = days.map((row) => ({ key: row.day, start: new Date(row.start_at), end: new Date(row.end_at) }));
  // The per-hour histogram serves local days that start on whole hours (most time zones); others
  // (UTC+5:30, +5:45…) sort each day's responses.
  const onWholeHours = groups.every((group) => group.start.getTime() % HOUR === 0 && group.end.getTime() % HOUR === 0);
  const stats = onWholeHours
    ? await responsePercentiles(db, {
        start: range.start,
        end: range.end,
        sessionId: range.sessionId,
        groups,
        groupOf: sql`to_char(h.hour at time zone ${range.timeZone}, 'YYYY-MM-DD')`,
        fractions: [0.5, 0.9],
      })
    : await sortedDailyPercentiles(db, range);
  return groups.map(({ key }) => {
    const day = stats.get(key);
    return {
      day: key,
      botMedianMs: day?.bot.values[0] ?? null,
      botP90Ms: day?.bot.values[1] ?? null,
      humanMedianMs: day?.human.values[0] ?? null,
      humanP90Ms: day?.human.values[1] ?? null,
    };
  });
}

/** The same figures by sorting each local day's responses (percentile_cont). */
async function sortedDailyPercentiles(db: TDbOrTx, range: TRange): Promise<TPercentiles> {
  const { rows } = await db.execute<{ day: string; responder: TResponder; n: string; p: number[] }>(sql`
    select to_char(r.responded_at at time zone ${range.timeZone}, 'YYYY-MM-DD') as day, r.responder, count(*) as n,
      percentile_cont(array[0.5, 0.9]) within group (order by r.response_ms) as p
    from analytics_responses r
    where r.responded_at >= ${range.start} and r.responded_at < ${range.end} and ${sessionFilter("r.session_id", range.sessionId)}
    group by 1, 2`);
  const result: TPercentiles = new Map();
  for (const row of rows) {
    const day = result.get(row.day) ?? {
      bot: { count: 0, values: [null, null] },
      human: { count: 0, values: [null, null] },
    };
    day[row.responder] = { count: Number(row.n), values: row.p.map(Number) };
    result.set(row.day, day);
  }
  return result;
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
