import { sql, type SQL } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { rawResponseHist } from "./percentiles";
import { sessionFilter } from "./range";
import { runThreadDaysRollup } from "./thread-days";
import { advanceWatermark, HOUR, pendingSpan, readWatermark, splitByWatermark } from "./watermark";

/** The rollup's columns: what every hour and session counts. */
const COUNTS = "messages_in, messages_out, sent, delivered, read, failed, handoffs";

/**
 * Per-hour, per-session counts of [from, to) from the raw tables, as a subquery: messages by
 * creation, delivery and hand-off events by their time. What the rollup stores, and what
 * queries count live for the hours it does not cover.
 */
function rawHourly(from: Date, to: Date, sessionId: string | null): SQL {
  return sql`(
    select hour, session_id, sum(messages_in)::int as messages_in, sum(messages_out)::int as messages_out,
      sum(sent)::int as sent, sum(delivered)::int as delivered, sum(read)::int as read, sum(failed)::int as failed,
      sum(handoffs)::int as handoffs
    from (
      select date_trunc('hour', m.created_at, 'UTC') as hour, m.session_id,
        count(*) filter (where m.direction = 'in') as messages_in,
        count(*) filter (where m.direction = 'out') as messages_out,
        0 as sent, 0 as delivered, 0 as read, 0 as failed, 0 as handoffs
      from messages m
      where m.created_at >= ${from} and m.created_at < ${to} and ${sessionFilter("m.session_id", sessionId)}
      group by 1, 2
      union all
      select date_trunc('hour', e.at, 'UTC'), e.session_id, 0, 0,
        count(*) filter (where e.type = 'message.sent'),
        count(*) filter (where e.type = 'message.status' and e.payload->>'status' = 'delivered'),
        count(*) filter (where e.type = 'message.status' and e.payload->>'status' = 'read'),
        count(*) filter (where e.type = 'message.failed'),
        count(*) filter (where e.type = 'thread.handoff')
      from events e
      where e.type in ('message.sent', 'message.status', 'message.failed', 'thread.handoff')
        and e.at >= ${from} and e.at < ${to} and e.session_id is not null and ${sessionFilter("e.session_id", sessionId)}
      group by 1, 2
    ) x
    group by hour, session_id)`;
}

/**
 * Per-hour counts of [start, end) as one subquery (columns: hour, session_id and the counts):
 * the rollup for the whole hours before its watermark, the raw tables for the rest (a partial
 * first or last hour, and everything after the watermark, the current hour included).
 */
export async function hourlyRows(db: TDbOrTx, start: Date, end: Date, sessionId: string | null): Promise<SQL> {
  const { rolled, raw } = splitByWatermark(start, end, HOUR, await readWatermark(db, "hourly"));
  const parts: SQL[] = raw.map((span) => sql`(select * from ${rawHourly(span.from, span.to, sessionId)} r)`);
  if (rolled) {
    parts.push(sql`(select hour, session_id, ${sql.raw(COUNTS)} from analytics_hourly
      where hour >= ${rolled.from} and hour < ${rolled.to} and ${sessionFilter("session_id", sessionId)})`);
  }
  if (parts.length === 0) return rawHourly(start, end, sessionId);
  return sql`(${sql.join(parts, sql` union all `)})`;
}

/**
 * Recomputes `analytics_hourly` and `analytics_response_hist` for the whole hours in [from, to)
 * from the raw tables, in one transaction, and moves the watermark to `to` when it is later.
 * Idempotent.
 */
export async function refreshHourlyRollup(db: TDb, from: Date, to: Date) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7345019301)`);
    await tx.execute(sql`delete from analytics_hourly where hour >= ${from} and hour < ${to}`);
    await tx.execute(sql`delete from analytics_response_hist where hour >= ${from} and hour < ${to}`);
    await tx.execute(sql`
      insert into analytics_hourly (hour, session_id, messages_in, messages_out, sent, delivered, read, failed, handoffs)
      select * from ${rawHourly(from, to, null)} x`);
    await tx.execute(sql`
      insert into analytics_response_hist (hour, session_id, responder, bucket, n)
      select * from ${rawResponseHist(from, to, null)} x`);
    await advanceWatermark(tx, "hourly", to);
  });
}

/**
 * The `analytics.rollup` job: the complete hours not rolled up yet and the last few again (late
 * events), on first run everything since the first activity; then the per-day thread bitmaps. The current hour and day
 * are never rolled up: queries count them live.
 */
export async function runAnalyticsRollup(db: TDb, now = new Date()) {
  const { from, until, due } = await pendingSpan(db, "hourly", HOUR, now);
  if (due) await refreshHourlyRollup(db, from, until);
  const days = await runThreadDaysRollup(db, now);
  return { from, until, days };
}
