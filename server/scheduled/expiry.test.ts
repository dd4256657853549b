import { describe, expect, it } from "vitest";
import { expiryFlag, expiryOfFlags, hasExpired } from "./expiry";

describe("a message's expiry in its flags", () => {
  const at = new Date("2026-12-07T15:00:00.000Z");

  it("reads back the expiry it wrote, among other flags", () => {
    expect(expiryOfFlags(["invalid_utf16", expiryFlag(at)])?.toISOString()).toBe(at.toISOString());
  });

  it("has expired at and after the time, not before", () => {
    const flags = [expiryFlag(at)];
    expect(hasExpired(flags, new Date(at.getTime() - 1))).toBe(false);
    expect(hasExpired(flags, at)).toBe(true);
    expect(hasExpired(flags, new Date(at.getTime() + 60_000))).toBe(true);
  });

  it("treats no flags, other flags and an unreadable expiry as no expiry", () => {
    for (const flags of [null, undefined, [], ["late"], ["expires_at:soon"]]) {
      expect(expiryOfFlags(flags)).toBeNull();
      expect(hasExpired(flags, new Date("2100-01-01T00:00:00Z"))).toBe(false);
    }
  });
});
