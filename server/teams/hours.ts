import { WEEKDAYS, type TBusinessHours, type TWeekday } from "~/server/settings/schema";

/**
 * Opening hours math, pure (no clock, no database): whether a team is open at an instant and
 * when it next opens, in a time zone, across DST changes. Hours are wall-clock times of the
 * org's time zone per weekday (`TBusinessHours`: intervals `start < end`, HH:MM); a night shift
 * is two intervals (`22:00–23:59` one day, `00:00–06:00` the next), so an interval ending at
 * 23:59 runs to midnight.
 */

export type TLocalDate = { year: number; month: number; day: number };
type TLocalMoment = TLocalDate & { weekday: TWeekday; minutes: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
    if (formatters.size >= 64) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** `at` as a wall clock in `timeZone`: its date, weekday and minutes since midnight. */
export function localMomentOf(at: Date, timeZone: string): TLocalMoment {
  const parts = partsFormatter(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const date = { year: get("year"), month: get("month"), day: get("day") };
  return { ...date, weekday: weekdayOf(date), minutes: (get("hour") % 24) * 60 + get("minute") };
}

/** The weekday of a calendar date (the same everywhere). */
function weekdayOf({ year, month, day }: TLocalDate): TWeekday {
  // getUTCDay: 0 = Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7]!;
}

/** The date `days` after `date` (any number, month and year boundaries included). */
export function addDays({ year, month, day }: TLocalDate, days: number): TLocalDate {
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Minutes east of UTC of `timeZone` at instant `ms`. */
function offsetMinutes(ms: number, timeZone: string): number {
  const local = localMomentOf(new Date(ms), timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day) + local.minutes * 60_000;
  return Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a wall-clock time of `timeZone` names. A time skipped by a DST change (02:30 when
 * clocks jump from 02:00 to 03:00) is read with the offset from before the jump (03:30: the
 * moment the clock would have shown it); a time that happens twice, the first of them.
 */
export function instantOf(date: TLocalDate, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * 60_000;
  const before = offsetMinutes(wall - 86_400_000, timeZone);
  const after = offsetMinutes(wall + 86_400_000, timeZone);
  // Try the earlier offset first: of two valid readings it is the first instant.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    const candidate = wall - offset * 60_000;
    if (offsetMinutes(candidate, timeZone) === offset) return new Date(candidate);
  }
  return new Date(wall - before * 60_000);
}

export function clockMinutes(clock: string): number {
  const [hour = "0", minute = "0"] = clock.split(":");
  return Number(hour) * 60 + Number(minute);
}

/** An interval's end in minutes since midnight; 23:59 means up to midnight. */
function endMinutes(clock: string): number {
  const minutes = clockMinutes(clock);
  return minutes === 23 * 60 + 59 ? 24 * 60 : minutes;
}

/** Whether the hours are open at `at` in `timeZone`. */
export function isOpenAt(at: Date, timeZone: string, hours: TBusinessHours): boolean {
  const { weekday, minutes } = localMomentOf(at, timeZone);
  return hours[weekday].some(
    (interval) => clockMinutes(interval.start) <= minutes && minutes < endMinutes(interval.end),
  );
}

/**
 * When the hours next open after `at` (the start of the next interval, later than `at`), or
 * null when they never open (every day closed). At an instant inside an interval it is the next
 * interval's start, not now: ask `isOpenAt` first.
 */
export function nextOpeningAt(at: Date, timeZone: string, hours: TBusinessHours): Date | null {
  const today = localMomentOf(at, timeZone);
  // Eight days: today's later intervals, the six days after, and today's weekday again.
  for (let offset = 0; offset <= 7; offset += 1) {
    const date = addDays(today, offset);
    const starts = hours[weekdayOf(date)].map((interval) => clockMinutes(interval.start)).sort((a, b) => a - b);
    for (const start of starts) {
      const opening = instantOf(date, start, timeZone);
      if (opening.getTime() > at.getTime()) return opening;
    }
  }
  return null;
}

/** How many calendar days of `timeZone` lie between `from` and `to` (0: the same local date). */
export function localDaysBetween(from: Date, to: Date, timeZone: string): number {
  const a = localMomentOf(from, timeZone);
  const b = localMomentOf(to, timeZone);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/**
 * An expected wait in words' terms: `few` (under 5 minutes), minutes rounded to 5, hours
 * (from 55 minutes), or days (from 23.5 hours). What the contact is told, so it rounds rather
 * than pretends to a precision the history does not have.
 */
export type TWaitEstimate =
  | { unit: "few" }
  | { unit: "minutes"; count: number }
  | { unit: "hours"; count: number }
  | { unit: "days"; count: number };

export function roundWait(ms: number): TWaitEstimate {
  const minutes = ms / 60_000;
  if (minutes < 5) return { unit: "few" };
  if (minutes < 55) return { unit: "minutes", count: Math.max(5, Math.round(minutes / 5) * 5) };
  const hours = minutes / 60;
  if (hours < 23.5) return { unit: "hours", count: Math.max(1, Math.round(hours)) };
  return { unit: "days", count: Math.max(1, Math.round(hours / 24)) };
}

/** The median of some durations (null: none). */
export function medianOf(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
