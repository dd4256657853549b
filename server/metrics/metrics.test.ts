import { describe, expect, it } from "vitest";
import { EXPIRED_REASON } from "~/server/scheduled/expiry";
import { hasMetricsToken, isMetricsPath } from "./http";
import { metrics, queueLabels, sendFailureReason } from "./metrics";

describe("metrics labels", () => {
  it("labels a session's queue by its family and session, others by their name", () => {
    const id = "0b6f1c2e-4a5b-4c3d-8e9f-0123456789ab";
    expect(queueLabels(`send.${id}`)).toEqual({ queue: "send", session: id });
    expect(queueLabels(`media.${id}`)).toEqual({ queue: "media", session: id });
    expect(queueLabels("message.process")).toEqual({ queue: "message.process", session: "" });
  });

  it("turns a send's error into a bounded reason, never its text", () => {
    const named = (name: string, message = "x") => Object.assign(new Error(message), { name });
    expect(sendFailureReason(named("MediaMissingError"))).toBe("media_missing");
    expect(sendFailureReason(named("PermanentSendError", "+5511999 is not on WhatsApp"))).toBe("engine_refused");
    expect(sendFailureReason(new Error("Not sent: the contact was blocked before it went out."))).toBe(
      "contact_refused",
    );
    expect(sendFailureReason(new Error(EXPIRED_REASON))).toBe("expired");
    expect(sendFailureReason(new Error("session token expired"))).toBe("retries_exhausted");
    expect(sendFailureReason(new Error("socket hang up"))).toBe("retries_exhausted");
    expect(sendFailureReason("weird")).toBe("retries_exhausted");
  });

  it("is one registry per process, whoever imports the module", () => {
    expect((globalThis as { switchboardMetrics?: unknown }).switchboardMetrics).toBe(metrics);
  });
});

describe("metrics endpoint", () => {
  it("takes only the exact bearer token", () => {
    const token = "a-token-of-twenty-chars";
    expect(hasMetricsToken(`Bearer ${token}`, token)).toBe(true);
    expect(hasMetricsToken(`bearer ${token}`, token)).toBe(true);
    expect(hasMetricsToken(`Bearer ${token}x`, token)).toBe(false);
    expect(hasMetricsToken(token, token)).toBe(false);
    expect(hasMetricsToken(undefined, token)).toBe(false);
    expect(hasMetricsToken("Basic Zm9vOmJhcg==", token)).toBe(false);
  });

  it("answers /metrics with any query string, nothing else", () => {
    expect(isMetricsPath("/metrics")).toBe(true);
    expect(isMetricsPath("/metrics?x=1")).toBe(true);
    expect(isMetricsPath("/metrics/")).toBe(false);
    expect(isMetricsPath("/api/metrics")).toBe(false);
    expect(isMetricsPath(undefined)).toBe(false);
  });
});
