import { sql } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";

const STATE = "hourly";
const HOUR = 3_600_000;
/** Hours recomputed on every run: late events (an ack for an old message) land in recent hours. */
const RECENT_HOURS = 3;

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
      select hour, session_id, sum(messages_in), sum(messages_out), sum(sent), sum(delivered), sum(read), sum(failed), sum(handoffs)
      from (
        select date_trunc('hour', m.created_at) as hour, m.session_id,
          count(*) filter (where m.direction = 'in') as messages_in,
          count(*) filter (where m.direction = 'out') as messages_out,
          0 as sent, 0 as delivered, 0 as read, 0 as failed, 0 as handoffs
        from messages m where m.created_at >= ${from} and m.created_at < ${to}
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
          and e.at >= ${from} and e.at < ${to} and e.session_id is not null
        group by 1, 2
      ) x
      group by hour, session_id`);
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
