import { describe, expect, it } from "vitest";
import { slaClocks } from "./sla-timers";

const NOW = Date.parse("2026-12-07T10:00:00Z");
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const base = {
  mode: "human",
  firstHumanReplyAt: null,
  slaFirstResponseDueAt: null,
  slaResolutionDueAt: null,
  slaFirstResponseBreachedAt: null,
  slaResolutionBreachedAt: null,
};

describe("slaClocks", () => {
  it("[sla] no targets, no timers; only the people's conversations have them", () => {
    expect(slaClocks(base, NOW)).toEqual([]);
    expect(slaClocks({ ...base, mode: "closed", slaResolutionDueAt: at(5) }, NOW)).toEqual([]);
  });

  it("[sla] the first-response clock runs until a person replies; resolution until closed", () => {
    const running = slaClocks({ ...base, slaFirstResponseDueAt: at(10), slaResolutionDueAt: at(60) }, NOW);
    expect(running.map((clock) => [clock.target, clock.breached])).toEqual([
      ["firstResponse", false],
      ["resolution", false],
    ]);
    const replied = slaClocks(
      { ...base, firstHumanReplyAt: at(-1), slaFirstResponseDueAt: at(10), slaResolutionDueAt: at(60) },
      NOW,
    );
    expect(replied.map((clock) => clock.target)).toEqual(["resolution"]);
  });

  it("[sla] a clock past due, or recorded breached by the sweep, is breached", () => {
    expect(slaClocks({ ...base, slaFirstResponseDueAt: at(-1) }, NOW)[0]!.breached).toBe(true);
    expect(
      slaClocks({ ...base, slaResolutionDueAt: at(30), slaResolutionBreachedAt: at(-2) }, NOW)[0]!.breached,
    ).toBe(true);
  });
});
