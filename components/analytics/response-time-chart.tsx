"use client";

import type { ReactNode } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "./chart-card";
import {
  AXIS_LINE,
  AXIS_TICK,
  GRID_STROKE,
  SERIES_PRIMARY,
  SERIES_SECONDARY,
  TOOLTIP_CURSOR,
  TOOLTIP_LABEL_STYLE,
  TOOLTIP_STYLE,
} from "./chart-theme";
import { type TAnalyticsFormat, useAnalyticsFormat } from "./use-analytics-format";

export type TResponsePoint = {
  day: string;
  botMedianMs: number | null;
  botP90Ms: number | null;
  humanMedianMs: number | null;
  humanP90Ms: number | null;
};

function describeSeries(label: string, values: (number | null)[], fmt: TAnalyticsFormat): string {
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) return fmt.t("responseTimes.seriesNone", { label });
  const low = Math.min(...known);
  const high = Math.max(...known);
  return low === high
    ? fmt.t("responseTimes.seriesSame", { label, value: fmt.duration(low), days: known.length })
    : fmt.t("responseTimes.seriesRange", {
        label,
        low: fmt.duration(low),
        high: fmt.duration(high),
        days: known.length,
      });
}

/** What the response-time chart shows, in words: the range of daily medians for each responder. */
export function summariseResponseTimes(points: TResponsePoint[], fmt: TAnalyticsFormat): string {
  return fmt.t("responseTimes.summary", {
    bot: describeSeries(
      fmt.t("responseTimes.bot"),
      points.map((point) => point.botMedianMs),
      fmt,
    ),
    people: describeSeries(
      fmt.t("responseTimes.people"),
      points.map((point) => point.humanMedianMs),
      fmt,
    ),
  });
}

/** Round durations (seconds) for the log-scale axis: 1 ms up to 1 day. */
const LOG_TICKS = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3_600, 36_000, 86_400];
/** A reply within the same millisecond is drawn at 1 ms: a log scale has no zero. */
const FLOOR_S = 0.001;

/** The axis of the chart: the round durations just around the data. */
export function logAxis(seconds: number[]): { domain: [number, number]; ticks: number[] } {
  const low = Math.max(FLOOR_S, Math.min(...seconds));
  const high = Math.max(low, ...seconds);
  let from = Math.max(
    0,
    LOG_TICKS.findLastIndex((tick) => tick <= low),
  );
  let to = LOG_TICKS.findIndex((tick) => tick >= high);
  if (to === -1) to = LOG_TICKS.length - 1;
  // At least two ticks: widen by one round duration when the data sits on a single one.
  if (from === to) {
    if (to + 1 < LOG_TICKS.length) to += 1;
    else from -= 1;
  }
  const ticks = LOG_TICKS.slice(from, to + 1);
  return { domain: [ticks[0]!, Math.max(ticks[ticks.length - 1]!, high)], ticks };
}

/** First-response time per day, bot and people, median, in seconds on a log scale. */
export function ResponseTimeChart({
  points,
  isPending,
  actions,
}: {
  points: TResponsePoint[];
  isPending: boolean;
  actions?: ReactNode;
}) {
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const toSeconds = (ms: number | null) => (ms === null ? null : Math.max(FLOOR_S, ms / 1_000));
  const data = points.map((point) => ({
    day: point.day,
    bot: toSeconds(point.botMedianMs),
    people: toSeconds(point.humanMedianMs),
    botMs: point.botMedianMs,
    peopleMs: point.humanMedianMs,
  }));
  const axis = logAxis(data.flatMap((point) => [point.bot, point.people]).filter((value) => value !== null));
  const summary = summariseResponseTimes(points, fmt);
  const isEmpty = points.every((point) => point.botMedianMs === null && point.humanMedianMs === null);
  const title = t("responseTimes.title");
  return (
    <ChartCard
      title={title}
      description={t("responseTimes.description")}
      actions={actions}
      legend={[
        { label: t("responseTimes.bot"), color: SERIES_PRIMARY },
        { label: t("responseTimes.people"), color: SERIES_SECONDARY, dashed: true },
      ]}
      summary={summary}
      isEmpty={isEmpty}
      emptyText={t("responseTimes.empty")}
      isPending={isPending}
    >
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} title={title} desc={summary} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis
            dataKey="day"
            tickFormatter={(value: string) => fmt.bucketTick(value, "day")}
            tick={AXIS_TICK}
            axisLine={AXIS_LINE}
            tickLine={AXIS_LINE}
            minTickGap={24}
          />
          <YAxis
            scale="log"
            domain={axis.domain}
            ticks={axis.ticks}
            allowDataOverflow
            tick={AXIS_TICK}
            axisLine={AXIS_LINE}
            tickLine={AXIS_LINE}
            width={64}
            tickFormatter={(value: number) => fmt.duration(value * 1_000)}
          />
          <Tooltip
            contentStyle={TOOLTIP_STYLE}
            labelStyle={TOOLTIP_LABEL_STYLE}
            cursor={TOOLTIP_CURSOR}
            labelFormatter={(label) => (typeof label === "string" ? fmt.day(label, true) : label)}
            formatter={(value, _name, item) => {
              const point = item.payload as (typeof data)[number] | undefined;
              const ms = item.dataKey === "people" ? point?.peopleMs : point?.botMs;
              return fmt.duration(ms ?? Number(value) * 1_000);
            }}
          />
          <Line
            type="linear"
            dataKey="bot"
            name={t("responseTimes.bot")}
            stroke={SERIES_PRIMARY}
            strokeWidth={2}
            dot={{ r: 3, fill: SERIES_PRIMARY }}
            activeDot={{ r: 5, stroke: "var(--card)" }}
            isAnimationActive={false}
          />
          <Line
            type="linear"
            dataKey="people"
            name={t("responseTimes.people")}
            stroke={SERIES_SECONDARY}
            strokeWidth={2}
            strokeDasharray="6 4"
            dot={{ r: 3, fill: SERIES_SECONDARY, strokeDasharray: "" }}
            activeDot={{ r: 5, stroke: "var(--card)" }}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
