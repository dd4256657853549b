import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, SecretDecryptionError } from "./secrets";

const APP_SECRET = "x".repeat(40);

describe("secrets at rest", () => {
  it("round-trips, with a fresh IV each time", () => {
    const a = encryptSecret("whsec_abc", APP_SECRET, "webhook-secret");
    const b = encryptSecret("whsec_abc", APP_SECRET, "webhook-secret");
    expect(a.equals(b)).toBe(false);
    expect(decryptSecret(a, APP_SECRET, "webhook-secret").toString()).toBe("whsec_abc");
  });

  it("refuses a tampered blob, another APP_SECRET and another purpose", () => {
    const blob = encryptSecret("whsec_abc", APP_SECRET, "webhook-secret");
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decryptSecret(tampered, APP_SECRET, "webhook-secret")).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(blob, "y".repeat(40), "webhook-secret")).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(blob, APP_SECRET, "wa-session-auth")).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(Buffer.from("junk"), APP_SECRET, "webhook-secret")).toThrow(/known version/);
  });
});
