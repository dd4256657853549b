import { describe, expect, it } from "vitest";
import { slaClocks } from "./sla-timers";

const NOW = Date.parse("2026-12-07T10:00:00Z");
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
type TClocks = {
  firstHumanReplyAt?: string;
  firstResponseDueAt?: string;
  resolutionDueAt?: string;
  firstResponseBreachedAt?: string;
  resolutionBreachedAt?: string;
};
const row = (clocks: TClocks, mode = "human") => ({
  mode,
  sla: {
    firstHumanReplyAt: clocks.firstHumanReplyAt ?? null,
    firstResponseDueAt: clocks.firstResponseDueAt ?? null,
    resolutionDueAt: clocks.resolutionDueAt ?? null,
    firstResponseBreachedAt: clocks.firstResponseBreachedAt ?? null,
    resolutionBreachedAt: clocks.resolutionBreachedAt ?? null,
  },
});

describe("slaClocks", () => {
  it("[sla] no targets, no timers; only the people's conversations have them", () => {
    expect(slaClocks(row({}), NOW)).toEqual([]);
    expect(slaClocks(row({ resolutionDueAt: at(5) }, "closed"), NOW)).toEqual([]);
  });

  it("[sla] the first-response clock runs until a person replies; resolution until closed", () => {
    const running = slaClocks(row({ firstResponseDueAt: at(10), resolutionDueAt: at(60) }), NOW);
    expect(running.map((clock) => [clock.target, clock.breached])).toEqual([
      ["firstResponse", false],
      ["resolution", false],
    ]);
    const replied = slaClocks(
      row({ firstHumanReplyAt: at(-1), firstResponseDueAt: at(10), resolutionDueAt: at(60) }),
      NOW,
    );
    expect(replied.map((clock) => clock.target)).toEqual(["resolution"]);
  });

  it("[sla] a clock past due, or recorded breached by the sweep, is breached", () => {
    expect(slaClocks(row({ firstResponseDueAt: at(-1) }), NOW)[0]!.breached).toBe(true);
    expect(slaClocks(row({ resolutionDueAt: at(30), resolutionBreachedAt: at(-2) }), NOW)[0]!.breached).toBe(true);
  });
});
