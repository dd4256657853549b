import { describe, expect, it } from "vitest";
import { MAX_BODY_CHARS, mediaMetaOf, normalizeWaId, sanitizeContent } from "./inbound-message";

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
    expect(sanitizeContent("text", "olá 👋")).toEqual({
      type: "text",
      body: "olá 👋",
      content: { kind: "text", text: "olá 👋" },
      flags: [],
    });
  });

  it("flags an empty text and an unknown type", () => {
    expect(sanitizeContent("text", "  ").flags).toEqual(["empty"]);
    expect(sanitizeContent("hologram", "x")).toEqual({
      type: "unknown",
      body: "x",
      content: { kind: "unknown", engineType: "hologram", text: "x" },
      flags: ["unknown_type"],
    });
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

  it("repairs every field of a content an engine gives, and stores its text stand-in as the body", () => {
    const result = sanitizeContent(undefined, undefined, {
      content: { kind: "location", lat: 1.5, lng: 2, name: "Caf\u0000é \uD800", quoted: { waMessageId: "abc" } },
    });
    expect(result).toEqual({
      type: "location",
      body: "[Location: Café \uFFFD (1.5, 2)]",
      content: { kind: "location", lat: 1.5, lng: 2, name: "Café \uFFFD", quoted: { waMessageId: "abc" } },
      flags: ["invalid_utf16", "nul_removed"],
    });
    expect(sanitizeContent(undefined, undefined, { content: { kind: "contacts", contacts: [] } })).toMatchObject({
      type: "unknown",
      body: "[Unsupported message: contacts]",
      flags: ["invalid_content"],
    });
  });

  it("reads a message without content from its type, body and media", () => {
    const result = sanitizeContent("image", "menu", { media: { mimeType: "image/png" } });
    expect(result).toMatchObject({ type: "image", body: "menu" });
    expect(result.content).toEqual({ kind: "image", caption: "menu", media: { mimeType: "image/png" } });
    expect(mediaMetaOf(result.content)).toEqual({ mimeType: "image/png" });
    expect(mediaMetaOf({ kind: "text", text: "x" })).toBeNull();
    expect(sanitizeContent("contact", "BEGIN:VCARD\nFN:Bo\nEND:VCARD")).toMatchObject({
      type: "contact",
      body: "[Contact: Bo]",
    });
  });
});
