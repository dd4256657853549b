import { describe, expect, it } from "vitest";
import { addressKey, decideLoginThrottle, describeThrottle, LOGIN_THROTTLE } from "./throttle";

const now = new Date("2026-12-06T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
const none = { count: 0, oldest: null };

describe("decideLoginThrottle", () => {
  it("allows attempts under both limits", () => {
    expect(
      decideLoginThrottle(
        {
          emailAddress: { count: LOGIN_THROTTLE.maxFailuresPerEmailAndAddress - 1, oldest: minutesAgo(1) },
          address: { count: LOGIN_THROTTLE.maxFailuresPerAddress - 1, oldest: minutesAgo(1) },
        },
        now,
      ),
    ).toEqual({ allowed: true });
  });

  it("refuses an email from an address at its limit until the oldest failure leaves the window", () => {
    expect(
      decideLoginThrottle(
        { emailAddress: { count: LOGIN_THROTTLE.maxFailuresPerEmailAndAddress, oldest: minutesAgo(3) }, address: none },
        now,
      ),
    ).toEqual({ allowed: false, scope: "email-address", retryAfterS: 12 * 60 });
  });

  it("refuses an address at its limit, whatever the email, and says so first", () => {
    expect(
      decideLoginThrottle(
        {
          emailAddress: { count: LOGIN_THROTTLE.maxFailuresPerEmailAndAddress, oldest: minutesAgo(1) },
          address: { count: LOGIN_THROTTLE.maxFailuresPerAddress, oldest: minutesAgo(10) },
        },
        now,
      ),
    ).toEqual({ allowed: false, scope: "address", retryAfterS: 5 * 60 });
  });

  it("has no address limit when the address is unknown", () => {
    expect(decideLoginThrottle({ emailAddress: { count: 1, oldest: minutesAgo(1) }, address: null }, now)).toEqual({
      allowed: true,
    });
  });

  it("never asks to wait less than a second", () => {
    const verdict = decideLoginThrottle(
      {
        emailAddress: {
          count: LOGIN_THROTTLE.maxFailuresPerEmailAndAddress,
          oldest: new Date(now.getTime() - LOGIN_THROTTLE.windowMs),
        },
        address: none,
      },
      now,
    );
    expect(verdict).toEqual({ allowed: false, scope: "email-address", retryAfterS: 1 });
  });
});

describe("describeThrottle", () => {
  it("says why and for how long", () => {
    expect(describeThrottle({ scope: "email-address", retryAfterS: 12 * 60 - 5 })).toBe(
      "Too many failed sign-in attempts for this email from your network. Try again in 12 minutes.",
    );
    expect(describeThrottle({ scope: "address", retryAfterS: 30 })).toBe(
      "Too many failed sign-in attempts from your network. Try again in 1 minute.",
    );
  });
});

describe("addressKey", () => {
  it("counts IPv4 addresses one by one and IPv6 addresses by their /64", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressKey(null)).toBeNull();
    expect(addressKey("nonsense")).toBeNull();
  });
});
