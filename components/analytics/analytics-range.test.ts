import { describe, expect, it } from "vitest";
import {
  addDays,
  bucketFor,
  countDays,
  exportHref,
  isCalendarDay,
  lastDays,
  rangeProblem,
  rangeSearch,
  readRange,
} from "./analytics-range";

const SESSION = "0b8f3a52-2f1e-4c43-9a8e-6f0d8f8a1c11";

describe("analytics range", () => {
  it("accepts only real calendar days", () => {
    expect(isCalendarDay("2026-02-28")).toBe(true);
    expect(isCalendarDay("2024-02-29")).toBe(true);
    expect(isCalendarDay("2026-02-30")).toBe(false);
    expect(isCalendarDay("2026-13-01")).toBe(false);
    expect(isCalendarDay("26-1-1")).toBe(false);
    expect(isCalendarDay(null)).toBe(false);
  });

  it("counts days across month ends and daylight-saving changes, both ends included", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(countDays("2026-03-01", "2026-03-31")).toBe(31);
    expect(lastDays(30, "2026-05-31")).toEqual({ from: "2026-05-02", to: "2026-05-31" });
    expect(lastDays(7, "2026-01-03")).toEqual({ from: "2025-12-28", to: "2026-01-03" });
  });

  it("reads the URL, falling back to the last 30 days for missing or malformed days", () => {
    const params = (query: string) => new URLSearchParams(query);
    expect(readRange(params(`from=2026-01-01&to=2026-01-31&session=${SESSION}`), null)).toEqual({
      from: "2026-01-01",
      to: "2026-01-31",
      sessionId: SESSION,
    });
    expect(readRange(params(""), null)).toBeNull();
    expect(readRange(params("session=nope"), "2026-05-31")).toEqual({
      from: "2026-05-02",
      to: "2026-05-31",
      sessionId: null,
    });
    expect(readRange(params("to=2026-04-30&from=2026-02-31"), "2026-05-31")).toEqual({
      from: "2026-04-01",
      to: "2026-04-30",
      sessionId: null,
    });
  });

  it("says why the server would refuse a range", () => {
    expect(rangeProblem("2026-01-01", "2026-01-01")).toBeNull();
    expect(rangeProblem("2026-01-02", "2026-01-01")).toBe("The range ends before it starts");
    expect(rangeProblem("2025-01-01", "2026-01-02")).toBeNull();
    expect(rangeProblem("2025-01-01", "2026-01-03")).toBe("At most a year at a time");
    expect(rangeProblem("", "2026-01-01")).toBe("Pick both days");
  });

  it("uses hourly buckets up to two days", () => {
    expect(bucketFor({ from: "2026-01-01", to: "2026-01-01" })).toBe("hour");
    expect(bucketFor({ from: "2026-01-01", to: "2026-01-02" })).toBe("hour");
    expect(bucketFor({ from: "2026-01-01", to: "2026-01-03" })).toBe("day");
  });

  it("writes the page and export URLs", () => {
    const range = { from: "2026-01-01", to: "2026-01-31", sessionId: SESSION };
    expect(rangeSearch({ ...range, sessionId: null })).toBe("?from=2026-01-01&to=2026-01-31");
    expect(exportHref("messages", range, "day")).toBe(
      `/api/analytics/export?kind=messages&from=2026-01-01&to=2026-01-31&session=${SESSION}&bucket=day`,
    );
  });
});
