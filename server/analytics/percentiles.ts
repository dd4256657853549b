import { sql, type SQL } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { sessionFilter } from "./range";
import { HOUR, readWatermark, splitByWatermark } from "./watermark";

/**
 * Exact response-time percentiles (the same numbers as `percentile_cont`) without sorting every
 * response of the range. Each response has a histogram bucket (`analytics_responses.bucket`, about
 * four per doubling, a non-decreasing function of the time), counted per hour in
 * `analytics_response_hist`. Phase 1 sums the counts and finds the bucket holding each wanted rank;
 * phase 2 reads only that bucket's values in the range (an index range scan) and takes the value
 * at the rank's offset in it. percentile_cont(p) over N values is v[lo] + (v[hi] − v[lo]) × frac,
 * with pos = p × (N − 1), lo = ⌊pos⌋, hi = ⌈pos⌉, frac = pos − lo.
 */
export type TResponder = "bot" | "human";

/** Per-hour bucket counts of [from, to) from `analytics_responses`: what the rollup stores. */
export function rawResponseHist(from: Date, to: Date, sessionId: string | null): SQL {
  return sql`(
    select date_trunc('hour', r.responded_at, 'UTC') as hour, r.session_id, r.responder, r.bucket, count(*)::int as n
    from analytics_responses r
    where r.responded_at >= ${from} and r.responded_at < ${to} and ${sessionFilter("r.session_id", sessionId)}
    group by 1, 2, 3, 4)`;
}

/** The bucket counts of [start, end): the rollup for whole hours before the watermark, raw for the rest. */
async function responseHistRows(db: TDbOrTx, start: Date, end: Date, sessionId: string | null): Promise<SQL> {
  const { rolled, raw } = splitByWatermark(start, end, HOUR, await readWatermark(db, "hourly"));
  const parts: SQL[] = raw.map((span) => sql`(select * from ${rawResponseHist(span.from, span.to, sessionId)} r)`);
  if (rolled) {
    parts.push(sql`(select hour, session_id, responder, bucket, n from analytics_response_hist
      where hour >= ${rolled.from} and hour < ${rolled.to} and ${sessionFilter("session_id", sessionId)})`);
  }
  if (parts.length === 0) {
    parts.push(sql`(select null::timestamptz as hour, null::uuid as session_id, null::text as responder,
      null::smallint as bucket, 0 as n where false)`);
  }
  return sql`(${sql.join(parts, sql` union all `)})`;
}

/** One group of responses (the whole range, or one local day): its key and instants. */
export type TGroup = { key: string; start: Date; end: Date };

export type TPercentiles = Map<string, Record<TResponder, { count: number; values: (number | null)[] }>>;

/**
 * percentile_cont of each fraction, per group and responder. `groupOf` maps an hour (column
 * `h.hour`) to its group's key; every group boundary must fall on a whole hour.
 */
export async function responsePercentiles(
  db: TDbOrTx,
  input: { start: Date; end: Date; sessionId: string | null; groups: TGroup[]; groupOf: SQL; fractions: number[] },
): Promise<TPercentiles> {
  const { start, end, sessionId, groups, groupOf, fractions } = input;
  const hist = await responseHistRows(db, start, end, sessionId);
  const { rows } = await db.execute<{
    key: string;
    responder: TResponder;
    ord: number;
    total: string;
    vals: number[] | null;
  }>(sql`
    with groups as (
      select * from unnest(${sql.param(groups.map((g) => g.key))}::text[],
        ${sql.param(groups.map((g) => g.start.toISOString()))}::timestamptz[],
        ${sql.param(groups.map((g) => g.end.toISOString()))}::timestamptz[]) as g(key, start_at, end_at)
    ), hist as (
      select ${groupOf} as key, h.responder, h.bucket, sum(h.n)::bigint as n from ${hist} h group by 1, 2, 3
    ), cum as (
      select key, responder, bucket, n, sum(n) over (partition by key, responder order by bucket) - n as before,
        sum(n) over (partition by key, responder) as total
      from hist
    ), wanted as (
      select distinct c.key, c.responder, c.total, f.ord, floor(f.p * (c.total - 1))::bigint as lo,
        ceil(f.p * (c.total - 1))::bigint as hi
      from cum c cross join unnest(${sql.param(fractions)}::float8[]) with ordinality as f(p, ord)
    ), located as materialized (
      select w.*, lb.bucket as lo_bucket, w.lo - lb.before as k, hb.bucket as hi_bucket, g.start_at, g.end_at
      from wanted w
      join groups g on g.key = w.key
      join cum lb on lb.key = w.key and lb.responder = w.responder and w.lo >= lb.before and w.lo < lb.before + lb.n
      join cum hb on hb.key = w.key and hb.responder = w.responder and w.hi >= hb.before and w.hi < hb.before + hb.n
    )
    select l.key, l.responder, l.ord, l.total, v.vals
    from located l cross join lateral (
      -- The values at ranks lo and hi: offset k in the bucket holding lo, continuing into hi's
      -- bucket when hi is the next bucket's first value (any bucket between is empty). Equality
      -- on the bucket keeps each index scan to the range's entries.
      select array_agg(x.response_ms order by x.response_ms) as vals from (
        select r.response_ms from analytics_responses r
        where r.responder = l.responder and r.bucket = any(array[l.lo_bucket, l.hi_bucket])
          and r.responded_at >= l.start_at and r.responded_at < l.end_at and ${sessionFilter("r.session_id", sessionId)}
        order by r.response_ms offset l.k limit l.hi - l.lo + 1) x
    ) v`);
  const result: TPercentiles = new Map();
  for (const group of groups) {
    const empty = () => ({ count: 0, values: fractions.map(() => null) });
    result.set(group.key, { bot: empty(), human: empty() });
  }
  for (const row of rows) {
    const entry = result.get(row.key)?.[row.responder];
    if (!entry) continue;
    const total = Number(row.total);
    const p = fractions[Number(row.ord) - 1]!;
    const pos = p * (total - 1);
    const frac = pos - Math.floor(pos);
    const [first, second] = (row.vals ?? []).map(Number);
    entry.count = total;
    // Same arithmetic as Postgres' percentile_cont (float8 lerp).
    entry.values[Number(row.ord) - 1] =
      first === undefined ? null : second === undefined ? first : first + (second - first) * frac;
  }
  return result;
}
