import { sql, type SQL } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { sessionFilter } from "./range";

const STATE = "hourly";
const HOUR = 3_600_000;
/** Hours recomputed on every run: late events (an ack for an old message) land in recent hours. */
const RECENT_HOURS = 3;

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
      select date_trunc('hour', m.created_at) as hour, m.session_id,
        count(*) filter (where m.direction = 'in') as messages_in,
        count(*) filter (where m.direction = 'out') as messages_out,
        0 as sent, 0 as delivered, 0 as read, 0 as failed, 0 as handoffs
      from messages m
      where m.created_at >= ${from} and m.created_at < ${to} and ${sessionFilter("m.session_id", sessionId)}
      group by 1, 2
      union all
      select date_trunc('hour', e.at), e.session_id, 0, 0,
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
  const watermark = (await readRollupWatermark(db))?.getTime() ?? 0;
  const from = new Date(Math.ceil(start.getTime() / HOUR) * HOUR);
  const to = new Date(Math.min(Math.floor(end.getTime() / HOUR) * HOUR, watermark));
  if (from >= to) return rawHourly(start, end, sessionId);
  const parts: SQL[] = [
    sql`(select hour, session_id, ${sql.raw(COUNTS)} from analytics_hourly
      where hour >= ${from} and hour < ${to} and ${sessionFilter("session_id", sessionId)})`,
  ];
  if (start < from) parts.push(sql`(select * from ${rawHourly(start, from, sessionId)} r)`);
  if (to < end) parts.push(sql`(select * from ${rawHourly(to, end, sessionId)} r)`);
  return sql`(${sql.join(parts, sql` union all `)})`;
}

export async function readRollupWatermark(db: TDbOrTx): Promise<Date | null> {
  const { rows } = await db.execute<{ refreshed_until: string }>(
    sql`select refreshed_until from analytics_rollup_state where name = ${STATE}`,
  );
  return rows[0] ? new Date(rows[0].refreshed_until) : null;
}

/**
 * Recomputes `analytics_hourly` for the whole hours in [from, to) from the raw tables (messages
 * by creation, delivery and hand-off events by their time), in one transaction, and moves the
 * watermark to `to` when it is later. Idempotent.
 */
export async function refreshHourlyRollup(db: TDb, from: Date, to: Date) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7345019301)`);
    await tx.execute(sql`delete from analytics_hourly where hour >= ${from} and hour < ${to}`);
    await tx.execute(sql`
      insert into analytics_hourly (hour, session_id, messages_in, messages_out, sent, delivered, read, failed, handoffs)
      select * from ${rawHourly(from, to, null)} x`);
    await tx.execute(sql`
      insert into analytics_rollup_state (name, refreshed_until) values (${STATE}, ${to})
      on conflict (name) do update set refreshed_until = greatest(analytics_rollup_state.refreshed_until, excluded.refreshed_until)`);
  });
}

/**
 * The `analytics.rollup` job: the last few complete hours again (late events), and on first run
 * everything since the first message. The current hour is never rolled up: queries count it live.
 */
export async function runHourlyRollup(db: TDb, now = new Date()) {
  const until = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const watermark = await readRollupWatermark(db);
  let from: Date;
  if (watermark) {
    from = new Date(Math.min(watermark.getTime(), until.getTime() - RECENT_HOURS * HOUR));
  } else {
    const { rows } = await db.execute<{ first: string | null }>(sql`select min(created_at) as first from messages`);
    from = rows[0]?.first ? new Date(Math.floor(new Date(rows[0].first).getTime() / HOUR) * HOUR) : until;
  }
  if (from < until) await refreshHourlyRollup(db, from, until);
  else if (!watermark) await refreshHourlyRollup(db, until, until);
  return { from, until };
}
