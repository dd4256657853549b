import { describe, expect, it } from "vitest";
import {
  describeChange,
  formatDay,
  formatDuration,
  formatHourSpan,
  formatRate,
  formatWeekday,
  type TDateFormat,
  type TNumberFormat,
} from "./analytics-format";

const numberIn =
  (locale: string): TNumberFormat =>
  (value, options) =>
    new Intl.NumberFormat(locale, options as Intl.NumberFormatOptions).format(value);
const dateIn =
  (locale: string): TDateFormat =>
  (value, options) =>
    new Intl.DateTimeFormat(locale, options).format(value);
const en = numberIn("en");
const normalise = (text: string) => text.replace(/\s/g, " ");

describe("analytics formatting", () => {
  it("writes durations in the largest short unit", () => {
    expect(formatDuration(null, en)).toBe("–");
    expect(formatDuration(850, en)).toBe("850 ms");
    expect(formatDuration(1_234, en)).toBe("1.2 sec");
    expect(formatDuration(4 * 60_000, en)).toBe("4 min");
    expect(formatDuration(4.5 * 60_000, en)).toBe("4.5 min");
    expect(formatDuration(25 * 60_000, en)).toBe("25 min");
    expect(formatDuration(3 * 3_600_000, en)).toBe("3 hr");
    expect(formatDuration(72 * 3_600_000, en)).toBe("3 days");
  });

  it("writes durations and rates in the reader's language", () => {
    expect(normalise(formatDuration(1_234, numberIn("es")))).toBe("1,2 s");
    expect(normalise(formatDuration(3 * 3_600_000, numberIn("pt-BR")))).toBe("3 h");
    expect(formatRate(0.25, numberIn("pt-BR")).replace(/\s/g, "")).toBe("25%");
  });

  it("writes rates as percentages and nothing-to-divide as a dash", () => {
    expect(formatRate(null, en)).toBe("–");
    expect(formatRate(0.25, en).replace(/\s/g, "")).toBe("25%");
  });

  it("describes a change without judging it: a ratio for counts, points for rates", () => {
    expect(describeChange(12, 10, "count")).toEqual({ direction: "up", change: { type: "ratio", ratio: 0.2 } });
    expect(describeChange(5, 10, "duration")).toEqual({ direction: "down", change: { type: "ratio", ratio: 0.5 } });
    expect(describeChange(0.12, 0.1, "rate")?.direction).toBe("up");
    expect(describeChange(0.12, 0.1, "rate")?.change).toEqual({ type: "points", points: expect.closeTo(2, 5) });
    expect(describeChange(3, 0, "count")).toEqual({ direction: "up", change: { type: "fromZero" } });
    expect(describeChange(3, 3, "count")).toEqual({ direction: "same", change: { type: "same" } });
    expect(describeChange(null, 3, "duration")).toBeNull();
  });

  it("writes days and weekdays in the reader's language, whatever the browser's zone", () => {
    expect(formatDay("2026-05-01", dateIn("en-GB"), true)).toBe("Fri, 1 May 2026");
    expect(formatDay("2026-05-01", dateIn("es"))).toMatch(/^vie/);
    expect(formatWeekday(1, dateIn("en"))).toBe("Monday");
    expect(formatWeekday(7, dateIn("pt-BR"))).toBe("domingo");
  });

  it("writes an hour of the day as a span", () => {
    expect(formatHourSpan(9)).toBe("09:00–10:00");
    expect(formatHourSpan(23)).toBe("23:00–00:00");
  });
});
