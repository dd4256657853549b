import type { TDbOrTx } from "~/db/client";
import type { TAnalyticsRange, TExportKind } from "~/components/analytics/analytics-range";
import { busiestHours, messagesOverTime, responseTimeOverTime } from "~/server/analytics/charts";
import { getOverview, type TFigures } from "~/server/analytics/overview";
import { agentsTable, rulesTable } from "~/server/analytics/tables";
import { csvField } from "~/server/contacts/export";

type TCell = string | number | boolean | null;

/** A CSV document: the header row, then the rows, every field quoted and defused by `csvField`. */
export function toCsv(header: readonly string[], rows: readonly TCell[][]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Every figure of the Overview as one row (raw units: counts, 0..1 rates, milliseconds). */
const OVERVIEW_METRICS: [string, (figures: TFigures) => number | null][] = [
  ["messages_in", (f) => f.messagesIn],
  ["messages_out", (f) => f.messagesOut],
  ["active_contacts", (f) => f.activeContacts],
  ["new_contacts", (f) => f.newContacts],
  ["active_threads", (f) => f.activeThreads],
  ["bot_resolved_threads", (f) => f.botResolvedThreads],
  ["handed_off_threads", (f) => f.handedOffThreads],
  ["handoff_rate", (f) => f.handoffRate],
  ["first_response_bot_median_ms", (f) => f.firstResponse.bot.median],
  ["first_response_bot_p90_ms", (f) => f.firstResponse.bot.p90],
  ["first_response_bot_count", (f) => f.firstResponse.bot.count],
  ["first_response_human_median_ms", (f) => f.firstResponse.human.median],
  ["first_response_human_p90_ms", (f) => f.firstResponse.human.p90],
  ["first_response_human_count", (f) => f.firstResponse.human.count],
  ["delivery_sent", (f) => f.delivery.sent],
  ["delivery_delivered", (f) => f.delivery.delivered],
  ["delivery_read", (f) => f.delivery.read],
  ["delivery_failed", (f) => f.delivery.failed],
  ["delivery_success_rate", (f) => f.delivery.successRate],
  ["ai_calls", (f) => f.ai.calls],
  ["ai_latency_p50_ms", (f) => f.ai.latencyP50],
  ["ai_latency_p95_ms", (f) => f.ai.latencyP95],
  ["ai_fallback_rate", (f) => f.ai.fallbackRate],
  ["webhook_attempts", (f) => f.webhooks.attempts],
  ["webhook_succeeded", (f) => f.webhooks.succeeded],
  ["webhook_success_rate", (f) => f.webhooks.successRate],
];

/**
 * One table or series of the Analytics page as CSV, from the same domain functions the page's
 * tRPC procedures call, so a download always matches what the page shows.
 */
export async function analyticsCsv(
  db: TDbOrTx,
  kind: TExportKind,
  range: TAnalyticsRange,
  bucket: "hour" | "day" | undefined,
  /** Limits the agents table to this person (an agent's export, as on their page). */
  onlyUserId: string | null = null,
): Promise<string> {
  switch (kind) {
    case "overview": {
      const { current, previous } = await getOverview(db, range);
      return toCsv(
        ["metric", "current", "previous"],
        OVERVIEW_METRICS.map(([name, pick]) => [name, pick(current), pick(previous)]),
      );
    }
    case "messages": {
      const points = await messagesOverTime(db, { ...range, bucket });
      return toCsv(
        ["bucket", "messages_in", "messages_out", "handoffs"],
        points.map((point) => [point.bucket, point.messagesIn, point.messagesOut, point.handoffs]),
      );
    }
    case "responseTimes": {
      const points = await responseTimeOverTime(db, range);
      return toCsv(
        ["day", "bot_median_ms", "bot_p90_ms", "human_median_ms", "human_p90_ms"],
        points.map((point) => [point.day, point.botMedianMs, point.botP90Ms, point.humanMedianMs, point.humanP90Ms]),
      );
    }
    case "busiestHours": {
      // Every weekday × hour, zeros included (the domain function returns only the busy ones).
      const cells = await busiestHours(db, range);
      const counts = new Map(cells.map((cell) => [`${cell.weekday}-${cell.hour}`, cell.messages]));
      return toCsv(
        ["weekday", "weekday_name", "hour", "messages_in"],
        WEEKDAYS.flatMap((name, index) =>
          Array.from({ length: 24 }, (_, hour) => [index + 1, name, hour, counts.get(`${index + 1}-${hour}`) ?? 0]),
        ),
      );
    }
    case "rules": {
      const rows = await rulesTable(db, range);
      return toCsv(
        ["rule_id", "name", "evaluations", "matches", "match_rate", "last_fired_at", "followed_by_handoff"],
        rows.map((row) => [
          row.ruleId,
          row.name,
          row.evaluations,
          row.matches,
          row.matchRate,
          row.lastFiredAt?.toISOString() ?? null,
          row.followedByHandoff,
        ]),
      );
    }
    case "agents": {
      const rows = await agentsTable(db, range, onlyUserId);
      return toCsv(
        ["user_id", "name", "threads_taken", "replies", "median_response_ms", "released", "closed"],
        rows.map((row) => [
          row.userId,
          row.name,
          row.threadsTaken,
          row.replies,
          row.medianResponseMs,
          row.released,
          row.closed,
        ]),
      );
    }
  }
}
