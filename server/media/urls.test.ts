import { describe, expect, it } from "vitest";
import type { TMediaRef } from "~/server/messages/content";
import { EXPIRY_WINDOW_S, mediaExpiry, signedMediaLinks, verifyMediaRequest } from "./urls";

const SECRET = "media-url-test-secret-0123456789abcdef";
const SHA = "a".repeat(64);
const NOW = new Date("2026-12-06T10:02:13.500Z");
const STORED: TMediaRef = {
  mimeType: "application/pdf",
  storageKey: SHA,
  sha256: SHA,
  state: "stored",
  fileName: "Fatura março.pdf",
  size: 1234,
  thumbKey: "b".repeat(64),
};

function linksOf(media: TMediaRef = STORED, ttlS = 3_600) {
  const links = signedMediaLinks(media, { secret: SECRET, ttlS, now: NOW });
  if (!links) throw new Error("no links");
  return links;
}

function verify(url: string, at: Date = NOW, secret = SECRET, sha = SHA) {
  const parsed = new URL(url, "http://app.test");
  return verifyMediaRequest(secret, sha, parsed.searchParams, at);
}

describe("signed media URLs", () => {
  it("a valid link verifies with its variant, download flag and file name", () => {
    const links = linksOf();
    expect(links.url.startsWith(`/api/media/${SHA}?`)).toBe(true);
    expect(verify(links.url)).toEqual({ ok: true, variant: "full", download: false, fileName: "Fatura março.pdf" });
    expect(verify(links.thumbUrl!)).toEqual({
      ok: true,
      variant: "thumb",
      download: false,
      fileName: "Fatura março.pdf",
    });
    expect(verify(links.downloadUrl)).toMatchObject({ ok: true, variant: "full", download: true });
  });

  it("are null unless the file is stored", () => {
    for (const state of ["pending", "failed", "removed", undefined] as const) {
      expect(signedMediaLinks({ ...STORED, state }, { secret: SECRET, ttlS: 3_600, now: NOW })).toBeNull();
    }
    expect(signedMediaLinks({ ...STORED, storageKey: undefined }, { secret: SECRET, ttlS: 3_600 })).toBeNull();
    expect(signedMediaLinks({ ...STORED, storageKey: "../etc/passwd" }, { secret: SECRET, ttlS: 3_600 })).toBeNull();
    expect(signedMediaLinks(undefined, { secret: SECRET, ttlS: 3_600 })).toBeNull();
  });

  it("absolute with an origin, for webhooks and the API", () => {
    const links = signedMediaLinks(STORED, { secret: SECRET, ttlS: 600, origin: "https://sb.example.com/", now: NOW });
    expect(links!.url.startsWith(`https://sb.example.com/api/media/${SHA}?`)).toBe(true);
    expect(verify(links!.url)).toMatchObject({ ok: true });
  });

  it("expire at the end of a 5-minute window at least the TTL away, and are the same URL within the window", () => {
    const links = linksOf(STORED, 60);
    const expiry = new Date(links.expiresAt).getTime() / 1000;
    expect(expiry % EXPIRY_WINDOW_S).toBe(0);
    expect(expiry * 1000 - NOW.getTime()).toBeGreaterThanOrEqual(EXPIRY_WINDOW_S * 1000);
    const later = signedMediaLinks(STORED, { secret: SECRET, ttlS: 60, now: new Date(NOW.getTime() + 30_000) });
    expect(later!.url).toBe(links.url);
    expect(mediaExpiry(new Date("2026-12-06T10:00:00Z"), 3_600)).toBe(Date.parse("2026-12-06T11:00:00Z") / 1000);
  });

  it("an expired link says expired", () => {
    const links = linksOf();
    expect(verify(links.url, new Date(links.expiresAt))).toEqual({ ok: false, reason: "expired" });
    expect(verify(links.url, new Date(Date.parse(links.expiresAt) - 1))).toMatchObject({ ok: true });
  });

  it.each([
    ["the file", (url: URL) => url, "b".repeat(64)],
    ["the expiry", (url: URL) => (url.searchParams.set("e", String(Number(url.searchParams.get("e")) + 300)), url)],
    ["the variant", (url: URL) => (url.searchParams.set("v", "thumb"), url)],
    ["the download flag", (url: URL) => (url.searchParams.set("d", "1"), url)],
    ["the file name", (url: URL) => (url.searchParams.set("n", "evil.html"), url)],
    ["a removed file name", (url: URL) => (url.searchParams.delete("n"), url)],
    ["the signature", (url: URL) => (url.searchParams.set("s", `A${url.searchParams.get("s")!.slice(1)}`), url)],
    ["a missing signature", (url: URL) => (url.searchParams.delete("s"), url)],
    ["a junk expiry", (url: URL) => (url.searchParams.set("e", "1e99"), url)],
  ] as const)("a link with another %s is refused", (_name, tamper, sha = SHA) => {
    const url = tamper(new URL(linksOf().url, "http://app.test"));
    expect(verifyMediaRequest(SECRET, sha, url.searchParams, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a tampered link that has also expired says bad_signature", () => {
    const url = new URL(linksOf().url, "http://app.test");
    url.searchParams.set("n", "other.pdf");
    expect(verifyMediaRequest(SECRET, SHA, url.searchParams, new Date("2030-01-01"))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("a link signed with another secret is refused", () => {
    expect(verify(linksOf().url, NOW, "another-secret-0123456789abcdef-xyz")).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("the signing key is not APP_SECRET itself", async () => {
    const { createHmac } = await import("node:crypto");
    const url = new URL(linksOf().url, "http://app.test");
    const forged = createHmac("sha256", SECRET)
      .update(JSON.stringify(["v1", SHA, "full", false, "Fatura março.pdf", Number(url.searchParams.get("e"))]))
      .digest("base64url");
    url.searchParams.set("s", forged);
    expect(verifyMediaRequest(SECRET, SHA, url.searchParams, NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });
});

describe("hostile query strings", () => {
  it("any query is a verdict, never an exception, and never ok without the signature", async () => {
    const { default: fc } = await import("fast-check");
    const valid = new URL(linksOf().url, "http://app.test").searchParams;
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom("e", "s", "v", "d", "n", "x"),
          fc.oneof(fc.string(), fc.constantFrom("\u0000", "\uD800", "9".repeat(400))),
        ),
        (fields) => {
          const params = new URLSearchParams(valid);
          for (const [name, value] of Object.entries(fields)) params.set(name, value);
          const verdict = verifyMediaRequest(SECRET, SHA, params, NOW);
          // Only the untouched link (or one with an unsigned extra field) passes.
          if (verdict.ok) for (const name of ["e", "s", "v", "d", "n"]) expect(params.get(name)).toBe(valid.get(name));
        },
      ),
      { numRuns: 500, seed: 20261206 },
    );
  });
});
