import { describe, expect, it } from "vitest";
import { describeRetry, formatCountdown, statusBadgeOf } from "./session-labels";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const at = (seconds: number) => new Date(NOW + seconds * 1000);

describe("a session that keeps failing", () => {
  it('reads "retrying in 32 s (attempt 6)" while it waits, counting down', () => {
    const session = { status: "failed" as const, reconnectAttempt: 6, nextRetryAt: at(32) };
    expect(describeRetry(session, NOW)).toBe("retrying in 32 s (attempt 6)");
    expect(describeRetry(session, NOW + 1_500)).toBe("retrying in 31 s (attempt 6)");
    expect(describeRetry(session, NOW + 32_000)).toBe("retrying now (attempt 6)");
    expect(statusBadgeOf(session)).toEqual({ label: "Failed", tone: "danger" });
  });

  it("reads Reconnecting, not Connecting, while a retry runs, and says which", () => {
    const session = { status: "connecting" as const, reconnectAttempt: 7, nextRetryAt: null };
    expect(describeRetry(session, NOW)).toBe("retrying now (attempt 7)");
    expect(statusBadgeOf(session)).toEqual({ label: "Reconnecting", tone: "danger" });
    // A first connection is just connecting.
    const first = { status: "connecting" as const, reconnectAttempt: null, nextRetryAt: null };
    expect(describeRetry(first, NOW)).toBeNull();
    expect(statusBadgeOf(first)).toEqual({ label: "Connecting", tone: "warning" });
  });

  it("says nothing of retries once connected, waiting for a scan, or logged out", () => {
    for (const status of ["ready", "qr", "logged_out"] as const) {
      expect(describeRetry({ status, reconnectAttempt: 3, nextRetryAt: at(10) }, NOW)).toBeNull();
    }
    expect(describeRetry({ status: "disconnected", reconnectAttempt: 2, nextRetryAt: at(4 * 60 + 10) }, NOW)).toBe(
      "retrying in 4 min 10 s (attempt 2)",
    );
  });

  it("formats a countdown in seconds, minutes and hours", () => {
    expect([0, 59, 60, 61, 300, 3_600, 3_900].map(formatCountdown)).toEqual([
      "0 s",
      "59 s",
      "1 min",
      "1 min 1 s",
      "5 min",
      "1 h",
      "1 h 5 min",
    ]);
  });
});
