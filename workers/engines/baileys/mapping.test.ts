import { createRequire } from "node:module";
import type { proto as TProto, WAMessage } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { sanitizeContent } from "~/server/messaging/inbound-message";
import { chosenOption } from "~/server/rules/facts";
import {
  ackOfStatus,
  isIgnoredJid,
  jidOf,
  MAX_ENGINE_REF_CHARS,
  mapInbound,
  mapPhoneMessage,
  mapPresence,
  mapReceipts,
  mediaRefOf,
  numberOf,
  parseMediaRef,
  unwrapMessage,
} from "./mapping";
import { BAILEYS_PAYLOADS, FIXTURE } from "./payloads.fixture";

const SESSION = "7b0c9a52-3f4e-4c1d-9a8b-2f6e5d4c3b2a";
const { proto } = createRequire(import.meta.url)("@whiskeysockets/baileys") as { proto: typeof TProto };

/** A payload as Baileys hands it over: built, encoded and decoded by the library's own protobuf code (Buffers, Longs). */
function wire(raw: object): WAMessage {
  const message = proto.WebMessageInfo.fromObject(raw);
  return proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(message).finish());
}

type TName = keyof typeof BAILEYS_PAYLOADS;
const inbound = (name: TName, known?: Parameters<typeof mapInbound>[2]) =>
  mapInbound(wire(BAILEYS_PAYLOADS[name]), SESSION, known);
const contentOf = (name: TName) => inbound(name)?.content as Record<string, unknown> | undefined;
const sentAt = new Date(FIXTURE.T * 1000);

/** The reference a media content holds, read back. */
const refOf = (name: TName) => parseMediaRef((contentOf(name)?.media as { engineRef?: string } | undefined)?.engineRef);

