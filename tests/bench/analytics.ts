import { createLogger } from "~/server/logger";
import { busiestHours, messagesOverTime, responseTimeOverTime } from "~/server/analytics/charts";
import { getOverview } from "~/server/analytics/overview";
import { agentsTable, rulesTable } from "~/server/analytics/tables";
import { LARGE_SEED, seedLarge } from "~/server/seed/large";
import { withBenchDatabase } from "./database";
import { note, percentile, report } from "./report";

const BENCH = "analytics";
const RUNS = Number(process.env.BENCH_ANALYTICS_RUNS ?? 12);
/** BENCH_SEED_SCALE=0.1: a tenth of the large seed (a quick look; the figures that count use 1). */
const SCALE = Number(process.env.BENCH_SEED_SCALE ?? 1);

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Every analytics query on the large seed (50,000 contacts, 1,000,000 messages over 90 days):
 * p95 of each Overview, chart and table query for the last 30 and 90 days, as JSON lines.
 */
export async function runAnalyticsBench() {
  await withBenchDatabase(async ({ db }) => {
    const options = {
      contacts: Math.round(LARGE_SEED.contacts * SCALE),
      messages: Math.round(LARGE_SEED.messages * SCALE),
      days: LARGE_SEED.days,
    };
    note(`seeding ${options.messages} messages, ${options.contacts} contacts over ${options.days} days`);
    const started = performance.now();
    const counts = await seedLarge(db, createLogger("seed", "warn"), options);
    report(BENCH, "seed_large_s", (performance.now() - started) / 1000, counts);
    const today = new Date();
    for (const days of [30, 90]) {
      const range = { from: day(new Date(today.getTime() - (days - 1) * 86_400_000)), to: day(today) };
      const queries: Record<string, () => Promise<unknown>> = {
        overview: () => getOverview(db, range),
        messages_by_day: () => messagesOverTime(db, { ...range, bucket: "day" }),
        messages_by_hour: () => messagesOverTime(db, { ...range, bucket: "hour" }),
        response_times: () => responseTimeOverTime(db, range),
        busiest_hours: () => busiestHours(db, range),
        rules_table: () => rulesTable(db, range),
        agents_table: () => agentsTable(db, range),
      };
      for (const [name, run] of Object.entries(queries)) {
        await run(); // warm
        const times: number[] = [];
        for (let i = 0; i < RUNS; i += 1) {
          const at = performance.now();
          await run();
          times.push(performance.now() - at);
        }
        times.sort((a, b) => a - b);
        report(BENCH, `${name}_${days}d_p95_ms`, percentile(times, 95), {
          runs: RUNS,
          p50_ms: Math.round(percentile(times, 50)),
        });
      }
    }
  });
}
