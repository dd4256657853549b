import { runAnalyticsRollup } from "~/server/analytics/rollup";
import type { TJobHandler } from "../runtime";

/** `analytics.rollup` (cron): the hourly counts and response histogram, and the per-day thread bitmaps. */
export const handleAnalyticsRollup: TJobHandler<"analytics.rollup"> = async (_payload, { db, log }) => {
  const { from, until, days } = await runAnalyticsRollup(db);
  log.debug({ from, until, days }, "analytics rollup");
};