describe("mapInbound (Baileys message → inbound message)", () => {
  it("maps a text with its sender, push name, id and time (a Long off the wire)", () => {
    const message = wire(BAILEYS_PAYLOADS.conversation);
    expect(typeof message.messageTimestamp).toBe("object");
    expect(mapInbound(message, SESSION)).toEqual({
      sessionId: SESSION,
      waMessageId: "3EB0C4A1F2D3E4F5A6B7",
      from: FIXTURE.CONTACT,
      pushName: "Ana Lima",
      content: { kind: "text", text: "Hello, is the shop open today?" },
      sentAt,
    });
  });

  it("maps every kind to its content, which ingest stores as it is (no repair, no unknown)", () => {
    const expected: Partial<Record<TName, unknown>> = {
      extendedText: { kind: "text", text: "See https://example.com/order/42" },
      quotedReply: { kind: "text", text: "And on Sunday?", quoted: { waMessageId: "3EB0OURS00000000042" } },
      location: {
        kind: "location",
        lat: 38.7223,
        lng: -9.1393,
        name: "Switchboard Bakery",
        address: "Rua Augusta 100, Lisboa",
      },
      liveLocation: { kind: "location", lat: -23.5505, lng: -46.6333, name: "on my way" },
      reaction: { kind: "reaction", emoji: "👍", targetWaMessageId: "3EB0OURS00000000042" },
      reactionRemoved: { kind: "reaction", emoji: "", targetWaMessageId: "3EB0OURS00000000042" },
      buttonsResponse: {
        kind: "button_reply",
        id: "yes",
        title: "Yes, please",
        quoted: { waMessageId: "3EB0OURS00000000043" },
      },
      templateButtonReply: { kind: "button_reply", id: "track-order", title: "Track my order" },
      listResponse: { kind: "list_reply", id: "row-2", title: "Returns", description: "Send something back" },
      interactiveResponse: { kind: "button_reply", id: "hours", title: "Opening hours" },
      interactiveList: { kind: "list_reply", id: "row-2", title: "Returns" },
      poll: { kind: "unknown", engineType: "pollCreationMessageV3", text: "Which day suits you?" },
      withSenderKey: { kind: "text", text: "hi again" },
    };
    for (const [name, content] of Object.entries(expected)) {
      expect(contentOf(name as TName), name).toEqual(content);
    }
    const kinds: Partial<Record<TName, string>> = {
      conversation: "text",
      image: "image",
      video: "video",
      audio: "audio",
      voice: "voice",
      document: "document",
      documentWithCaption: "document",
      sticker: "sticker",
      viewOnceInEphemeral: "image",
      contact: "contacts",
      contacts: "contacts",
      ...Object.fromEntries(Object.entries(expected).map(([name, value]) => [name, (value as { kind: string }).kind])),
    };
    for (const [name, kind] of Object.entries(kinds)) {
      const message = inbound(name as TName)!;
      const stored = sanitizeContent(undefined, undefined, message);
      expect(stored.content.kind, name).toBe(kind);
      // `unknown_type` is the poll's own flag (it is kept as unknown on purpose); nothing was repaired.
      expect(
        stored.flags.filter((flag) => flag !== "unknown_type"),
        name,
      ).toEqual([]);
    }
  });

  it("maps media with what the content model holds, pending with a reference to fetch it", () => {
    expect(contentOf("image")).toMatchObject({
      kind: "image",
      caption: "the broken part",
      media: {
        state: "pending",
        mimeType: "image/jpeg",
        size: 48_213,
        sha256: FIXTURE.SHA_A,
        width: 1280,
        height: 960,
      },
    });
    expect(contentOf("voice")).toMatchObject({
      kind: "voice",
      media: { state: "pending", mimeType: "audio/ogg; codecs=opus", size: 9_876, durationS: 7 },
    });
    expect(contentOf("audio")).toMatchObject({ kind: "audio", media: { mimeType: "audio/mpeg", durationS: 15 } });
    expect(contentOf("video")).toMatchObject({ kind: "video", caption: "how it sounds", media: { durationS: 12 } });
    expect(contentOf("document")).toMatchObject({
      kind: "document",
      media: { fileName: "invoice-2041.pdf", mimeType: "application/pdf", size: 120_044 },
    });
    expect(contentOf("sticker")).toMatchObject({ kind: "sticker", media: { mimeType: "image/webp" } });
    // The reference: the library's media type (a voice note's keys are audio keys), the key, the path.
    expect(refOf("voice")).toEqual({
      v: 1,
      t: "audio",
      k: FIXTURE.KEY_32,
      p: expect.stringMatching(/^\/v\/t62\.7118-24\/.+_voice_n\.enc\?ccb=11-4/) as string,
      h: FIXTURE.SHA_A,
    });
    expect(refOf("sticker")?.t).toBe("sticker");
    expect(refOf("document")?.t).toBe("document");
  });

  it("unwraps disappearing, view-once and captioned-document messages (Baileys' normalizeMessageContent)", () => {
    expect(contentOf("ephemeralText")).toEqual({ kind: "text", text: "this disappears" });
    expect(contentOf("viewOnceInEphemeral")).toMatchObject({
      kind: "image",
      media: { state: "pending", size: 30_000 },
    });
    expect(contentOf("documentWithCaption")).toMatchObject({
      kind: "document",
      caption: "here is the receipt",
      media: { fileName: "receipt.pdf" },
    });
    // The same answer as the library's own function, for every payload.
    const library = createRequire(import.meta.url)("@whiskeysockets/baileys") as {
      normalizeMessageContent: (content: TProto.IMessage | null | undefined) => TProto.IMessage | undefined;
    };
    for (const [name, raw] of Object.entries(BAILEYS_PAYLOADS)) {
      const message = wire(raw).message;
      expect(unwrapMessage(message), name).toBe(library.normalizeMessageContent(message));
    }
  });

  it("reads contact cards: name and WhatsApp numbers from the vCard", () => {
    expect(contentOf("contact")).toMatchObject({
      kind: "contacts",
      contacts: [{ name: "Bruno Costa", phones: ["+5511912345678"] }],
    });
    expect(contentOf("contacts")).toMatchObject({
      kind: "contacts",
      contacts: [
        { name: "Carla Dias", phones: ["+351912345678"] },
        { name: "Office", phones: ["+1 415 555 0100"] },
      ],
    });
    const noVcard = wire({
      key: { remoteJid: FIXTURE.CONTACT, id: "3EB0CARD", fromMe: false },
      message: { contactMessage: { displayName: "Only a name" } },
    });
    expect(mapInbound(noVcard, SESSION)?.content).toEqual({
      kind: "contacts",
      contacts: [{ name: "Only a name", phones: [] }],
    });
  });

  it("gives rules the chosen option of a button or list answer (message.replyId)", () => {
    for (const [name, id] of [
      ["buttonsResponse", "yes"],
      ["templateButtonReply", "track-order"],
      ["listResponse", "row-2"],
      ["interactiveResponse", "hours"],
      ["interactiveList", "row-2"],
    ] as const) {
      const { content, body } = sanitizeContent(undefined, undefined, inbound(name)!);
      expect(chosenOption({ content, body, offeredChoice: null })?.id, name).toBe(id);
    }
  });

  it("ignores what is not a contact writing: ours, groups, status, channels, protocol messages, keys, stubs", () => {
    for (const name of [
      "ours",
      "group",
      "status",
      "newsletter",
      "revoke",
      "ephemeralSetting",
      "historyNotice",
      "senderKeyOnly",
      "ciphertextStub",
    ] as const) {
      expect(inbound(name), name).toBeNull();
    }
  });

  it("keeps a message of a type it does not know, as unknown with the library's name for it", () => {
    const message = wire({
      key: { remoteJid: FIXTURE.CONTACT, id: "3EB0ORDER", fromMe: false },
      message: { orderMessage: { orderId: "1234", itemCount: 2, message: "my order", orderTitle: "Bakery" } },
    });
    expect(mapInbound(message, SESSION)?.content).toEqual({ kind: "unknown", engineType: "orderMessage" });
    const { flags } = sanitizeContent(undefined, undefined, mapInbound(message, SESSION)!);
    expect(flags).toContain("unknown_type");
  });

  it("attaches the sender's other identity: a LID's phone (from the caller or the key), a phone's LID", () => {
    expect(inbound("fromLid")).toMatchObject({ from: FIXTURE.CONTACT_LID });
    expect(inbound("fromLid")?.identity).toBeUndefined();
    expect(inbound("fromLid", { phone: "5511987654321@s.whatsapp.net" })?.identity).toEqual({
      phone: "+5511987654321",
    });
    expect(inbound("conversation", { lid: "204805337829451:12@lid" })?.identity).toEqual({
      lid: "204805337829451@lid",
    });
    // Later library versions put it on the key.
    const keyed = wire(BAILEYS_PAYLOADS.fromLid);
    (keyed.key as Record<string, unknown>).senderPn = "5511987654321@s.whatsapp.net";
    expect(mapInbound(keyed, SESSION)?.identity).toEqual({ phone: "+5511987654321" });
    // What is not an identity of the right kind is left out, never the message.
    expect(inbound("fromLid", { phone: "not a number" })).toMatchObject({ waMessageId: "3EB0LID00000000001" });
    expect(inbound("fromLid", { phone: "not a number" })?.identity).toBeUndefined();
  });

  it("keeps the time of a message that comes late (WhatsApp's sync after downtime) for ingest to judge", () => {
    const old = wire({ ...BAILEYS_PAYLOADS.conversation, messageTimestamp: FIXTURE.T - 3_600 });
    expect(mapInbound(old, SESSION)?.sentAt).toEqual(new Date((FIXTURE.T - 3_600) * 1000));
    const none = wire({ ...BAILEYS_PAYLOADS.conversation, messageTimestamp: 0 });
    expect(mapInbound(none, SESSION)?.sentAt).toBeUndefined();
  });
});

