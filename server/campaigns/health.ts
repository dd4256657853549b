import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, messages, threads, waSessions } from "~/db/schema";
import { pgArray } from "~/server/lib/sql";
import { getOrgSettings } from "~/server/settings/settings";
import { readSessionSettings, type TOutreach } from "~/server/sessions/settings";
import { addDays, instantOf, localMomentOf, type TLocalDate } from "~/server/teams/hours";

/**
 * A number's health and limits in campaigns. Unofficial WhatsApp numbers are banned for sudden
 * volume to people who do not answer or who block them; the gateways call it out of scope. Here:
 *
 * - **Daily cap and warm-up**: a number sends at most its cap of campaign messages a day (the
 *   org's days). A new number warms up: from `warmUpFrom` its cap is `WARM_UP_CAPS[day - 1]`,
 *   growing over two weeks, then its `dailyCap` (null: none). Replies, agents' messages and the
 *   API are never capped: only what the business starts in bulk.
 * - **Health score** (0–100), from what the engine reports about the number's campaign messages
 *   in the last 24 hours (or since a resume, `since`): failures, contacts who opted out or
 *   blocked after one (the blocks that can be seen), and replies. See `healthScore`.
 * - **Automatic pause**: a campaign's tick pauses it, with the number and the reason, when one of
 *   its numbers' score falls below that number's `pauseBelow` (server/campaigns/campaigns.ts).
 */

/** A new number's cap on its first, second… day of warm-up; then its `dailyCap`. */
export const WARM_UP_CAPS = [20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 650, 800, 1_000, 1_200] as const;
/** Fewer campaign messages than this in the window: too few to judge; the score stays 100. */
export const HEALTH_MIN_SAMPLE = 20;
/** Delivered campaign messages from which a reply rate under 2 % counts against the number. */
export const REPLY_MIN_SAMPLE = 100;
const HEALTH_WINDOW_MS = 24 * 3_600_000;

export type THealthCause = "failures" | "opt_outs" | "few_replies";
export type THealthCounts = { sent: number; failed: number; delivered: number; replied: number; optedOut: number };
export type THealth = THealthCounts & { score: number; cause: THealthCause | null };

/** Why a campaign was paused for a number's health (`campaigns.paused_detail`). */
export type TPauseDetail = THealth & { sessionId: string; sessionName: string; pauseBelow: number };

/**
 * The score: 100, less up to 60 for failures (2 points a percent of failed sends), up to 60 for
 * opt-outs and blocks (8 points a percent: 5 % of contacts leaving is a number about to be
 * banned), and 15 when at least 100 were delivered and fewer than 2 % answered. The cause is the
 * largest deduction. With the default threshold (50), a campaign pauses from 26 % failures or
 * 6.3 % opt-outs, or fewer of both together.
 */
export function healthScore(counts: THealthCounts): THealth {
  if (counts.sent < HEALTH_MIN_SAMPLE) return { ...counts, score: 100, cause: null };
  const deductions: [THealthCause, number][] = [
    ["failures", Math.min(60, Math.round((counts.failed / counts.sent) * 200))],
    ["opt_outs", Math.min(60, Math.round((counts.optedOut / counts.sent) * 800))],
    ["few_replies", counts.delivered >= REPLY_MIN_SAMPLE && counts.replied / counts.delivered < 0.02 ? 15 : 0],
  ];
  const total = deductions.reduce((sum, [, points]) => sum + points, 0);
  const [cause, largest] = deductions.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { ...counts, score: Math.max(0, 100 - total), cause: largest > 0 ? cause : null };
}

