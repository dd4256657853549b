"use client";

import { useFormatter, useTranslations } from "next-intl";
import {
  formatBucket,
  formatBucketTick,
  formatCount,
  formatDay,
  formatDuration,
  formatFigure,
  formatRate,
  formatWeekday,
  type TChange,
  type TDateFormat,
  type TFigureKind,
  type TNumberFormat,
} from "./analytics-format";

/**
 * The Analytics page's formatting in the reader's language: analytics-format's functions bound
 * to next-intl's formatters, and the page's messages (`t`).
 */
export function useAnalyticsFormat() {
  const format = useFormatter();
  const t = useTranslations("analytics");
  const number: TNumberFormat = (value, options) => format.number(value, options ?? {});
  const date: TDateFormat = (value, options) => format.dateTime(value, options);
  return {
    t,
    count: (value: number) => formatCount(value, number),
    rate: (value: number | null) => formatRate(value, number),
    duration: (ms: number | null) => formatDuration(ms, number),
    figure: (value: number | null, kind: TFigureKind) => formatFigure(value, kind, number),
    /** A change in words: "no change", "2 pts", "from 0", "20%". */
    change: (change: TChange, kind: TFigureKind) => {
      switch (change.type) {
        case "same":
          return t("overview.change.same");
        case "points":
          return t("overview.change.points", { points: number(change.points, { maximumFractionDigits: 1 }) });
        case "fromZero":
          return t("overview.change.fromZero", { value: formatFigure(0, kind, number) });
        case "ratio":
          return formatRate(change.ratio, number);
      }
    },
    day: (day: string, withYear = false) => formatDay(day, date, withYear),
    bucketTick: (bucket: string, size: "hour" | "day") => formatBucketTick(bucket, size, date),
    bucket: (bucket: string, size: "hour" | "day") => formatBucket(bucket, size, date),
    weekday: (weekday: number, style: "long" | "short" = "long") => formatWeekday(weekday, date, style),
  };
}

export type TAnalyticsFormat = ReturnType<typeof useAnalyticsFormat>;
