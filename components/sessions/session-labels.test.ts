import { describe, expect, it } from "vitest";
import { formatPairingCode, megabytesOf, retryOf, statusBadgeOf } from "./session-labels";

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

describe("a pairing code", () => {
  it("reads as WhatsApp's 8 characters split in two, in capitals", () => {
    expect(formatPairingCode("K7QX9M2P")).toBe("K7QX-9M2P");
    expect(formatPairingCode("k7qx-9m2p")).toBe("K7QX-9M2P");
    expect(formatPairingCode(" ABCD EFGH ")).toBe("ABCD-EFGH");
  });

  it("of another length shows as it came, without splitting", () => {
    expect(formatPairingCode("ABC123")).toBe("ABC123");
  });
});

describe("memory", () => {
  it("shows in whole megabytes", () => {
    expect(megabytesOf(412_000_000)).toBe(412);
    expect(megabytesOf(18_499_999)).toBe(18);
  });
});