describe("media references", () => {
  const media = {
    mediaKey: Buffer.from(FIXTURE.KEY_32, "base64"),
    directPath: "/v/t62.7118-24/1_2_n.enc?ccb=11-4&oh=x&oe=y&_nc_sid=5e03e0",
    fileSha256: Buffer.from(FIXTURE.SHA_A, "base64"),
  };

  it("leaves out a URL the direct path gives, keeps one it does not", () => {
    const derived = mediaRefOf("image", { ...media, url: `https://mmg.whatsapp.net${media.directPath}&mms3=true` });
    expect(parseMediaRef(derived)).toEqual({
      v: 1,
      t: "image",
      k: FIXTURE.KEY_32,
      p: media.directPath,
      h: FIXTURE.SHA_A,
    });
    const other = mediaRefOf("image", { ...media, url: `https://mmg-fna.whatsapp.net/o1/v/t62/abc?mms3=true` });
    expect(parseMediaRef(other)?.u).toBe("https://mmg-fna.whatsapp.net/o1/v/t62/abc?mms3=true");
    const broken = mediaRefOf("image", { ...media, url: "https://web.whatsapp.net" });
    expect(parseMediaRef(broken)?.u).toBeUndefined();
  });

  it("stays within the bound: the URL goes first, then the hash; with nothing to fetch, no reference", () => {
    const longUrl = `https://mmg-fna.whatsapp.net/${"x".repeat(400)}`;
    const ref = mediaRefOf("image", { ...media, url: longUrl })!;
    expect(ref.length).toBeLessThanOrEqual(MAX_ENGINE_REF_CHARS);
    expect(parseMediaRef(ref)).toEqual({ v: 1, t: "image", k: FIXTURE.KEY_32, p: media.directPath, h: FIXTURE.SHA_A });
    const longPath = mediaRefOf("image", { ...media, directPath: `/v/${"y".repeat(390)}` })!;
    expect(longPath.length).toBeLessThanOrEqual(MAX_ENGINE_REF_CHARS);
    expect(parseMediaRef(longPath)?.h).toBeUndefined();
    expect(mediaRefOf("image", { ...media, directPath: `/v/${"y".repeat(600)}` })).toBeUndefined();
    expect(mediaRefOf("image", { directPath: media.directPath })).toBeUndefined();
    expect(mediaRefOf("image", { mediaKey: media.mediaKey })).toBeUndefined();
    // Without a reference the file is described, not pending (nothing could fetch it).
    const keyless = wire({
      key: { remoteJid: FIXTURE.CONTACT, id: "3EB0NOKEY", fromMe: false },
      message: { imageMessage: { mimetype: "image/jpeg", fileLength: 10 } },
    });
    expect(mapInbound(keyless, SESSION)?.content).toEqual({
      kind: "image",
      media: { mimeType: "image/jpeg", size: 10 },
    });
  });

  it("refuses a reference that is not one of ours", () => {
    for (const text of [
      undefined,
      "",
      "{",
      "null",
      "123",
      '{"v":2,"t":"image","k":"a","p":"/x"}',
      '{"v":1,"t":"ppic","k":"a","p":"/x"}',
      '{"v":1,"t":"image","k":"a"}',
    ]) {
      expect(parseMediaRef(text), String(text)).toBeNull();
    }
  });

  it("reads Baileys' numbers: numbers, Longs, Longs through JSON, numeric strings", () => {
    expect(numberOf(5)).toBe(5);
    expect(numberOf("42")).toBe(42);
    expect(numberOf({ low: 1_765_000_000, high: 0, unsigned: true })).toBe(1_765_000_000);
    expect(numberOf({ low: 0, high: 1, unsigned: true })).toBe(2 ** 32);
    expect(numberOf(wire(BAILEYS_PAYLOADS.conversation).messageTimestamp)).toBe(FIXTURE.T);
    expect(numberOf("x")).toBeUndefined();
    expect(numberOf(null)).toBeUndefined();
    expect(numberOf({})).toBeUndefined();
  });
});

