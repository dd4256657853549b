"use client";

import type { ReactNode } from "react";
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "./chart-card";
import {
  bucketAxisProps,
  COUNT_AXIS_PROPS,
  countTooltipProps,
  GRID_STROKE,
  SERIES_PRIMARY,
  SERIES_SECONDARY,
} from "./chart-theme";
import { type TAnalyticsFormat, useAnalyticsFormat } from "./use-analytics-format";

export type TMessagesPoint = { bucket: string; messagesIn: number; messagesOut: number; handoffs: number };

/** What the messages chart shows, in words: the totals and the busiest bucket. */
export function summariseMessages(points: TMessagesPoint[], bucket: "hour" | "day", fmt: TAnalyticsFormat): string {
  const totalIn = points.reduce((sum, point) => sum + point.messagesIn, 0);
  const totalOut = points.reduce((sum, point) => sum + point.messagesOut, 0);
  if (totalIn + totalOut === 0) return fmt.t("messages.summaryNone");
  const busiest = points.reduce((best, point) =>
    point.messagesIn + point.messagesOut > best.messagesIn + best.messagesOut ? point : best,
  );
  return fmt.t("messages.summary", {
    received: fmt.count(totalIn),
    sent: fmt.count(totalOut),
    bucket,
    when: fmt.bucket(busiest.bucket, bucket),
    busiestReceived: fmt.count(busiest.messagesIn),
    busiestSent: fmt.count(busiest.messagesOut),
  });
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
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const summary = summariseMessages(points, bucket, fmt);
  const isEmpty = points.every((point) => point.messagesIn + point.messagesOut === 0);
  const title = t("messages.title");
  return (
    <ChartCard
      title={title}
      description={t("messages.description", { bucket })}
      actions={actions}
      legend={[
        { label: t("messages.received"), color: SERIES_PRIMARY, shape: "bar" },
        { label: t("messages.sent"), color: SERIES_SECONDARY },
      ]}
      summary={summary}
      isEmpty={isEmpty}
      emptyText={t("messages.empty")}
      isPending={isPending}
    >
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={points} title={title} desc={summary} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={GRID_STROKE} vertical={false} />
          <XAxis {...bucketAxisProps(bucket, points.length, fmt)} />
          <YAxis {...COUNT_AXIS_PROPS} />
          <Tooltip {...countTooltipProps(bucket, fmt)} />
          {/* Received as bars, sent as a line over them: both stay visible when they are equal. */}
          <Bar
            dataKey="messagesIn"
            name={t("messages.received")}
            fill={SERIES_PRIMARY}
            radius={[2, 2, 0, 0]}
            maxBarSize={24}
            isAnimationActive={false}
          />
          <Line
            type="linear"
            dataKey="messagesOut"
            name={t("messages.sent")}
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
