import { describe, expect, it } from "vitest";
import { describeChange, formatDuration, formatHourSpan, formatRate } from "./analytics-format";

describe("analytics formatting", () => {
  it("writes durations in the largest short unit", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1_234)).toBe("1.2 s");
    expect(formatDuration(4 * 60_000)).toBe("4 min");
    expect(formatDuration(4.5 * 60_000)).toBe("4.5 min");
    expect(formatDuration(25 * 60_000)).toBe("25 min");
    expect(formatDuration(3 * 3_600_000)).toBe("3 h");
    expect(formatDuration(72 * 3_600_000)).toBe("3 d");
  });

  it("writes rates as percentages and nothing-to-divide as a dash", () => {
    expect(formatRate(null)).toBe("–");
    expect(formatRate(0.25).replace(/\s/g, "")).toBe("25%");
  });

  it("describes a change without judging it: percent for counts, points for rates", () => {
    expect(describeChange(12, 10, "count")).toEqual({ direction: "up", text: expect.stringContaining("20") });
    expect(describeChange(5, 10, "duration")).toEqual({ direction: "down", text: expect.stringContaining("50") });
    expect(describeChange(0.12, 0.1, "rate")).toEqual({ direction: "up", text: "2 pts" });
    expect(describeChange(3, 0, "count")).toEqual({ direction: "up", text: "from 0" });
    expect(describeChange(3, 3, "count")).toEqual({ direction: "same", text: "no change" });
    expect(describeChange(null, 3, "duration")).toEqual({ direction: null, text: "" });
  });

  it("writes an hour of the day as a span", () => {
    expect(formatHourSpan(9)).toBe("09:00–10:00");
    expect(formatHourSpan(23)).toBe("23:00–00:00");
  });
});
