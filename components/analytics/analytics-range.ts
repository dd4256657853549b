/**
 * The Analytics page's range, as the URL keeps it (`?from=YYYY-MM-DD&to=YYYY-MM-DD&session=<id>`):
 * whole days, both ends included, read by the server in the organisation's time zone. Days are
 * handled as strings and calendar arithmetic is done in UTC, so a daylight-saving change in the
 * browser's zone never shifts a day.
 */
export type TAnalyticsRange = { from: string; to: string; sessionId: string | null };

/** What the CSV export route can produce, one per table or series of the page. */
export const EXPORT_KINDS = ["overview", "messages", "responseTimes", "busiestHours", "rules", "agents"] as const;
export type TExportKind = (typeof EXPORT_KINDS)[number];

export const QUICK_RANGES = [7, 30, 90] as const;
export const DEFAULT_RANGE_DAYS = 30;
/** The server's limit: `to` at most 366 days after `from`. */
export const MAX_RANGE_SPAN_DAYS = 366;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

/** Whether `value` is a real calendar day written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDay(value: string | null | undefined): value is string {
  const match = value ? DAY_PATTERN.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The local calendar day of `date` in the browser's time zone. */
export function toLocalDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `day` moved by `days` (negative for earlier). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** How many days the range covers, both ends included. */
export function countDays(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
}

/** The last `days` days ending with `today`. */
export function lastDays(days: number, today: string): { from: string; to: string } {
  return { from: addDays(today, -(days - 1)), to: today };
}

/**
 * The range in the URL, falling back to the last 30 days ending `today` for a missing or
 * malformed day; null while `today` is not known yet (on the server, before hydration).
 */
export function readRange(params: { get(name: string): string | null }, today: string | null): TAnalyticsRange | null {
  const from = params.get("from");
  const to = params.get("to");
  const session = params.get("session");
  const sessionId = session && UUID_PATTERN.test(session) ? session : null;
  if (isCalendarDay(from) && isCalendarDay(to)) return { from, to, sessionId };
  if (!today) return null;
  const fallback = lastDays(DEFAULT_RANGE_DAYS, today);
  return {
    from: isCalendarDay(from) ? from : isCalendarDay(to) ? addDays(to, -(DEFAULT_RANGE_DAYS - 1)) : fallback.from,
    to: isCalendarDay(to) ? to : fallback.to,
    sessionId,
  };
}

/** Why the server would refuse this range: none, or which problem (the page words it in the reader's language). */
export type TRangeProblem = "pickBoth" | "endsBeforeStart" | "tooLong";

export function findRangeProblem(from: string, to: string): TRangeProblem | null {
  if (!isCalendarDay(from) || !isCalendarDay(to)) return "pickBoth";
  if (from > to) return "endsBeforeStart";
  if (countDays(from, to) - 1 > MAX_RANGE_SPAN_DAYS) return "tooLong";
  return null;
}

const RANGE_PROBLEM_TEXT: Record<TRangeProblem, string> = {
  pickBoth: "Pick both days",
  endsBeforeStart: "The range ends before it starts",
  tooLong: "At most a year at a time",
};

/** Why the server would refuse this range, in English (the CSV route's answers), or null when it is fine. */
export function rangeProblem(from: string, to: string): string | null {
  const problem = findRangeProblem(from, to);
  return problem ? RANGE_PROBLEM_TEXT[problem] : null;
}

/** The page's query string for a range. */
export function rangeSearch(range: TAnalyticsRange): string {
  const params = new URLSearchParams({ from: range.from, to: range.to });
  if (range.sessionId) params.set("session", range.sessionId);
  return `?${params.toString()}`;
}

/** Hourly buckets for a range of up to two days, daily ones beyond. */
export function bucketFor(range: { from: string; to: string }): "hour" | "day" {
  return countDays(range.from, range.to) <= 2 ? "hour" : "day";
}

/** The CSV export of one table or series for the range (the route the "CSV" buttons download). */
export function exportHref(kind: TExportKind, range: TAnalyticsRange, bucket?: "hour" | "day"): string {
  const params = new URLSearchParams({ kind, from: range.from, to: range.to });
  if (range.sessionId) params.set("session", range.sessionId);
  if (bucket) params.set("bucket", bucket);
  return `/api/analytics/export?${params.toString()}`;
}
