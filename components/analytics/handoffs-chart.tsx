"use client";

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucket, formatCount } from "./analytics-format";
import { ChartCard } from "./chart-card";
import { bucketAxisProps, COUNT_AXIS_PROPS, countTooltipProps, GRID_STROKE, SERIES_PRIMARY } from "./chart-theme";
import type { TMessagesPoint } from "./messages-chart";

/** What the hand-offs chart shows, in words: the total and the bucket with the most. */
export function summariseHandoffs(points: TMessagesPoint[], bucket: "hour" | "day"): string {
  const total = points.reduce((sum, point) => sum + point.handoffs, 0);
  if (total === 0) return "No conversation was handed to a person in this range.";
  const most = points.reduce((best, point) => (point.handoffs > best.handoffs ? point : best));
  return `${formatCount(total)} ${total === 1 ? "hand-off" : "hand-offs"} in total. Most in one ${bucket}: ${formatCount(
    most.handoffs,
  )}, ${formatBucket(most.bucket, bucket)}.`;
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
  const summary = summariseHandoffs(points, bucket);
  const title = "Hand-offs over time";
  return (
    <ChartCard
      title={title}
      description={`Conversations the bot handed to a person, per ${bucket}.`}
      actions={actions}
      summary={summary}
      isEmpty={points.every((point) => point.handoffs === 0)}
      emptyText="No hand-offs in this range."
      isPending={isPending}
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={points} title={title} desc={summary} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis {...bucketAxisProps(bucket, points.length)} />
          <YAxis {...COUNT_AXIS_PROPS} />
          <Tooltip {...countTooltipProps(bucket)} />
          <Bar
            dataKey="handoffs"
            name="Hand-offs"
            fill={SERIES_PRIMARY}
            radius={[3, 3, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