describe("mapPhoneMessage (typed on the linked phone)", () => {
  it("maps a text to the chat's address", () => {
    expect(mapPhoneMessage(wire(BAILEYS_PAYLOADS.phoneText))).toEqual({
      to: "+5511987654321",
      waMessageId: "3EB0PHONE000000001",
      body: "I'll handle this one",
      at: sentAt,
    });
    expect(mapPhoneMessage(wire(BAILEYS_PAYLOADS.phoneToLid))?.to).toBe(FIXTURE.CONTACT_LID);
  });

  it("describes a file sent from the phone without asking for it", () => {
    const message = mapPhoneMessage(wire(BAILEYS_PAYLOADS.phoneImage))!;
    expect(message.body).toBe("the new catalogue");
    expect(message.content).toEqual({
      kind: "image",
      caption: "the new catalogue",
      media: { mimeType: "image/jpeg", size: 70_000, sha256: FIXTURE.SHA_A },
    });
  });

  it("is null for a contact's message, groups and protocol messages", () => {
    expect(mapPhoneMessage(wire(BAILEYS_PAYLOADS.conversation))).toBeNull();
    expect(
      mapPhoneMessage(wire({ ...BAILEYS_PAYLOADS.group, key: { ...BAILEYS_PAYLOADS.group.key, fromMe: true } })),
    ).toBeNull();
    expect(
      mapPhoneMessage(wire({ ...BAILEYS_PAYLOADS.revoke, key: { ...BAILEYS_PAYLOADS.revoke.key, fromMe: true } })),
    ).toBeNull();
  });
});

