import { runHourlyRollup } from "~/server/analytics/rollup";
import type { TJobHandler } from "../runtime";

/** `analytics.rollup` (cron): the hourly rollup of the last complete hours. */
export const handleAnalyticsRollup: TJobHandler<"analytics.rollup"> = async (_payload, { db, log }) => {
  const { from, until } = await runHourlyRollup(db);
  log.debug({ from, until }, "analytics rollup");
};
