import type { CSSProperties } from "react";
import type { TAnalyticsFormat } from "./use-analytics-format";

/**
 * Colours and text styles shared by the Recharts charts, from the theme's CSS variables, so the
 * charts follow light and dark mode. `--chart-secondary` (a blue, set on the page's root by
 * ANALYTICS_THEME_CLASS) is the second series: globals.css has only one neutral accent.
 */
export const SERIES_PRIMARY = "var(--primary)";
export const SERIES_SECONDARY = "var(--chart-secondary)";

/** Defines --chart-secondary: blue-600 on light (5.2:1 on white), blue-400 on dark (7:1 on the card). */
export const ANALYTICS_THEME_CLASS =
  "[--chart-secondary:#2563eb] [@media(prefers-color-scheme:dark)]:[--chart-secondary:#60a5fa]";

export const AXIS_TICK = { fill: "var(--muted-foreground)", fontSize: 12 };
export const AXIS_LINE = { stroke: "var(--border)" };
export const GRID_STROKE = "var(--border)";

export const TOOLTIP_STYLE: CSSProperties = {
  backgroundColor: "var(--card)",
  border: "1px solid var(--border)",
  borderRadius: 6,
  color: "var(--foreground)",
  fontSize: 13,
};
export const TOOLTIP_LABEL_STYLE: CSSProperties = { color: "var(--foreground)", fontWeight: 600 };
export const TOOLTIP_CURSOR = { stroke: "var(--muted-foreground)", strokeDasharray: "3 3" };
export const TOOLTIP_BAR_CURSOR = { fill: "var(--muted)" };

/**
 * The X axis of a per-hour or per-day series (points keyed `bucket`): labels in the reader's language, and for
 * hours a tick every 3 hours for one day, every 6 for two, starting at midnight.
 */
export function bucketAxisProps(bucket: "hour" | "day", pointCount: number, fmt: TAnalyticsFormat) {
  return {
    dataKey: "bucket",
    tickFormatter: (value: string) => fmt.bucketTick(value, bucket),
    tick: AXIS_TICK,
    axisLine: AXIS_LINE,
    tickLine: AXIS_LINE,
    minTickGap: 24,
    interval: bucket === "hour" ? (pointCount > 24 ? 5 : 2) : ("preserveStartEnd" as const),
  };
}

/** A Y axis of whole counts. */
export const COUNT_AXIS_PROPS = {
  allowDecimals: false,
  tick: AXIS_TICK,
  axisLine: AXIS_LINE,
  tickLine: AXIS_LINE,
  width: 40,
};

/** The tooltip of a bar series of counts per bucket. */
export function countTooltipProps(bucket: "hour" | "day", fmt: TAnalyticsFormat) {
  return {
    contentStyle: TOOLTIP_STYLE,
    labelStyle: TOOLTIP_LABEL_STYLE,
    cursor: TOOLTIP_BAR_CURSOR,
    labelFormatter: (label: unknown) => (typeof label === "string" ? fmt.bucket(label, bucket) : String(label)),
    formatter: (value: unknown) => fmt.count(Number(value)),
  };
}
