import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The rollups kept by the `analytics.rollup` job, each complete up to its watermark. */
export type TRollup = "hourly" | "thread_days";

/** Up to when a rollup is complete (null: never built). */
export async function readWatermark(db: TDbOrTx, name: TRollup): Promise<Date | null> {
  const { rows } = await db.execute<{ refreshed_until: string }>(
    sql`select refreshed_until from analytics_rollup_state where name = ${name}`,
  );
  return rows[0] ? new Date(rows[0].refreshed_until) : null;
}

/** Moves a rollup's watermark to `to` when that is later (inside the refresh's transaction). */
export async function advanceWatermark(tx: TDbOrTx, name: TRollup, to: Date) {
  await tx.execute(sql`
    insert into analytics_rollup_state (name, refreshed_until) values (${name}, ${to})
    on conflict (name) do update set refreshed_until = greatest(analytics_rollup_state.refreshed_until, excluded.refreshed_until)`);
}

export type TSpan = { from: Date; to: Date };

/**
 * Splits [start, end) into the whole units (hours, days; aligned to UTC) a rollup covers, before
 * its watermark, and the rest, read from the raw tables: a partial first or last unit, and
 * everything after the watermark.
 */
export function splitByWatermark(
  start: Date,
  end: Date,
  unit: number,
  watermark: Date | null,
): { rolled: TSpan | null; raw: TSpan[] } {
  const from = new Date(Math.ceil(start.getTime() / unit) * unit);
  const to = new Date(Math.min(Math.floor(end.getTime() / unit) * unit, watermark?.getTime() ?? 0));
  if (from >= to) return { rolled: null, raw: start < end ? [{ from: start, to: end }] : [] };
  const raw: TSpan[] = [];
  if (start < from) raw.push({ from: start, to: from });
  if (to < end) raw.push({ from: to, to: end });
  return { rolled: { from, to }, raw };
}

/** `YYYY-MM-DD` of a UTC midnight. */
export const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** The earliest instant any rolled-up source has a row for (null: nothing yet): where a first build starts. */
export async function firstActivity(db: TDbOrTx): Promise<Date | null> {
  const { rows } = await db.execute<{ first: string | null }>(sql`
    select least((select min(created_at) from messages), (select min(at) from events),
      (select min(responded_at) from analytics_responses)) as first`);
  return rows[0]?.first ? new Date(rows[0].first) : null;
}

/** Writes committed late (an ack for an old message, a slow transaction) land within this long. */
export const LATE_WRITES = 3 * HOUR;

/**
 * What a rollup job rebuilds now, in whole units: from its watermark (or, on first run, from the
 * first activity), going back far enough to take in late writes, to the last complete unit.
 * `due` is false when there is nothing to do (a first run writes its watermark even when empty).
 */
export async function pendingSpan(db: TDbOrTx, name: TRollup, unit: number, now: Date) {
  const floor = (time: number) => new Date(Math.floor(time / unit) * unit);
  const until = floor(now.getTime());
  const watermark = await readWatermark(db, name);
  let from: Date;
  if (watermark) {
    from = new Date(Math.min(watermark.getTime(), floor(now.getTime() - LATE_WRITES).getTime()));
  } else {
    const first = await firstActivity(db);
    from = first ? floor(first.getTime()) : until;
  }
  return { from, until, due: from < until || !watermark };
}
