import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, securityHeaders } from "./headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((part) => {
      const [name = "", ...values] = part.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe("createNonce", () => {
  it("is 128 random bits in base64, new every time", () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("contentSecurityPolicy", () => {
  it("lets scripts run only with the nonce in production, and never eval", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc", isHttps: false, isDev: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc'", "'strict-dynamic'"]);
    expect(policy.get("style-src-elem")).toEqual(["'self'", "'nonce-abc'"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("lets images, audio and video load from the app's own media route and from local previews (blobs), nowhere else", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc", isHttps: false, isDev: false }));
    expect(policy.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(policy.get("media-src")).toEqual(["'self'", "blob:"]);
  });

  it("allows React's dev-only eval and unnonced dev styles under next dev", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc", isHttps: false, isDev: true }));
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
    expect(policy.get("style-src-elem")).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("upgrades insecure requests over HTTPS only", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc", isHttps: true, isDev: false }));
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("securityHeaders", () => {
  it("sends HSTS over HTTPS only", () => {
    expect(securityHeaders({ nonce: "n", isHttps: true, isDev: false })["strict-transport-security"]).toBe(
      "max-age=31536000; includeSubDomains",
    );
    expect(securityHeaders({ nonce: "n", isHttps: false, isDev: false })).not.toHaveProperty(
      "strict-transport-security",
    );
  });
});
