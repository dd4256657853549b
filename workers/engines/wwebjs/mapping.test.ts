import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { TWwebjsMessage } from "./client";
import { ackStatus, chatIdOf, isIgnoredChat, mapAck, mapInbound, mapPhoneMessage } from "./mapping";
import { FIXTURE, RAW_PAYLOADS } from "./payloads.fixture";

const SESSION = "7b0c9a52-3f4e-4c1d-9a8b-2f6e5d4c3b2a";

/** A raw payload as the library's own Message class presents it to our event handlers. */
function libraryMessage(raw: Record<string, unknown>): TWwebjsMessage {
  const { Message } = createRequire(import.meta.url)("whatsapp-web.js") as {
    Message: new (client: unknown, data: unknown) => TWwebjsMessage;
  };
  return new Message({}, raw);
}

const sentAt = new Date(FIXTURE.T * 1000);

describe("mapInbound (whatsapp-web.js message → inbound message)", () => {
  it("maps a text with its sender, push name, id and time", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.text), SESSION)).toEqual({
      sessionId: SESSION,
      waMessageId: "false_14155550123@c.us_3EB0C4A1F2D3E4F5A6B7",
      from: FIXTURE.CONTACT,
      pushName: "Ana Lima",
      type: "text",
      body: "Hello, is the shop open today?",
      sentAt,
    });
  });

  it("maps media to its kind with the caption as body (never the thumbnail) and the file's details", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.image), SESSION)).toMatchObject({
      type: "image",
      body: "the broken part",
      media: { mimeType: "image/jpeg", size: 48_213 },
    });
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.voice), SESSION)).toMatchObject({
      type: "voice",
      body: "",
      media: { mimeType: "audio/ogg; codecs=opus", size: 9_876 },
    });
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.document), SESSION)).toMatchObject({
      type: "document",
      media: { mimeType: "application/pdf", fileName: "invoice-2041.pdf", size: 120_044 },
    });
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.sticker), SESSION)).toMatchObject({
      type: "sticker",
      media: { mimeType: "image/webp" },
    });
  });

  it("writes a location as its name and coordinates, not the map thumbnail WhatsApp puts in its body", () => {
    const location = mapInbound(libraryMessage(RAW_PAYLOADS.location), SESSION);
    expect(location).toMatchObject({
      type: "location",
      body: "Praça do Comércio\nLisbon, Portugal (38.7223, -9.1393)",
    });
    expect(location).not.toHaveProperty("media");
  });

  it("keeps contact cards' vCards as the body, one or several", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.contactCard), SESSION)).toMatchObject({
      type: "contact",
      body: expect.stringContaining("FN:Jo Silva"),
    });
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.contactCards), SESSION)?.body).toBe(
      "BEGIN:VCARD\nVERSION:3.0\nFN:Jo\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Bo\nEND:VCARD",
    );
  });

  it("passes a type it does not know through (ingest stores it as unknown)", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.reaction), SESSION)).toMatchObject({ type: "reaction" });
  });

  it("returns null for groups, status updates, channels and our own messages", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.group), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.status), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.channel), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.typedOnPhone), SESSION)).toBeNull();
  });
});

describe("the other side channels' shapes", () => {
  it("maps a message typed on the phone to its recipient as E.164", () => {
    expect(mapPhoneMessage(libraryMessage(RAW_PAYLOADS.typedOnPhone))).toEqual({
      to: "+14155550123",
      waMessageId: "true_14155550123@c.us_3A1F2E3D4C5B6A798877",
      body: "Hi, it's Ana from the shop",
      at: sentAt,
    });
  });

  it("maps ack levels: error, device, read and played; pending and server are not tracked", () => {
    expect([-1, 0, 1, 2, 3, 4].map(ackStatus)).toEqual(["failed", null, null, "delivered", "read", "read"]);
    const sent = libraryMessage(RAW_PAYLOADS.typedOnPhone);
    expect(mapAck(sent, 2)).toEqual({ waMessageId: sent.id._serialized, status: "delivered" });
    expect(mapAck(sent, 1)).toBeNull();
  });

  it("addresses a number's chat and recognises chats that are not a contact", () => {
    expect(chatIdOf("+14155550123")).toBe("14155550123@c.us");
    expect(isIgnoredChat("14155550123@c.us")).toBe(false);
    expect(isIgnoredChat("120363000000000000@g.us")).toBe(true);
    expect(isIgnoredChat("status@broadcast")).toBe(true);
    expect(isIgnoredChat("14155550123@c.us", true)).toBe(true);
  });
});
