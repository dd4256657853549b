import { describe, expect, it } from "vitest";
import { ZOutreach } from "~/server/sessions/settings";
import { capOn, healthScore, WARM_UP_CAPS } from "./health";

const day = (iso: string) => {
  const [year, month, date] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day: date };
};

describe("a number's daily cap", () => {
  it("follows the warm-up day by day from its first day, then the number's own cap", () => {
    const warming = ZOutreach.parse({ warmUpFrom: "2026-12-01" });
    expect(capOn(warming, day("2026-12-01"))).toEqual({ cap: 20, warmUpDay: 1 });
    expect(capOn(warming, day("2026-12-02"))).toEqual({ cap: 30, warmUpDay: 2 });
    // Across a month's end: the 14th day is the last of the warm-up.
    const late = ZOutreach.parse({ warmUpFrom: "2026-11-25" });
    expect(capOn(late, day("2026-12-08"))).toEqual({ cap: WARM_UP_CAPS[13], warmUpDay: 14 });
    // Warmed up: no cap unless the number has one.
    expect(capOn(late, day("2026-12-09"))).toEqual({ cap: null, warmUpDay: null });
    expect(capOn({ ...late, dailyCap: 5_000 }, day("2026-12-09"))).toEqual({ cap: 5_000, warmUpDay: null });
  });

  it("a lower own cap wins during the warm-up; a start in the future is the first day; none without warm-up", () => {
    const low = ZOutreach.parse({ warmUpFrom: "2026-12-01", dailyCap: 25 });
    expect(capOn(low, day("2026-12-03")).cap).toBe(25);
    expect(capOn(ZOutreach.parse({ warmUpFrom: "2026-12-10" }), day("2026-12-07"))).toEqual({ cap: 20, warmUpDay: 1 });
    expect(capOn(ZOutreach.parse({}), day("2026-12-07"))).toEqual({ cap: null, warmUpDay: null });
  });
});

describe("a number's health score", () => {
  const counts = { sent: 100, failed: 0, delivered: 100, replied: 10, optedOut: 0 };

  it("is 100 for a number whose messages arrive and get answers, and for too few to judge", () => {
    expect(healthScore(counts)).toMatchObject({ score: 100, cause: null });
    expect(healthScore({ ...counts, sent: 19, failed: 19, delivered: 0 })).toMatchObject({ score: 100, cause: null });
  });

  it("loses 2 points a percent of failures and 8 a percent of opt-outs, each at most 60", () => {
    expect(healthScore({ ...counts, failed: 10 })).toMatchObject({ score: 80, cause: "failures" });
    expect(healthScore({ ...counts, failed: 90 })).toMatchObject({ score: 40, cause: "failures" });
    expect(healthScore({ ...counts, optedOut: 3 })).toMatchObject({ score: 76, cause: "opt_outs" });
    expect(healthScore({ ...counts, failed: 10, optedOut: 5 })).toMatchObject({ score: 40, cause: "opt_outs" });
    expect(healthScore({ ...counts, optedOut: 10 })).toMatchObject({ score: 40, cause: "opt_outs" });
    expect(healthScore({ ...counts, failed: 60, optedOut: 20 })).toMatchObject({ score: 0 });
  });

  it("loses 15 when at least 100 were delivered and fewer than 2 % answered", () => {
    expect(healthScore({ ...counts, replied: 1 })).toMatchObject({ score: 85, cause: "few_replies" });
    expect(healthScore({ ...counts, delivered: 99, replied: 0 })).toMatchObject({ score: 100 });
  });
});