/** Whole days from `from` to `to` (calendar dates). */
function daysBetween(from: TLocalDate, to: TLocalDate) {
  return Math.round(
    (Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000,
  );
}

/** A number's cap on `today` (null: none) and its warm-up day (null: not warming up). */
export function capOn(outreach: TOutreach, today: TLocalDate): { cap: number | null; warmUpDay: number | null } {
  if (outreach.warmUpFrom) {
    const [year, month, day] = outreach.warmUpFrom.split("-").map(Number) as [number, number, number];
    // A start in the future: the number is not warmed up yet, so it is on its first day.
    const elapsed = daysBetween({ year, month, day }, today);
    const warmUpDay = elapsed < 0 ? 1 : elapsed + 1;
    if (warmUpDay <= WARM_UP_CAPS.length) {
      const warm = WARM_UP_CAPS[warmUpDay - 1]!;
      return { cap: outreach.dailyCap === null ? warm : Math.min(warm, outreach.dailyCap), warmUpDay };
    }
  }
  return { cap: outreach.dailyCap, warmUpDay: null };
}

/** Today's local date in the org's time zone, its start and the next day's start. */
export function orgDay(now: Date, timeZone: string) {
  const local = localMomentOf(now, timeZone);
  const today = { year: local.year, month: local.month, day: local.day };
  return { today, start: instantOf(today, 0, timeZone), next: instantOf(addDays(today, 1), 0, timeZone) };
}

export type TNumberOutreach = {
  sessionId: string;
  name: string;
  outreach: TOutreach;
  cap: number | null;
  warmUpDay: number | null;
  /** Campaign messages it made today (the org's day). */
  sentToday: number;
  /** How many more it may make today (Infinity: no cap). */
  remaining: number;
  /** Null when not asked for (`judge` false). */
  health: THealth | null;
};

/**
 * Each of `sessionIds`' limits at `now` (today's cap and use) and, with `judge`, its health over
 * its campaign messages of the last 24 hours (from `since` when later).
 */
export async function numbersOutreach(
  db: TDbOrTx,
  sessionIds: readonly string[],
  now: Date,
  timeZone: string,
  { judge = true, since = null }: { judge?: boolean; since?: Date | null } = {},
): Promise<TNumberOutreach[]> {
  if (sessionIds.length === 0) return [];
  const ids = pgArray(sessionIds, "uuid");
  const day = orgDay(now, timeZone);
  const windowStart = new Date(Math.max(now.getTime() - HEALTH_WINDOW_MS, since?.getTime() ?? 0));
  // One number's campaign messages in the window (`s`: the number), counted.
  const healthCounts = sql`      select (count(*) filter (where m.status <> 'queued'))::int as sent,
        (count(*) filter (where m.status = 'failed'))::int as failed,
        (count(*) filter (where m.status in ('delivered', 'read')))::int as delivered,
        (count(*) filter (where m.status in ('delivered', 'read') and exists (
          select 1 from ${messages} i where i.thread_id = m.thread_id and i.direction = 'in' and i.created_at > m.created_at)))::int as replied,
        (count(*) filter (where c.opted_out and c.opted_out_at >= m.created_at))::int as opted_out
      from ${messages} m
      join ${threads} t on t.id = m.thread_id
      join ${contacts} c on c.id = t.contact_id
      where m.direction = 'out' and m.source = 'campaign' and m.session_id = s.id and m.created_at >= ${windowStart} and m.created_at <= ${now}
    `;
  const { rows } = await db.execute<{
    id: string;
    name: string;
    settings: unknown;
    sent_today: number;
    sent: number;
    failed: number;
    delivered: number;
    replied: number;
    opted_out: number;
  }>(sql`
    select s.id, s.name, s.settings,
      (select count(*)::int from ${messages} m
        where m.direction = 'out' and m.source = 'campaign' and m.session_id = s.id and m.created_at >= ${day.start} and m.created_at <= ${now}) as sent_today,
      coalesce(h.sent, 0) as sent, coalesce(h.failed, 0) as failed, coalesce(h.delivered, 0) as delivered,
      coalesce(h.replied, 0) as replied, coalesce(h.opted_out, 0) as opted_out
    from ${waSessions} s
    left join lateral (${judge ? healthCounts : sql`select 0 as sent, 0 as failed, 0 as delivered, 0 as replied, 0 as opted_out`}) h on true
    where s.id = any(${ids})
    order by s.name`);
  return rows.map((row) => {
    const outreach = readSessionSettings(row.settings).outreach;
    const { cap, warmUpDay } = capOn(outreach, day.today);
    return {
      sessionId: row.id,
      name: row.name,
      outreach,
      cap,
      warmUpDay,
      sentToday: row.sent_today,
      remaining: cap === null ? Number.POSITIVE_INFINITY : Math.max(0, cap - row.sent_today),
      health: judge
        ? healthScore({
            sent: row.sent,
            failed: row.failed,
            delivered: row.delivered,
            replied: row.replied,
            optedOut: row.opted_out,
          })
        : null,
    };
  });
}

/** The first of `numbers` whose health is below its own threshold (null: all are well). */
export function unhealthyNumber(numbers: readonly TNumberOutreach[]): TPauseDetail | null {
  const sick = numbers.find(
    (number) => number.health && number.outreach.pauseBelow > 0 && number.health.score < number.outreach.pauseBelow,
  );
  return sick?.health
    ? { ...sick.health, sessionId: sick.sessionId, sessionName: sick.name, pauseBelow: sick.outreach.pauseBelow }
    : null;
}

/** Every number's limits and health now (the Numbers page); Infinity left as null for JSON. */
export async function numbersOutreachNow(db: TDbOrTx) {
  const { timeZone } = await getOrgSettings(db);
  const ids = (await db.select({ id: waSessions.id }).from(waSessions)).map((row) => row.id);
  const numbers = await numbersOutreach(db, ids, new Date(), timeZone);
  return numbers.map(({ outreach: _outreach, remaining, ...number }) => ({
    ...number,
    remaining: remaining === Number.POSITIVE_INFINITY ? null : remaining,
    warmUpDays: WARM_UP_CAPS.length,
  }));
}
