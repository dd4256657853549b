import { describe, expect, it } from "vitest";
import { logAxis } from "./response-time-chart";

describe("response-time axis", () => {
  it("spans the round durations just around the data", () => {
    expect(logAxis([0.05, 12])).toEqual({ domain: [0.01, 60], ticks: [0.01, 0.1, 1, 10, 60] });
    expect(logAxis([0, 0.2])).toEqual({ domain: [0.001, 1], ticks: [0.001, 0.01, 0.1, 1] });
    expect(logAxis([10])).toEqual({ domain: [10, 60], ticks: [10, 60] });
    expect(logAxis([200_000])).toEqual({ domain: [36_000, 200_000], ticks: [36_000, 86_400] });
  });
});
