import { describe, expect, it } from "vitest";
import { formatWindowTime, SERVICE_WINDOW_HOURS, windowAt } from "./window";

const HOUR = 3_600_000;

describe("the 24-hour window", () => {
  const last = new Date("2026-12-05T14:32:00Z");

  it("is open just after the contact wrote, and until 24 hours later", () => {
    expect(windowAt(last, new Date(last.getTime() + 1_000))).toEqual({
      open: true,
      closesAt: new Date("2026-12-06T14:32:00Z"),
    });
    expect(windowAt(last, new Date(last.getTime() + SERVICE_WINDOW_HOURS * HOUR - 1)).open).toBe(true);
  });

  it("is closed 24 hours after the contact's last message, and a second later", () => {
    expect(windowAt(last, new Date(last.getTime() + 24 * HOUR)).open).toBe(false);
    expect(windowAt(last, new Date(last.getTime() + 24 * HOUR + 1_000)).open).toBe(false);
  });

  it("was never open for a contact who never wrote", () => {
    expect(windowAt(null, new Date())).toEqual({ open: false, closesAt: null });
  });

  it("says when it closes in numbers, in the org's time zone", () => {
    expect(formatWindowTime(new Date("2026-12-06T14:32:00Z"), "UTC")).toBe("2026-12-06 14:32 (UTC)");
    expect(formatWindowTime(new Date("2026-12-06T23:32:00Z"), "America/Sao_Paulo")).toBe(
      "2026-12-06 20:32 (America/Sao_Paulo)",
    );
    expect(formatWindowTime(new Date("2026-12-06T00:05:00Z"), "Not/AZone")).toBe("2026-12-06 00:05 (UTC)");
  });
});
