import { describe, expect, it } from "vitest";
import {
  matchChoice,
  CONTENT_KINDS,
  contactCardOfVcard,
  contentOfRow,
  legacyContent,
  MAX_TEXT_CHARS,
  repairContent,
  textOf,
  ZMessageContent,
} from "./content";
import { EXAMPLES, simulatedContent } from "./examples";

describe("the content model", () => {
  it.each(CONTENT_KINDS)("accepts a %s", (kind) => {
    expect(ZMessageContent.parse(EXAMPLES[kind])).toEqual(EXAMPLES[kind]);
  });

  it("gives every kind a text stand-in in plain words", () => {
    expect(Object.fromEntries(CONTENT_KINDS.map((kind) => [kind, textOf(EXAMPLES[kind])]))).toEqual({
      text: "Hello",
      image: "Our menu",
      video: "[Video]",
      audio: "[Audio]",
      voice: "[Voice message]",
      document: "[Document: invoice.pdf]",
      sticker: "[Sticker]",
      location: "[Location: Shop, Rua A, 1 (-23.55, -46.63)]",
      contacts: "[Contact: Ana Lima +5511999998888]",
      reaction: "[Reacted 👍]",
      button_reply: "Yes please",
      list_reply: "Tuesday",
      interactive: "What do you need?\n\n1. Orders\n2. Returns\n3. Talk to us",
      template: "Your order 42 is on its way",
      unknown: "Lunch?",
    });
    expect(textOf({ kind: "reaction", emoji: "", targetWaMessageId: "x" })).toBe("[Removed a reaction]");
    expect(textOf({ kind: "image" })).toBe("[Photo]");
    expect(textOf({ kind: "unknown", engineType: "revoked" })).toBe("[Unsupported message: revoked]");
  });

  it("understands the answer to a choice by its number or its title, and nothing else", () => {
    const options = [
      { id: "orders", title: "Orders" },
      { id: "returns", title: "Returns" },
      { id: "talk", title: "Talk to us" },
    ];
    expect(matchChoice(options, "2")?.id).toBe("returns");
    expect(matchChoice(options, " 3) ")?.id).toBe("talk");
    expect(matchChoice(options, "1.")?.id).toBe("orders");
    expect(matchChoice(options, "talk  TO us")?.id).toBe("talk");
    expect(matchChoice(options, "4")).toBeNull();
    expect(matchChoice(options, "0")).toBeNull();
    expect(matchChoice(options, "2 please")).toBeNull();
    expect(matchChoice(options, "returns?")).toBeNull();
  });

  it("holds a choice to WhatsApp's limits: three buttons of 20 characters, ten rows, distinct ids", () => {
    const problem = (value: unknown) => ZMessageContent.safeParse(value).error?.issues[0];
    const option = (id: string, title = id) => ({ id, title });
    const base = { kind: "interactive", body: "Pick one" };
    expect(problem({ ...base, style: "buttons", options: ["a", "b", "c"].map((id) => option(id)) })).toBeUndefined();
    expect(problem({ ...base, style: "buttons", options: ["a", "b", "c", "d"].map((id) => option(id)) })?.message).toBe(
      "At most 3 buttons",
    );
    expect(problem({ ...base, style: "buttons", options: [option("a", "x".repeat(21))] })).toMatchObject({
      path: ["options", 0, "title"],
      message: "At most 20 characters",
    });
    expect(problem({ ...base, style: "list", options: [option("a", "x".repeat(21))] })).toBeUndefined();
    expect(
      problem({ ...base, style: "list", options: Array.from({ length: 11 }, (_, i) => option(`r${i}`)) })?.message,
    ).toBe("At most 10 options");
    expect(problem({ ...base, style: "list", options: [option("a"), option("a", "b")] })?.message).toBe(
      "Two options have this id",
    );
  });

  it("refuses hostile input with a message naming the problem", () => {
    const problem = (value: unknown) => ZMessageContent.safeParse(value).error?.issues[0];
    expect(problem({ kind: "hologram" })?.message).toMatch(/^Pick a kind: text, image/);
    expect(problem({ kind: "location", lat: 91, lng: 0 })).toMatchObject({ path: ["lat"], message: "From -90 to 90" });
    expect(problem({ kind: "text", text: "x".repeat(MAX_TEXT_CHARS + 1) })?.message).toBe("At most 65,536 characters");
    expect(problem({ kind: "text", text: "hi", extra: 1 })?.code).toBe("unrecognized_keys");
    expect(problem({ kind: "image", media: { mimeType: "<script>" } })?.message).toBe(
      "Not a media type (like image/jpeg)",
    );
    expect(problem({ kind: "contacts", contacts: [] })?.message).toBe("Give at least one contact");
    expect(
      problem({ kind: "contacts", contacts: Array.from({ length: 51 }, () => ({ name: "a", phones: [] })) })?.message,
    ).toBe("At most 50 contacts");
    expect(problem({ kind: "reaction", emoji: "👍", targetWaMessageId: " " })?.message).toBe("Give the message's id");
  });
});

