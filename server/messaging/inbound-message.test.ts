import { describe, expect, it } from "vitest";
import { MAX_BODY_CHARS, normalizeWaId, sanitizeContent } from "./inbound-message";

describe("normalizeWaId", () => {
  it.each([
    ["5511999998888@c.us", "+5511999998888"],
    ["+15550001111", "+15550001111"],
    ["4915112345678@s.whatsapp.net", "+4915112345678"],
    ["166337892180127@lid", "166337892180127@lid"],
    ["166337892180127:12@lid", "166337892180127@lid"],
  ])("reads %s as %s", (raw, expected) => expect(normalizeWaId(raw)).toBe(expected));

  it.each(["12036302@g.us", "status@broadcast", "hello", "+0123456789", "+1", "", "@lid", "12ab@lid"])(
    "refuses %j",
    (raw) => expect(normalizeWaId(raw)).toBeNull(),
  );
});

describe("sanitizeContent", () => {
  it("keeps ordinary text untouched", () => {
    expect(sanitizeContent("text", "olá 👋")).toEqual({ type: "text", body: "olá 👋", flags: [] });
  });

  it("flags an empty text and an unknown type", () => {
    expect(sanitizeContent("text", "  ").flags).toEqual(["empty"]);
    expect(sanitizeContent("hologram", "x")).toEqual({ type: "unknown", body: "x", flags: ["unknown_type"] });
  });

  it("repairs lone surrogates and removes NUL characters", () => {
    const result = sanitizeContent("text", "a\uD800b\u0000c");
    expect(result.body).toBe("a\uFFFDbc");
    expect(result.flags).toEqual(["invalid_utf16", "nul_removed"]);
  });

  it("cuts text past the limit without splitting a surrogate pair", () => {
    const body = "x".repeat(MAX_BODY_CHARS - 1) + "😀" + "y".repeat(100);
    const result = sanitizeContent("text", body);
    expect(result.flags).toEqual(["truncated"]);
    expect(result.body.length).toBeLessThanOrEqual(MAX_BODY_CHARS);
    expect(result.body.isWellFormed()).toBe(true);
  });
});
