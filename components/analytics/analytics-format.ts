/**
 * How the Analytics page writes its figures: counts with the reader's thousands separators,
 * rates as percentages, durations in the largest unit that keeps them short ("850 ms",
 * "1.2 sec", "4 min"), and the change from the previous period without judging it good or bad.
 * The functions take the page's formatters (next-intl's, in the reader's language), so they
 * stay plain functions that tests can call with any locale.
 */

import type { DateTimeFormatOptions, NumberFormatOptions } from "next-intl";

/** next-intl's `format.number`, or any function like it. */
export type TNumberFormat = (value: number, options?: NumberFormatOptions) => string;
/** next-intl's `format.dateTime`, or any function like it. */
export type TDateFormat = (value: Date, options: DateTimeFormatOptions) => string;

const NONE = "–";

export function formatCount(value: number, number: TNumberFormat): string {
  return number(value, { maximumFractionDigits: 0 });
}

/** A 0..1 rate as a percentage; "–" when there was nothing to divide. */
export function formatRate(value: number | null, number: TNumberFormat): string {
  return value === null ? NONE : number(value, { style: "percent", maximumFractionDigits: 1 });
}

function unit(value: number, name: string, number: TNumberFormat, digits = 1): string {
  return number(value, { style: "unit", unit: name, unitDisplay: "short", maximumFractionDigits: digits });
}

/** A duration in milliseconds, short and readable; "–" when there is none. */
export function formatDuration(ms: number | null, number: TNumberFormat): string {
  if (ms === null) return NONE;
  if (ms < 1_000) return unit(Math.round(ms), "millisecond", number, 0);
  const seconds = ms / 1_000;
  if (seconds < 60) return unit(seconds, "second", number);
  const minutes = seconds / 60;
  if (minutes < 60) return unit(minutes, "minute", number, minutes < 10 ? 1 : 0);
  const hours = minutes / 60;
  if (hours < 48) return unit(hours, "hour", number);
  return unit(hours / 24, "day", number);
}

export type TFigureKind = "count" | "rate" | "duration";

export function formatFigure(value: number | null, kind: TFigureKind, number: TNumberFormat): string {
  if (kind === "rate") return formatRate(value, number);
  if (kind === "duration") return formatDuration(value, number);
  return value === null ? NONE : formatCount(value, number);
}

/** How a figure changed, for the page to put in words. */
export type TChange =
  | { type: "same" }
  /** A rate's change in percentage points (10 % → 12 % is 2 points, not 20 %). */
  | { type: "points"; points: number }
  /** From nothing: no percentage to give. */
  | { type: "fromZero" }
  /** A count's or a duration's change, as a 0..n ratio of the previous value. */
  | { type: "ratio"; ratio: number };

/**
 * The change from `previous` to `current`: the arrow to draw and what changed. Counts and
 * durations change by a percentage; rates by percentage points.
 */
export function describeChange(
  current: number | null,
  previous: number | null,
  kind: TFigureKind,
): { direction: "up" | "down" | "same"; change: TChange } | null {
  if (current === null || previous === null) return null;
  if (current === previous) return { direction: "same", change: { type: "same" } };
  const direction = current > previous ? "up" : "down";
  if (kind === "rate") return { direction, change: { type: "points", points: Math.abs(current - previous) * 100 } };
  if (previous === 0) return { direction, change: { type: "fromZero" } };
  return { direction, change: { type: "ratio", ratio: Math.abs(current - previous) / Math.abs(previous) } };
}

/** A local day (YYYY-MM-DD) as "Fri, 1 May" (en-GB) in the reader's language. */
export function formatDay(day: string, date: TDateFormat, withYear = false): string {
  return date(new Date(`${day.slice(0, 10)}T00:00:00Z`), {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(withYear ? { year: "numeric" } : {}),
  });
}

/** A bucket of the messages series ("YYYY-MM-DDTHH:MM", local to the org) for an axis tick. */
export function formatBucketTick(bucket: string, size: "hour" | "day", date: TDateFormat): string {
  // Midnight stands for the day it starts, so a two-day hourly chart says which day is which.
  if (size === "hour" && bucket.slice(11, 16) !== "00:00") return bucket.slice(11, 16);
  return date(new Date(`${bucket.slice(0, 10)}T00:00:00Z`), { timeZone: "UTC", day: "numeric", month: "short" });
}

/** A bucket of the messages series in full, for a tooltip or a summary. */
export function formatBucket(bucket: string, size: "hour" | "day", date: TDateFormat): string {
  return size === "hour" ? `${formatDay(bucket, date)}, ${bucket.slice(11, 16)}` : formatDay(bucket, date, true);
}

/** An hour of the day as "09:00–10:00" (24-hour clock, as the organisation's hours are written). */
export function formatHourSpan(hour: number): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}

/** The weekday of the busiest-hours table (1 = Monday … 7 = Sunday), in the reader's language. */
export function formatWeekday(weekday: number, date: TDateFormat, style: "long" | "short" = "long"): string {
  // 2024-01-01 was a Monday.
  return date(new Date(Date.UTC(2024, 0, weekday)), { timeZone: "UTC", weekday: style });
}
