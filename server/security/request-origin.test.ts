import { describe, expect, it } from "vitest";
import { isHttpsRequest, requestHost, sessionCookieName } from "./request-origin";

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("isHttpsRequest", () => {
  it("ignores X-Forwarded-Proto when no proxy is trusted: the client wrote it", () => {
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "https" }), { trustedProxyHops: 0 })).toBe(false);
  });

  it("believes a trusted proxy's X-Forwarded-Proto, case-insensitively", () => {
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "HTTPS" }), { trustedProxyHops: 1 })).toBe(true);
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "http" }), { trustedProxyHops: 1 })).toBe(false);
    expect(isHttpsRequest(headers({}), { trustedProxyHops: 1 })).toBe(false);
  });

  it("reads the outermost trusted proxy's entry when proxies append", () => {
    // The client claims https, one trusted proxy received plain http and appended it.
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "https, http" }), { trustedProxyHops: 1 })).toBe(false);
    // Two trusted proxies: the outer one received https.
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "https, http" }), { trustedProxyHops: 2 })).toBe(true);
    // Two trusted proxies, the inner one overwrote the header: its single entry counts.
    expect(isHttpsRequest(headers({ "x-forwarded-proto": "https" }), { trustedProxyHops: 2 })).toBe(true);
  });

  it("follows NEXTAUTH_URL's scheme whatever the request says", () => {
    expect(isHttpsRequest(headers({}), { trustedProxyHops: 0, publicUrl: "https://sb.example.com" })).toBe(true);
    expect(
      isHttpsRequest(headers({ "x-forwarded-proto": "https" }), {
        trustedProxyHops: 1,
        publicUrl: "http://sb.example.com",
      }),
    ).toBe(false);
  });
});

describe("requestHost", () => {
  it("is the Host header unless a trusted proxy says otherwise", () => {
    const forwarded = headers({ host: "127.0.0.1:3000", "x-forwarded-host": "Public.Example" });
    expect(requestHost(forwarded, { trustedProxyHops: 0 })).toBe("127.0.0.1:3000");
    expect(requestHost(forwarded, { trustedProxyHops: 1 })).toBe("public.example");
    expect(requestHost(headers({ host: "a.example" }), { trustedProxyHops: 1 })).toBe("a.example");
    expect(requestHost(headers({}), { trustedProxyHops: 0 })).toBeNull();
  });
});

describe("sessionCookieName", () => {
  it("is next-auth's __Secure- name over HTTPS only", () => {
    expect(sessionCookieName(true)).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName(false)).toBe("next-auth.session-token");
  });
});
