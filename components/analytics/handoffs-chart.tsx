"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "./chart-card";
import { bucketAxisProps, COUNT_AXIS_PROPS, countTooltipProps, GRID_STROKE, SERIES_PRIMARY } from "./chart-theme";
import type { TMessagesPoint } from "./messages-chart";
import { type TAnalyticsFormat, useAnalyticsFormat } from "./use-analytics-format";

/** What the hand-offs chart shows, in words: the total and the bucket with the most. */
export function summariseHandoffs(points: TMessagesPoint[], bucket: "hour" | "day", fmt: TAnalyticsFormat): string {
  const total = points.reduce((sum, point) => sum + point.handoffs, 0);
  if (total === 0) return fmt.t("handoffs.summaryNone");
  const most = points.reduce((best, point) => (point.handoffs > best.handoffs ? point : best));
  return fmt.t("handoffs.summary", {
    total,
    bucket,
    most: fmt.count(most.handoffs),
    when: fmt.bucket(most.bucket, bucket),
  });
}

/** Conversations handed from the bot to a person, per hour or day. */
export function HandoffsChart({
  points,
  bucket,
  isPending,
  actions,
}: {
  points: TMessagesPoint[];
  bucket: "hour" | "day";
  isPending: boolean;
  actions?: ReactNode;
}) {
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const summary = summariseHandoffs(points, bucket, fmt);
  const title = t("handoffs.title");
  return (
    <ChartCard
      title={title}
      description={t("handoffs.description", { bucket })}
      actions={actions}
      summary={summary}
      isEmpty={points.every((point) => point.handoffs === 0)}
      emptyText={t("handoffs.empty")}
      isPending={isPending}
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={points} title={title} desc={summary} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis {...bucketAxisProps(bucket, points.length, fmt)} />
          <YAxis {...COUNT_AXIS_PROPS} />
          <Tooltip {...countTooltipProps(bucket, fmt)} />
          <Bar
            dataKey="handoffs"
            name={t("handoffs.series")}
            fill={SERIES_PRIMARY}
            radius={[3, 3, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
