import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { analyticsResponses, contacts, events, messages, threads } from "~/db/schema";
import { responseTimeOverTime } from "~/server/analytics/charts";
import { responsePercentiles } from "~/server/analytics/percentiles";
import { runAnalyticsRollup } from "~/server/analytics/rollup";
import { threadCounts } from "~/server/analytics/thread-days";
import { updateOrgSettings } from "~/server/settings/settings";
import { usePreparedDatabase } from "../support/pipeline";

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const START = Date.parse("2026-11-01T00:00:00Z");
const HOUR = 3_600_000;
/** Ranges over the three days of data: aligned, unaligned, one hour, empty, and all. */
const RANGES: [string, string][] = [
  ["2026-11-01T00:00:00Z", "2026-11-04T00:00:00Z"],
  ["2026-11-01T03:17:11Z", "2026-11-03T20:05:00Z"],
  ["2026-11-02T12:00:00Z", "2026-11-02T13:00:00Z"],
  ["2026-11-02T11:59:59Z", "2026-11-02T12:00:01Z"],
  ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z"],
  ["2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"],
];

describe("analytics at scale: the rollups give the exact figures", () => {
  it("percentiles from the response histogram equal percentile_cont, rolled up, live or mixed", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const next = random(7);
    const [contact] = await db.insert(contacts).values({ sessionId, waId: "+14155550100" }).returning();
    const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
    // Ties, tiny values, values either side of powers of two (bucket edges), and a long tail.
    const value = () => {
      const kind = next();
      if (kind < 0.2) return Math.floor(next() * 12);
      if (kind < 0.4) return 2 ** Math.floor(next() * 20) + Math.floor(next() * 3) - 1;
      if (kind < 0.5) return 1500;
      return Math.floor(Math.exp(next() * Math.log(20_000_000)));
    };
    const rows = Array.from({ length: 3_000 }, () => {
      const respondedAt = new Date(START + Math.floor(next() * 3 * 24 * HOUR));
      const responseMs = value();
      return {
        threadId: thread!.id,
        sessionId,
        responder: next() < 0.8 ? ("bot" as const) : ("human" as const),
        waitingSince: new Date(respondedAt.getTime() - responseMs),
        respondedAt,
        responseMs,
      };
    });
    await db.insert(analyticsResponses).values(rows);

    const fractions = [0, 0.1, 0.5, 0.9, 0.95, 0.99, 1];
    const check = async (label: string) => {
      for (const [from, to] of RANGES) {
        const start = new Date(from);
        const end = new Date(to);
        const exact = await responsePercentiles(db, {
          start,
          end,
          sessionId,
          groups: [{ key: "r", start, end }],
          groupOf: sql`'r'`,
          fractions,
        });
        const { rows: sorted } = await db.execute<{ responder: "bot" | "human"; n: string; p: number[] }>(sql`
          select responder, count(*) as n, percentile_cont(${sql.param(fractions)}::float8[]) within group (order by response_ms) as p
          from analytics_responses where responded_at >= ${start} and responded_at < ${end} group by 1`);
        for (const responder of ["bot", "human"] as const) {
          const expected = sorted.find((row) => row.responder === responder);
          expect({ label, from, to, responder, ...exact.get("r")![responder] }).toEqual({
            label,
            from,
            to,
            responder,
            count: Number(expected?.n ?? 0),
            values: expected ? expected.p.map(Number) : fractions.map(() => null),
          });
        }
      }
    };
    await check("live");
    await runAnalyticsRollup(db, new Date("2026-11-02T12:30:00Z"));
    await check("half rolled up");
    await runAnalyticsRollup(db, new Date("2026-11-10T00:00:00Z"));
    await check("rolled up");

    // The daily chart: from the histogram where local days start on whole hours, by sorting
    // where they do not (India); both equal percentile_cont per local day.
    for (const timeZone of ["America/New_York", "Asia/Kolkata"]) {
      await updateOrgSettings(db, null, { timeZone });
      const chart = await responseTimeOverTime(db, { from: "2026-10-31", to: "2026-11-04" });
      const { rows: daily } = await db.execute<{ day: string; responder: string; p: number[] }>(sql`
        select to_char(responded_at at time zone ${timeZone}, 'YYYY-MM-DD') as day, responder,
          percentile_cont(array[0.5, 0.9]) within group (order by response_ms) as p
        from analytics_responses group by 1, 2`);
      const expected = chart.map(({ day }) => {
        const of = (responder: string) => daily.find((row) => row.day === day && row.responder === responder)?.p;
        return {
          day,
          botMedianMs: of("bot")?.[0] ?? null,
          botP90Ms: of("bot")?.[1] ?? null,
          humanMedianMs: of("human")?.[0] ?? null,
          humanP90Ms: of("human")?.[1] ?? null,
        };
      });
      expect(chart.length).toBe(5);
      expect(chart).toEqual(expected);
    }
  });

  it("distinct thread counts from the day bitmaps equal counting the raw rows, rolled up, live or mixed", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    const next = random(11);
    const threadIds: string[] = [];
    // Enough threads for two bitmap chunks: the numbers run past 8,192.
    await db.execute(sql`select setval('threads_analytics_no_seq', 8100)`);
    for (let i = 0; i < 200; i += 1) {
      const [contact] = await db
        .insert(contacts)
        .values({ sessionId, waId: `+1415555${String(1000 + i)}` })
        .returning();
      const [thread] = await db.insert(threads).values({ contactId: contact!.id }).returning();
      threadIds.push(thread!.id);
    }
    const at = () => new Date(START + Math.floor(next() * 3 * 24 * HOUR));
    const pick = () => threadIds[Math.floor(next() * threadIds.length)]!;
    const sources = ["rule", "ai", "agent", "api"] as const;
    await db.insert(messages).values([
      ...Array.from({ length: 600 }, () => ({
        sessionId,
        threadId: pick(),
        direction: "in" as const,
        source: "contact" as const,
        body: "x",
        status: "received" as const,
        createdAt: at(),
      })),
      ...Array.from({ length: 500 }, () => ({
        sessionId,
        threadId: pick(),
        direction: "out" as const,
        source: sources[Math.floor(next() * sources.length)]!,
        body: "x",
        status: "sent" as const,
        createdAt: at(),
      })),
    ]);
    await db.insert(events).values(
      Array.from({ length: 150 }, () => ({
        type: next() < 0.5 ? "thread.handoff" : "thread.assigned",
        sessionId,
        threadId: pick(),
        at: at(),
      })),
    );

    const check = async (label: string) => {
      for (const [from, to] of RANGES) {
        const start = new Date(from);
        const end = new Date(to);
        const { rows } = await db.execute<{ active: string; handed_off: string; bot_resolved: string }>(sql`
          with active as (
            select distinct thread_id from messages where direction = 'in' and created_at >= ${start} and created_at < ${end}
          ), bot as (
            select distinct thread_id from messages where direction = 'out' and source in ('rule', 'ai')
              and created_at >= ${start} and created_at < ${end}
          ), handed as (
            select distinct thread_id from events where type = 'thread.handoff' and at >= ${start} and at < ${end}
          ), people as (
            select distinct thread_id from events where type in ('thread.handoff', 'thread.assigned')
              and at >= ${start} and at < ${end}
          )
          select (select count(*) from active) as active,
            (select count(*) from active where thread_id in (select thread_id from handed)) as handed_off,
            (select count(*) from active where thread_id in (select thread_id from bot)
              and thread_id not in (select thread_id from people)) as bot_resolved`);
        const expected = rows[0]!;
        expect({ label, from, to, ...(await threadCounts(db, start, end, sessionId)) }).toEqual({
          label,
          from,
          to,
          active: Number(expected.active),
          handedOff: Number(expected.handed_off),
          botResolved: Number(expected.bot_resolved),
        });
      }
    };
    await check("live");
    await runAnalyticsRollup(db, new Date("2026-11-02T12:30:00Z"));
    await check("half rolled up");
    await runAnalyticsRollup(db, new Date("2026-11-10T00:00:00Z"));
    await check("rolled up");
    const { rows } = await db.execute<{ chunks: number }>(
      sql`select count(distinct chunk)::int as chunks from analytics_thread_days`,
    );
    expect(rows[0]!.chunks).toBe(2);
  });
});
