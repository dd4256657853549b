import { describe, expect, it } from "vitest";
import { checkSameOrigin } from "./same-origin";

const config = { trustedProxyHops: 0 };
const check = (
  method: string,
  entries: Record<string, string>,
  options: Parameters<typeof checkSameOrigin>[1] = config,
) => checkSameOrigin({ method, headers: new Headers({ host: "sb.local:3000", ...entries }) }, options);

describe("checkSameOrigin", () => {
  it("trusts the browser's fetch metadata: same-origin and none pass, same-site and cross-site do not", () => {
    expect(check("POST", { "sec-fetch-site": "same-origin" })).toEqual({ ok: true });
    expect(check("POST", { "sec-fetch-site": "none" })).toEqual({ ok: true });
    expect(check("POST", { "sec-fetch-site": "same-site", origin: "http://sb.local:3000" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("Sec-Fetch-Site: same-site"),
    });
    expect(check("POST", { "sec-fetch-site": "cross-site" })).toMatchObject({ ok: false });
    expect(check("GET", { "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" })).toMatchObject({ ok: false });
  });

  it("lets a cross-site top-level navigation read, never write", () => {
    const navigation = { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" };
    expect(check("GET", navigation)).toEqual({ ok: true });
    expect(check("POST", navigation)).toMatchObject({ ok: false });
    expect(check("GET", { ...navigation, "sec-fetch-dest": "iframe" })).toMatchObject({ ok: false });
  });

  it("without fetch metadata, compares Origin with the Host the browser addressed", () => {
    expect(check("POST", { origin: "http://sb.local:3000" })).toEqual({ ok: true });
    expect(check("POST", { origin: "http://SB.local:3000" })).toEqual({ ok: true });
    expect(check("POST", { origin: "http://sb.local:3001" })).toMatchObject({ ok: false });
    expect(check("POST", { origin: "https://evil.example" })).toMatchObject({
      ok: false,
      reason: "this request came from https://evil.example, not from this app (sb.local:3000)",
    });
    expect(check("POST", { origin: "null" })).toMatchObject({ ok: false });
  });

  it("drops the scheme's default port, as browsers write Origin", () => {
    const defaultPort = (origin: string, host: string) =>
      checkSameOrigin({ method: "POST", headers: new Headers({ host, origin }) }, config);
    expect(defaultPort("https://sb.example.com", "sb.example.com:443")).toEqual({ ok: true });
    expect(defaultPort("http://sb.example.com", "sb.example.com:80")).toEqual({ ok: true });
  });

  it("takes the host from a trusted proxy only", () => {
    const forwarded = { origin: "https://public.example", "x-forwarded-host": "public.example" };
    expect(check("POST", forwarded)).toMatchObject({ ok: false });
    expect(check("POST", forwarded, { trustedProxyHops: 1 })).toEqual({ ok: true });
  });

  it("accepts NEXTAUTH_URL's origin beside the request's own", () => {
    const options = { trustedProxyHops: 0, publicUrl: "https://public.example/app" };
    expect(check("POST", { origin: "https://public.example" }, options)).toEqual({ ok: true });
    expect(check("POST", { origin: "http://public.example" }, options)).toMatchObject({ ok: false });
    expect(check("POST", { origin: "http://sb.local:3000" }, options)).toEqual({ ok: true });
  });

  it("refuses a change that says nowhere where it comes from, but lets such a read through", () => {
    expect(check("POST", {})).toMatchObject({ ok: false, reason: expect.stringContaining("Origin header") });
    expect(check("DELETE", {})).toMatchObject({ ok: false });
    expect(check("GET", {})).toEqual({ ok: true });
  });
});
