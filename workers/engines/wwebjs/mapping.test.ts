import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { sanitizeContent } from "~/server/messaging/inbound-message";
import type { TWwebjsMessage, TWwebjsReaction } from "./client";
import {
  ackStatus,
  chatIdOf,
  isIgnoredChat,
  mapAck,
  mapContent,
  mapInbound,
  mapPhoneMessage,
  mapReaction,
} from "./mapping";
import { FIXTURE, RAW_PAYLOADS, RAW_REACTIONS } from "./payloads.fixture";

const SESSION = "7b0c9a52-3f4e-4c1d-9a8b-2f6e5d4c3b2a";

/** A raw payload as the library's own Message class presents it to our event handlers. */
function libraryMessage(raw: Record<string, unknown>): TWwebjsMessage {
  const { Message } = createRequire(import.meta.url)("whatsapp-web.js") as {
    Message: new (client: unknown, data: unknown) => TWwebjsMessage;
  };
  return new Message({}, raw);
}

const sentAt = new Date(FIXTURE.T * 1000);

/** The content an inbound message carries, as ingest stores it (validated and repaired). */
function stored(raw: Record<string, unknown>) {
  const inbound = mapInbound(libraryMessage(raw), SESSION);
  return inbound ? sanitizeContent(inbound.type, inbound.body, inbound) : null;
}

describe("mapInbound (whatsapp-web.js message → inbound message)", () => {
  it("maps a text with its sender, push name, id and time", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.text), SESSION)).toEqual({
      sessionId: SESSION,
      waMessageId: "false_14155550123@c.us_3EB0C4A1F2D3E4F5A6B7",
      from: FIXTURE.CONTACT,
      pushName: "Ana Lima",
      content: { kind: "text", text: "Hello, is the shop open today?" },
      sentAt,
    });
  });

  it("maps every kind of message to its content, valid as it is", () => {
    const contents = Object.fromEntries(
      (
        [
          "text",
          "image",
          "video",
          "audio",
          "voice",
          "document",
          "sticker",
          "location",
          "contactCard",
          "contactCards",
          "buttonReply",
          "templateButtonReply",
          "listReply",
          "poll",
          "revoked",
          "replyToUs",
        ] as const
      ).map((name) => [name, stored(RAW_PAYLOADS[name])]),
    );
    for (const [name, result] of Object.entries(contents)) {
      expect(result?.flags, name).toEqual(name === "poll" || name === "revoked" ? ["unknown_type"] : []);
    }
    expect(contents.image?.content).toEqual({
      kind: "image",
      caption: "the broken part",
      media: { state: "pending", mimeType: "image/jpeg", size: 48_213, width: 1280, height: 960 },
    });
    expect(contents.video?.content).toEqual({
      kind: "video",
      caption: "how it sounds",
      media: {
        state: "pending",
        mimeType: "video/mp4",
        size: 1_048_576,
        durationS: 12,
        width: 720,
        height: 1280,
        sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
      },
    });
    expect(contents.audio?.content).toEqual({
      kind: "audio",
      media: { state: "pending", mimeType: "audio/mpeg", size: 2_900_000, durationS: 184 },
    });
    expect(contents.voice?.content).toEqual({
      kind: "voice",
      media: { state: "pending", mimeType: "audio/ogg; codecs=opus", size: 9_876, durationS: 7 },
    });
    expect(contents.document).toMatchObject({
      body: "[Document: invoice-2041.pdf]",
      content: {
        kind: "document",
        media: { state: "pending", mimeType: "application/pdf", fileName: "invoice-2041.pdf" },
      },
    });
    expect(contents.sticker?.content).toEqual({
      kind: "sticker",
      media: { state: "pending", mimeType: "image/webp", size: 20_480 },
    });
    expect(contents.location).toMatchObject({
      type: "location",
      body: "[Location: Praça do Comércio, Lisbon, Portugal (38.7223, -9.1393)]",
      content: { kind: "location", lat: 38.7223, lng: -9.1393, name: "Praça do Comércio", address: "Lisbon, Portugal" },
    });
    expect(contents.contactCard?.content).toMatchObject({
      kind: "contacts",
      contacts: [{ name: "Jo Silva", phones: ["+14155550177"] }],
    });
    expect(contents.contactCards).toMatchObject({
      type: "contact",
      body: "[Contact: Jo; Bo]",
      content: { kind: "contacts", contacts: [{ name: "Jo" }, { name: "Bo" }] },
    });
    expect(contents.buttonReply?.content).toEqual({ kind: "button_reply", id: "yes", title: "Yes please" });
    expect(contents.templateButtonReply?.content).toEqual({
      kind: "button_reply",
      id: "track",
      title: "Track my order",
    });
    expect(contents.listReply?.content).toEqual({
      kind: "list_reply",
      id: "row-tue",
      title: "Tuesday",
      description: "10:00 to 12:00",
    });
    expect(contents.poll).toMatchObject({
      body: "Lunch on Friday?",
      content: { kind: "unknown", engineType: "poll_creation", text: "Lunch on Friday?" },
    });
    expect(contents.revoked).toMatchObject({
      body: "[Unsupported message: revoked]",
      content: { kind: "unknown", engineType: "revoked" },
    });
  });

  it("marks a file the client can download as pending (the media job fetches it), and only such a file", () => {
    for (const name of ["image", "video", "audio", "voice", "document", "sticker"] as const) {
      const message = libraryMessage(RAW_PAYLOADS[name]);
      expect(message.hasMedia, name).toBe(true);
      expect(stored(RAW_PAYLOADS[name])?.content, name).toMatchObject({ media: { state: "pending" } });
    }
    // No `directPath` yet: the library cannot download it, so it is not waited for.
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.imagePending), SESSION)?.content).not.toHaveProperty("media.state");
    expect(mapContent(libraryMessage(RAW_PAYLOADS.image), { fetch: false })).not.toHaveProperty("media.state");
  });

  it("never takes a media message's thumbnail for its caption", () => {
    const pending = libraryMessage(RAW_PAYLOADS.imagePending);
    expect(pending.hasMedia).toBe(false);
    expect(mapInbound(pending, SESSION)?.content).toEqual({
      kind: "image",
      caption: "before it downloads",
      media: { mimeType: "image/jpeg" },
    });
    expect(mapContent(libraryMessage(RAW_PAYLOADS.location))).not.toHaveProperty("text");
  });

  it("gives a reply the id of the message it quotes: ours, or the contact's own", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.replyToUs), SESSION)?.content).toEqual({
      kind: "text",
      text: "Yes, that one",
      quoted: { waMessageId: `true_${FIXTURE.CONTACT}_3EB0OURS0000000001` },
    });
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.replyToSelf), SESSION)?.content).toMatchObject({
      kind: "image",
      caption: "this",
      quoted: { waMessageId: "false_14155550123@c.us_3EB0C4A1F2D3E4F5A6B7" },
    });
    expect(mapContent(libraryMessage(RAW_PAYLOADS.text))).not.toHaveProperty("quoted");
  });

  it("keeps a type it has no kind for as unknown, with the library's name for it", () => {
    expect(stored(RAW_PAYLOADS.reaction)).toMatchObject({
      type: "unknown",
      content: { kind: "unknown", engineType: "reaction" },
      flags: ["unknown_type"],
    });
  });

  it("returns null for groups, status updates, channels, our own messages and WhatsApp's notices", () => {
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.group), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.status), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.channel), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.typedOnPhone), SESSION)).toBeNull();
    expect(mapInbound(libraryMessage(RAW_PAYLOADS.e2eNotice), SESSION)).toBeNull();
  });
});

