import { describe, expect, it } from "vitest";
import { normalizeLabels, snoozeUntilFor } from "./work";

describe("snooze presets", () => {
  // Wednesday 2026-03-04 22:30 UTC = 19:30 in São Paulo (UTC−3), already Thursday 07:30 in Tokyo.
  const now = new Date("2026-03-04T22:30:00Z");

  it("1 h is an hour from now", () => {
    expect(snoozeUntilFor("1h", now, "America/Sao_Paulo").toISOString()).toBe("2026-03-04T23:30:00.000Z");
  });

  it("tomorrow is 9:00 the next day in the organisation's time zone", () => {
    expect(snoozeUntilFor("tomorrow", now, "America/Sao_Paulo").toISOString()).toBe("2026-03-05T12:00:00.000Z");
    expect(snoozeUntilFor("tomorrow", now, "Asia/Tokyo").toISOString()).toBe("2026-03-06T00:00:00.000Z");
    expect(snoozeUntilFor("tomorrow", now, "UTC").toISOString()).toBe("2026-03-05T09:00:00.000Z");
  });

  it("next week is the coming Monday at 9:00 (a week on, from a Monday)", () => {
    expect(snoozeUntilFor("next_week", now, "UTC").toISOString()).toBe("2026-03-09T09:00:00.000Z");
    const monday = new Date("2026-03-09T10:00:00Z");
    expect(snoozeUntilFor("next_week", monday, "UTC").toISOString()).toBe("2026-03-16T09:00:00.000Z");
  });

  it("keeps 9:00 across a daylight saving change", () => {
    // Berlin moves to summer time on Sunday 2026-03-29: Monday 9:00 is 07:00 UTC.
    const saturday = new Date("2026-03-28T12:00:00Z");
    expect(snoozeUntilFor("next_week", saturday, "Europe/Berlin").toISOString()).toBe("2026-03-30T07:00:00.000Z");
  });
});

describe("labels", () => {
  it("are lower case, trimmed, single-spaced and each once", () => {
    expect(normalizeLabels(["  VIP ", "vip", "Needs   Refund", "", "  "])).toEqual(["vip", "needs refund"]);
  });
});