describe("receipts and presence", () => {
  const key = (id: string, fromMe = true, remoteJid = FIXTURE.CONTACT) => ({ remoteJid, fromMe, id });

  it("maps messages.update statuses of our messages to ticks", () => {
    const { Status } = proto.WebMessageInfo;
    expect(
      mapReceipts([
        { key: key("A"), update: { status: Status.SERVER_ACK } },
        { key: key("B"), update: { status: Status.DELIVERY_ACK } },
        { key: key("C"), update: { status: Status.READ } },
        { key: key("D"), update: { status: Status.PLAYED } },
        { key: key("E"), update: { status: Status.ERROR } },
        { key: key("F", false), update: { status: Status.READ } },
        { key: key("G", true, "120363025246125486@g.us"), update: { status: Status.READ } },
        { key: key("H"), update: { message: null } },
      ]),
    ).toEqual([
      { waMessageId: "B", status: "delivered" },
      { waMessageId: "C", status: "read" },
      { waMessageId: "D", status: "read" },
      { waMessageId: "E", status: "failed" },
    ]);
    expect(ackOfStatus(1)).toBeNull();
  });

  it("maps presence.update to each contact's presence, groups left out", () => {
    expect(
      mapPresence({
        id: FIXTURE.CONTACT,
        presences: {
          [FIXTURE.CONTACT]: { lastKnownPresence: "composing" },
        },
      }),
    ).toEqual([{ from: FIXTURE.CONTACT, state: "typing" }]);
    expect(
      mapPresence({
        id: FIXTURE.CONTACT_LID,
        presences: { [FIXTURE.CONTACT_LID]: { lastKnownPresence: "unavailable", lastSeen: FIXTURE.T } },
      }),
    ).toEqual([{ from: FIXTURE.CONTACT_LID, state: "offline", lastSeen: sentAt }]);
    for (const [presence, state] of [
      ["recording", "recording"],
      ["available", "online"],
      ["paused", "paused"],
    ] as const) {
      expect(
        mapPresence({ id: FIXTURE.CONTACT, presences: { [FIXTURE.CONTACT]: { lastKnownPresence: presence } } })[0]
          ?.state,
      ).toBe(state);
    }
    expect(
      mapPresence({ id: FIXTURE.CONTACT, presences: { [FIXTURE.CONTACT]: { lastKnownPresence: "dancing" } } }),
    ).toEqual([]);
    expect(
      mapPresence({
        id: "120363025246125486@g.us",
        presences: { [FIXTURE.CONTACT]: { lastKnownPresence: "composing" } },
      }),
    ).toEqual([]);
  });

  it("tells chats apart and addresses recipients as Baileys takes them", () => {
    expect(isIgnoredJid("status@broadcast")).toBe(true);
    expect(isIgnoredJid("120363025246125486@g.us")).toBe(true);
    expect(isIgnoredJid(FIXTURE.CONTACT)).toBe(false);
    expect(jidOf("+5511987654321")).toBe(FIXTURE.CONTACT);
    expect(jidOf("5511987654321@c.us")).toBe(FIXTURE.CONTACT);
    expect(jidOf(FIXTURE.CONTACT_LID)).toBe(FIXTURE.CONTACT_LID);
  });
});