describe("repairContent (what WhatsApp delivers is kept)", () => {
  it("keeps valid content as it is, with no flags", () => {
    for (const kind of CONTENT_KINDS) {
      expect(repairContent(EXAMPLES[kind])).toEqual({
        content: EXAMPLES[kind],
        flags: kind === "unknown" ? ["unknown_type"] : [],
      });
    }
  });

  it("cuts text past its bound without splitting a surrogate pair", () => {
    const text = "x".repeat(MAX_TEXT_CHARS - 1) + "😀" + "y";
    const { content, flags } = repairContent({ kind: "text", text });
    expect(flags).toEqual(["truncated"]);
    expect(content.kind === "text" && content.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(content.kind === "text" && content.text.isWellFormed()).toBe(true);
  });

  it("cuts long lists, leaves out broken optional parts, and names an unusable media type", () => {
    const cards = Array.from({ length: 60 }, (_, index) => ({ name: `P${index}`, phones: [] }));
    const repaired = repairContent({ kind: "contacts", contacts: cards });
    expect(repaired.flags).toEqual(["truncated"]);
    expect(repaired.content.kind === "contacts" && repaired.content.contacts).toHaveLength(50);

    expect(
      repairContent({
        kind: "image",
        quoted: { waMessageId: "" },
        media: { mimeType: "bogus", size: -1, fileName: "a.jpg" },
        surprise: true,
      }),
    ).toEqual({
      content: { kind: "image", media: { mimeType: "application/octet-stream", fileName: "a.jpg" } },
      flags: ["content_repaired"],
    });
  });

  it("keeps what cannot be repaired as unknown, with its kind and text", () => {
    expect(repairContent({ kind: "location", lat: Number.NaN, lng: 1, name: "Here" })).toEqual({
      content: { kind: "unknown", engineType: "location", text: "Here" },
      flags: ["invalid_content"],
    });
    expect(repairContent({ kind: "hologram", text: "beam me" })).toEqual({
      content: { kind: "unknown", engineType: "hologram", text: "beam me" },
      flags: ["unknown_type"],
    });
    expect(repairContent(null).content).toEqual({ kind: "unknown", engineType: "invalid" });
  });
});

describe("contents of rows written before the content model", () => {
  it("reads type, body and media metadata as a content", () => {
    expect(legacyContent("text", "hi")).toEqual({ kind: "text", text: "hi" });
    expect(legacyContent("image", "look", { mimeType: "image/png", size: 10 })).toEqual({
      kind: "image",
      caption: "look",
      media: { mimeType: "image/png", size: 10 },
    });
    expect(legacyContent("location", "Shop (1.5, -2)")).toEqual({ kind: "location", lat: 1.5, lng: -2, name: "Shop" });
    expect(legacyContent("hologram", "x")).toEqual({ kind: "unknown", engineType: "hologram", text: "x" });
    expect(contentOfRow({ content: null, type: "text", body: "old" })).toEqual({ kind: "text", text: "old" });
    expect(contentOfRow({ content: EXAMPLES.voice, type: "voice", body: "" })).toEqual(EXAMPLES.voice);
  });

  it("reads a vCard's name and numbers", () => {
    const vcard = [
      "BEGIN:VCARD",
      "VERSION:3.0",
      "N:Lima;Ana;;;",
      "FN:Ana Lima",
      "item1.TEL;waid=5511999998888:+55 11 99999-8888",
      "TEL;TYPE=work:+1 415 555 0100",
      "END:VCARD",
    ].join("\n");
    expect(contactCardOfVcard(vcard)).toEqual({
      name: "Ana Lima",
      phones: ["+5511999998888", "+1 415 555 0100"],
      vcard,
    });
    const [card] = (legacyContent("contact", `${vcard}\n${vcard}`) as { contacts: unknown[] }).contacts;
    expect(card).toMatchObject({ name: "Ana Lima" });
  });
});

describe("the Simulator's kind picker", () => {
  it("puts the typed text in the example of each kind, and every result is valid", () => {
    for (const kind of CONTENT_KINDS) {
      expect(ZMessageContent.safeParse(simulatedContent(kind, "hi there", "w-1")).success, kind).toBe(true);
      expect(ZMessageContent.safeParse(simulatedContent(kind, "", null)).success, kind).toBe(true);
    }
    expect(simulatedContent("image", "Our menu", null)).toEqual({
      kind: "image",
      caption: "Our menu",
      media: EXAMPLES.image.kind === "image" ? EXAMPLES.image.media : undefined,
    });
    expect(simulatedContent("location", "Café", null)).toMatchObject({ kind: "location", name: "Café" });
    expect(simulatedContent("reaction", "", "w-1")).toEqual({
      kind: "reaction",
      emoji: "👍",
      targetWaMessageId: "w-1",
    });
    expect(simulatedContent("list_reply", "Friday", null)).toMatchObject({ id: "row-2", title: "Friday" });
  });
});
