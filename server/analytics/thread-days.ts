import { sql, type SQL } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { THREAD_CHUNK } from "~/db/schema";
import { sessionFilter } from "./range";
import { advanceWatermark, DAY, pendingSpan, readWatermark, splitByWatermark, utcDay, type TSpan } from "./watermark";

/**
 * Distinct thread counts for the Overview: which threads the contact wrote in (active), which the
 * bot answered, which were handed to people. Whole UTC days come from `analytics_thread_days`
 * (bitmaps over `threads.analytics_no`, OR-ed over the range and counted), the rest from the raw
 * tables; threads seen in both are counted once (see threadCounts).
 */
export type TThreadCounts = { active: number; handedOff: number; botResolved: number };

/**
 * Per-thread activity flags in [from, to) from the raw tables, one row per (thread, flag source),
 * with the UTC day: i inbound message, b bot reply (rule or AI), h hand-off, p hand-off or
 * assignment (the thread went to people).
 */
function rawFlags(spans: TSpan[], sessionId: string | null): SQL {
  const within = (column: string) =>
    sql.join(
      spans.map((span) => sql`(${sql.raw(column)} >= ${span.from} and ${sql.raw(column)} < ${span.to})`),
      sql` or `,
    );
  return sql`(
    select (m.created_at at time zone 'UTC')::date as day, m.session_id, m.thread_id,
      m.direction = 'in' as i, m.direction = 'out' as b, false as h, false as p
    from messages m
    where (${within("m.created_at")}) and (m.direction = 'in' or m.source in ('rule', 'ai', 'flow'))
      and ${sessionFilter("m.session_id", sessionId)}
    union all
    select (e.at at time zone 'UTC')::date, e.session_id, e.thread_id, false, false, e.type = 'thread.handoff', true
    from events e
    where e.type in ('thread.handoff', 'thread.assigned') and (${within("e.at")})
      and e.thread_id is not null and e.session_id is not null and ${sessionFilter("e.session_id", sessionId)})`;
}

/** Rebuilds the bitmaps of the UTC days in [from, to) and moves the watermark to `to`. */
export async function refreshThreadDays(db: TDb, from: Date, to: Date) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7345019302)`);
    await tx.execute(
      sql`delete from analytics_thread_days where day >= ${utcDay(from)}::date and day < ${utcDay(to)}::date`,
    );
    if (from < to) {
      const chunk = sql.raw(String(THREAD_CHUNK));
      // set_bit on an all-zero bitmap per thread, OR-ed per (day, session, chunk) and flag.
      await tx.execute(sql`
        insert into analytics_thread_days (day, session_id, chunk, inbound, bot_answered, handed_off, to_people)
        with per_thread as (
          select f.day, f.session_id, t.analytics_no / ${chunk} as chunk, t.analytics_no % ${chunk} as pos,
            bool_or(f.i) as i, bool_or(f.b) as b, bool_or(f.h) as h, bool_or(f.p) as p
          from ${rawFlags([{ from, to }], null)} f join threads t on t.id = f.thread_id
          group by f.day, f.session_id, t.analytics_no
        ), zero as (select repeat('0', ${chunk})::bit(${chunk}) as bits)
        select day, session_id, chunk,
          coalesce(bit_or(set_bit(z.bits, pos, 1)) filter (where i), z.bits),
          coalesce(bit_or(set_bit(z.bits, pos, 1)) filter (where b), z.bits),
          coalesce(bit_or(set_bit(z.bits, pos, 1)) filter (where h), z.bits),
          coalesce(bit_or(set_bit(z.bits, pos, 1)) filter (where p), z.bits)
        from per_thread, zero z
        group by day, session_id, chunk, z.bits`);
    }
    await advanceWatermark(tx, "thread_days", to);
  });
}

/**
 * The job's part: every complete UTC day not rolled up yet (on first run, since the first
 * message), and yesterday again during the first hours of a day (writes committed late).
 */
export async function runThreadDaysRollup(db: TDb, now: Date) {
  const { from, until, due } = await pendingSpan(db, "thread_days", DAY, now);
  if (due) await refreshThreadDays(db, from, until);
  return { from, until };
}

/**
 * Active, handed-off and bot-resolved threads of [start, end). For each flag set F, the rolled
 * days give |F(rolled)| by bit counts; a thread also seen in the raw part is then counted by its
 * combined flags instead: |F(rolled)| − #{raw threads in F(rolled)} + #{raw threads in F(combined)}.
 */
export async function threadCounts(db: TDbOrTx, start: Date, end: Date, sessionId: string | null) {
  const { rolled, raw } = splitByWatermark(start, end, DAY, await readWatermark(db, "thread_days"));
  const chunk = sql.raw(String(THREAD_CHUNK));
  const rolledRows = rolled
    ? sql`select chunk, bit_or(inbound) as i, bit_or(bot_answered) as b, bit_or(handed_off) as h, bit_or(to_people) as p
        from analytics_thread_days
        where day >= ${utcDay(rolled.from)}::date and day < ${utcDay(rolled.to)}::date and ${sessionFilter("session_id", sessionId)}
        group by chunk`
    : sql`select 0 as chunk, null::bit(${chunk}) as i, null::bit(${chunk}) as b, null::bit(${chunk}) as h, null::bit(${chunk}) as p
        where false`;
  const rawRows = raw.length
    ? sql`select t.analytics_no / ${chunk} as chunk, t.analytics_no % ${chunk} as pos,
          bool_or(f.i) as i, bool_or(f.b) as b, bool_or(f.h) as h, bool_or(f.p) as p
        from ${rawFlags(raw, sessionId)} f join threads t on t.id = f.thread_id
        group by t.analytics_no`
    : sql`select 0 as chunk, 0 as pos, false as i, false as b, false as h, false as p where false`;
  const { rows } = await db.execute<{ active: string; handed_off: string; bot_resolved: string }>(sql`
    with rolled as (${rolledRows}), live as (${rawRows}), bits as (
      select coalesce(sum(bit_count(i)), 0) as active, coalesce(sum(bit_count(i & h)), 0) as handed_off,
        coalesce(sum(bit_count(i & b & ~p)), 0) as bot_resolved
      from rolled
    ), seen as (
      -- Each raw thread's flags in the rolled days (r…) and combined with the raw ones (c…).
      select ri, rb, rh, rp, ri or l.i as ci, rb or l.b as cb, rh or l.h as ch, rp or l.p as cp
      from live l left join rolled r on r.chunk = l.chunk,
      lateral (select coalesce(get_bit(r.i, l.pos) = 1, false) as ri, coalesce(get_bit(r.b, l.pos) = 1, false) as rb,
        coalesce(get_bit(r.h, l.pos) = 1, false) as rh, coalesce(get_bit(r.p, l.pos) = 1, false) as rp) x
    )
    select
      (select active from bits) - count(*) filter (where ri) + count(*) filter (where ci) as active,
      (select handed_off from bits) - count(*) filter (where ri and rh) + count(*) filter (where ci and ch) as handed_off,
      (select bot_resolved from bits) - count(*) filter (where ri and rb and not rp)
        + count(*) filter (where ci and cb and not cp) as bot_resolved
    from seen`);
  const row = rows[0]!;
  return {
    active: Number(row.active),
    handedOff: Number(row.handed_off),
    botResolved: Number(row.bot_resolved),
  } satisfies TThreadCounts;
}
