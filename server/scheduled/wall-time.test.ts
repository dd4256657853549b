import { describe, expect, it } from "vitest";
import { instantOfWallTime } from "./wall-time";

describe("instantOfWallTime", () => {
  it("reads a wall time in the given zone, summer and winter", () => {
    expect(instantOfWallTime("2026-12-07T15:30", "America/Sao_Paulo")?.toISOString()).toBe("2026-12-07T18:30:00.000Z");
    expect(instantOfWallTime("2026-07-01T09:00", "Europe/Madrid")?.toISOString()).toBe("2026-07-01T07:00:00.000Z");
    expect(instantOfWallTime("2026-01-01T09:00", "Europe/Madrid")?.toISOString()).toBe("2026-01-01T08:00:00.000Z");
    expect(instantOfWallTime("2026-12-07T15:30:20", "UTC")?.toISOString()).toBe("2026-12-07T15:30:20.000Z");
  });

  it("takes the first of a repeated hour when clocks go back", () => {
    expect(instantOfWallTime("2026-11-01T01:30", "America/New_York")?.toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });

  it("refuses what is not a wall time", () => {
    for (const text of [
      "",
      "tomorrow",
      "2026-12-07",
      "2026-12-07T15:30Z",
      "2026-13-07T15:30",
      "2026-02-31T10:00",
      "2026-12-07T15:30\u0000",
    ])
      expect(instantOfWallTime(text, "UTC")).toBeNull();
  });
});
