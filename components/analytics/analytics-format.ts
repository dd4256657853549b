/**
 * How the Analytics page writes its figures: counts with thousands separators, rates as
 * percentages, durations in the largest unit that keeps them short ("850 ms", "1.2 s",
 * "4 min"), and the change from the previous period without judging it good or bad.
 */

export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

const count = new Intl.NumberFormat(undefined);
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return count.format(value);
}

/** A 0..1 rate as a percentage; "–" when there was nothing to divide. */
export function formatRate(value: number | null): string {
  return value === null ? "–" : percent.format(value);
}

/** A duration in milliseconds, short and readable; "–" when there is none. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${oneDecimal.format(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${minutes < 10 ? oneDecimal.format(minutes) : Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${oneDecimal.format(hours)} h`;
  return `${oneDecimal.format(hours / 24)} d`;
}

export type TFigureKind = "count" | "rate" | "duration";

export function formatFigure(value: number | null, kind: TFigureKind): string {
  if (kind === "rate") return formatRate(value);
  if (kind === "duration") return formatDuration(value);
  return value === null ? "–" : formatCount(value);
}

/**
 * The change from `previous` to `current`: the arrow to draw and the words for it. Counts and
 * durations change by a percentage; rates by percentage points (a rate going from 10 % to 12 %
 * is "+2 pts", not "+20 %").
 */
export function describeChange(
  current: number | null,
  previous: number | null,
  kind: TFigureKind,
): { direction: "up" | "down" | "same" | null; text: string } {
  if (current === null || previous === null) return { direction: null, text: "" };
  if (current === previous) return { direction: "same", text: "no change" };
  const direction = current > previous ? "up" : "down";
  if (kind === "rate") return { direction, text: `${oneDecimal.format(Math.abs(current - previous) * 100)} pts` };
  if (previous === 0) return { direction, text: `from ${formatFigure(0, kind)}` };
  return { direction, text: percent.format(Math.abs(current - previous) / Math.abs(previous)) };
}

/** A local day (YYYY-MM-DD) as "Fri 1 May". */
export function formatDay(day: string, withYear = false): string {
  return new Date(`${day.slice(0, 10)}T00:00:00Z`).toLocaleDateString(undefined, {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(withYear ? { year: "numeric" } : {}),
  });
}

/** A bucket of the messages series ("YYYY-MM-DDTHH:MM", local to the org) for an axis tick. */
export function formatBucketTick(bucket: string, size: "hour" | "day"): string {
  // Midnight stands for the day it starts, so a two-day hourly chart says which day is which.
  if (size === "hour" && bucket.slice(11, 16) !== "00:00") return bucket.slice(11, 16);
  return new Date(`${bucket.slice(0, 10)}T00:00:00Z`).toLocaleDateString(undefined, {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
  });
}

/** A bucket of the messages series in full, for a tooltip or a summary. */
export function formatBucket(bucket: string, size: "hour" | "day"): string {
  return size === "hour" ? `${formatDay(bucket)}, ${bucket.slice(11, 16)}` : formatDay(bucket, true);
}

/** An hour of the day as "09:00–10:00". */
export function formatHourSpan(hour: number): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
}