describe("mapReaction (message_reaction → an inbound reaction)", () => {
  const reaction = (raw: Record<string, unknown>) => {
    // The package does not export its Reaction class; it is the one the client emits.
    const Reaction = createRequire(import.meta.url)("whatsapp-web.js/src/structures/Reaction") as new (
      client: unknown,
      data: unknown,
    ) => TWwebjsReaction;
    return mapReaction(new Reaction({}, raw), SESSION);
  };

  it("maps a contact's reaction on a message, and one taken back, to the message they are on", () => {
    expect(reaction(RAW_REACTIONS.onOurMessage)).toEqual({
      sessionId: SESSION,
      waMessageId: `false_${FIXTURE.CONTACT}_3EB0REACT000000001`,
      from: FIXTURE.CONTACT,
      content: { kind: "reaction", emoji: "👍", targetWaMessageId: `true_${FIXTURE.CONTACT}_3EB0OURS0000000001` },
      sentAt,
    });
    expect(reaction(RAW_REACTIONS.takenBack)?.content).toEqual({
      kind: "reaction",
      emoji: "",
      targetWaMessageId: `true_${FIXTURE.CONTACT}_3EB0OURS0000000001`,
    });
  });

  it("ignores our own reactions and those in groups", () => {
    expect(reaction(RAW_REACTIONS.ours)).toBeNull();
    expect(reaction(RAW_REACTIONS.inGroup)).toBeNull();
  });
});

describe("the other side channels' shapes", () => {
  it("gives a photo sent from the phone its caption as body and its content, never the thumbnail", () => {
    const photo = libraryMessage({
      ...RAW_PAYLOADS.image,
      id: RAW_PAYLOADS.typedOnPhone.id,
      from: FIXTURE.OUR_NUMBER,
      to: FIXTURE.CONTACT,
    });
    expect(mapPhoneMessage(photo)).toMatchObject({
      to: "+14155550123",
      body: "the broken part",
      content: { kind: "image", caption: "the broken part" },
    });
    // Nothing fetches a file sent from the phone: it is never left waiting for its bytes.
    expect(mapPhoneMessage(photo).content).toMatchObject({ media: { mimeType: "image/jpeg" } });
    expect((mapPhoneMessage(photo).content as { media: object }).media).not.toHaveProperty("state");
  });

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
