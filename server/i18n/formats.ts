/**
 * Named formats, so every page shows a date the same way in each language:
 * `format.dateTime(date, "short")`, `format.number(n, "integer")`.
 */
export const FORMATS = {
  dateTime: {
    /** 6 Dec 2026, 14:05 (each language's own order and words). */
    short: { dateStyle: "medium", timeStyle: "short" },
    /** 6 Dec 2026 */
    date: { dateStyle: "medium" },
    /** 14:05 */
    time: { hour: "2-digit", minute: "2-digit" },
    /** 14:05:09 */
    seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
  },
  number: {
    integer: { maximumFractionDigits: 0 },
    percent: { style: "percent", maximumFractionDigits: 1 },
  },
} as const;
