import { describe, expect, it } from "vitest";
import { CLOUD_EXAMPLE, signCloudWebhook } from "~/tests/support/cloud-webhooks";
import { isValidCloudSignature } from "./webhook";

describe("isValidCloudSignature", () => {
  const body = Buffer.from(JSON.stringify({ object: "whatsapp_business_account", entry: [] }));
  const secret = CLOUD_EXAMPLE.appSecret;

  it("[valid] sha256= and the hex HMAC of the raw body under the app secret, either case", () => {
    const header = signCloudWebhook(body, secret);
    expect(isValidCloudSignature(body, header, secret)).toBe(true);
    expect(isValidCloudSignature(body, `sha256=${header.slice(7).toUpperCase()}`, secret)).toBe(true);
  });

  it("[refused] missing, malformed, another body's, another secret's, truncated", () => {
    const header = signCloudWebhook(body, secret);
    for (const bad of [
      null,
      "",
      "sha256=",
      header.slice(7),
      `sha1=${header.slice(7)}`,
      header.slice(0, -2),
      `${header}00`,
      `sha256=${"zz".repeat(32)}`,
      signCloudWebhook(Buffer.concat([body, Buffer.from(" ")]), secret),
      signCloudWebhook(body, "fedcba9876543210fedcba9876543210"),
    ]) {
      expect(isValidCloudSignature(body, bad, secret), String(bad)).toBe(false);
    }
  });
});
