"use client";

import type { ReactNode } from "react";
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatBucket, formatCount } from "./analytics-format";
import { ChartCard } from "./chart-card";
import {
  bucketAxisProps,
  COUNT_AXIS_PROPS,
  countTooltipProps,
  GRID_STROKE,
  SERIES_PRIMARY,
  SERIES_SECONDARY,
} from "./chart-theme";

export type TMessagesPoint = { bucket: string; messagesIn: number; messagesOut: number; handoffs: number };

/** What the messages chart shows, in words: the totals and the busiest bucket. */
export function summariseMessages(points: TMessagesPoint[], bucket: "hour" | "day"): string {
  const totalIn = points.reduce((sum, point) => sum + point.messagesIn, 0);
  const totalOut = points.reduce((sum, point) => sum + point.messagesOut, 0);
  if (totalIn + totalOut === 0) return "No messages in this range.";
  const busiest = points.reduce((best, point) =>
    point.messagesIn + point.messagesOut > best.messagesIn + best.messagesOut ? point : best,
  );
  return (
    `${formatCount(totalIn)} received and ${formatCount(totalOut)} sent, per ${bucket}. ` +
    `Busiest ${bucket}: ${formatBucket(busiest.bucket, bucket)}, with ${formatCount(busiest.messagesIn)} received ` +
    `and ${formatCount(busiest.messagesOut)} sent.`
  );
}

/** Messages received and sent per hour or day. */
export function MessagesChart({
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
  const summary = summariseMessages(points, bucket);
  const isEmpty = points.every((point) => point.messagesIn + point.messagesOut === 0);
  const title = "Messages over time";
  return (
    <ChartCard
      title={title}
      description={`Received from contacts and sent to them, per ${bucket} (organisation time).`}
      actions={actions}
      legend={[
        { label: "Received", color: SERIES_PRIMARY, shape: "bar" },
        { label: "Sent", color: SERIES_SECONDARY },
      ]}
      summary={summary}
      isEmpty={isEmpty}
      emptyText="No messages in this range yet."
      isPending={isPending}
    >
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={points} title={title} desc={summary} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis {...bucketAxisProps(bucket, points.length)} />
          <YAxis {...COUNT_AXIS_PROPS} />
          <Tooltip {...countTooltipProps(bucket)} />
          {/* Received as bars, sent as a line over them: both stay visible when they are equal. */}
          <Bar
            dataKey="messagesIn"
            name="Received"
            fill={SERIES_PRIMARY}
            radius={[2, 2, 0, 0]}
            maxBarSize={24}
            isAnimationActive={false}
          />
          <Line
            type="linear"
            dataKey="messagesOut"
            name="Sent"
            stroke={SERIES_SECONDARY}
            strokeWidth={2}
            dot={points.length <= 48 ? { r: 2.5, fill: SERIES_SECONDARY } : false}
            activeDot={{ r: 4, stroke: "var(--card)" }}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
