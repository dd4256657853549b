import { describe, expect, it } from "vitest";
import { retryOf, statusBadgeOf } from "./session-labels";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const at = (seconds: number) => new Date(NOW + seconds * 1000);
const WORKER = "worker-1";

describe("a session that keeps failing", () => {
  it("holds one steady badge through the cycle, failed → connecting → failed", () => {
    const waiting = { status: "failed" as const, reconnectAttempt: 6, nextRetryAt: at(32), worker: WORKER };
    const trying = { status: "connecting" as const, reconnectAttempt: 7, nextRetryAt: null, worker: WORKER };
    const down = { status: "disconnected" as const, reconnectAttempt: 8, nextRetryAt: at(250), worker: WORKER };
    for (const session of [waiting, trying, down]) {
      expect(statusBadgeOf(session)).toEqual({ label: "retrying", tone: "danger" });
    }
  });

  it("says which attempt comes and when, and that it runs once due", () => {
    const session = { status: "failed" as const, reconnectAttempt: 6, nextRetryAt: at(32), worker: WORKER };
    expect(retryOf(session, NOW)).toEqual({ attempt: 6, at: at(32) });
    expect(retryOf(session, NOW + 32_000)).toEqual({ attempt: 6, at: null });
    const trying = { status: "connecting" as const, reconnectAttempt: 7, nextRetryAt: null, worker: WORKER };
    expect(retryOf(trying, NOW)).toEqual({ attempt: 7, at: null });
  });

  it("a first connection is just connecting", () => {
    const first = { status: "connecting" as const, reconnectAttempt: null, nextRetryAt: null, worker: WORKER };
    expect(retryOf(first, NOW)).toBeNull();
    expect(statusBadgeOf(first)).toEqual({ label: "connecting", tone: "warning" });
  });

  it("says nothing of retries once connected, waiting for a scan, logged out, or with no worker", () => {
    for (const status of ["ready", "qr", "logged_out"] as const) {
      const session = { status, reconnectAttempt: 3, nextRetryAt: at(10), worker: WORKER };
      expect(retryOf(session, NOW)).toBeNull();
      expect(statusBadgeOf(session).label).toBe(status);
    }
    const orphan = { status: "failed" as const, reconnectAttempt: 3, nextRetryAt: null, worker: null };
    expect(retryOf(orphan, NOW)).toBeNull();
    expect(statusBadgeOf(orphan)).toEqual({ label: "failed", tone: "danger" });
  });
});
