import { describe, expect, it } from "vitest";
import { quietHoursEnd } from "./campaigns";

describe("a campaign's quiet hours (the org's time zone)", () => {
  const night = { start: "21:00", end: "08:00" };

  it("over midnight: asleep from the start until the end, the next morning or the same one", () => {
    // 22:30 in Lisbon (UTC+0 in December): quiet until 08:00 the next day.
    expect(quietHoursEnd(new Date("2026-12-07T22:30:00Z"), "Europe/Lisbon", night)).toEqual(
      new Date("2026-12-08T08:00:00Z"),
    );
    // 03:00: quiet until 08:00 the same day.
    expect(quietHoursEnd(new Date("2026-12-08T03:00:00Z"), "Europe/Lisbon", night)).toEqual(
      new Date("2026-12-08T08:00:00Z"),
    );
    // 08:00 and 20:59: awake.
    expect(quietHoursEnd(new Date("2026-12-08T08:00:00Z"), "Europe/Lisbon", night)).toBeNull();
    expect(quietHoursEnd(new Date("2026-12-08T20:59:00Z"), "Europe/Lisbon", night)).toBeNull();
  });

  it("within a day, and in the org's zone rather than UTC", () => {
    const lunch = { start: "12:00", end: "14:00" };
    // 12:30 in São Paulo is 15:30 UTC.
    expect(quietHoursEnd(new Date("2026-12-07T15:30:00Z"), "America/Sao_Paulo", lunch)).toEqual(
      new Date("2026-12-07T17:00:00Z"),
    );
    expect(quietHoursEnd(new Date("2026-12-07T12:30:00Z"), "America/Sao_Paulo", lunch)).toBeNull();
  });
});
