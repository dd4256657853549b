import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import type * as TBaileys from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { contactCardOfVcard, numberedMenu, textOf, type TMessageContent } from "~/server/messages/content";
import { MediaMissingError, PermanentSendError, type TOutboundSend } from "~/server/messaging/outbound";
import { ENGINE_MEDIA_KINDS } from "~/server/sessions/engine-capabilities";
import { jpegBytes, oggOpusBytes, pdfBytes, webpBytes } from "~/tests/support/media-fixtures";
import { BAILEYS_SENDS, baileysOutgoing, vcardOf, VOICE_MIMETYPE } from "./outgoing";

const baileys = createRequire(import.meta.url)("@whiskeysockets/baileys") as typeof TBaileys;
const TO = "+5511987654321";
const JID = "5511987654321@s.whatsapp.net";
const ME = "14155550100@s.whatsapp.net";

/** A send of `content`, with its file (when given) opened from memory as the store would, counting the opens. */
function sendOf(content: TMessageContent, file?: { bytes: Buffer; mimeType: string; fileName?: string }) {
  const opens = { count: 0 };
  const send: TOutboundSend = {
    to: TO,
    body: textOf(content),
    clientRef: "0b8f7c4e-3a51-4d1e-9d6c-5b2a8e7f6c10",
    content,
    ...(file
      ? {
          media: {
            sha256: createHash("sha256").update(file.bytes).digest("hex"),
            mimeType: file.mimeType,
            ...(file.fileName ? { fileName: file.fileName } : {}),
            size: file.bytes.length,
            open: () => {
              opens.count += 1;
              return Promise.resolve(Readable.from([file.bytes]));
            },
          },
        }
      : {}),
  };
  return { send, opens };
}

/**
 * What Baileys makes of our content, by its own `generateWAMessageContent` (what `sendMessage`
 * calls): the upload reads the encrypted stream as WhatsApp's media server would; link previews
 * are recorded, never fetched.
 */
async function generated(content: TBaileys.AnyMessageContent) {
  const uploads: { mediaType: string; bytes: number }[] = [];
  const previews: string[] = [];
  const message = await baileys.generateWAMessageContent(content, {
    upload: async (stream, { mediaType }) => {
      let bytes = 0;
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      uploads.push({ mediaType, bytes });
      return { mediaUrl: "https://mmg.whatsapp.net/v/t62.7118-24/1_2_n.enc", directPath: "/v/t62.7118-24/1_2_n.enc" };
    },
    getUrlInfo: (text) => {
      previews.push(text);
      return Promise.resolve(undefined);
    },
  });
  return { message, uploads, previews };
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64");

describe("baileysOutgoing (our content → Baileys' content)", () => {
  it("sends a text that never fetches a link preview", async () => {
    const { send } = sendOf({ kind: "text", text: "Track it at https://example.com/order/42" });
    const outgoing = await baileysOutgoing(send);
    expect(outgoing).toEqual({
      content: { text: "Track it at https://example.com/order/42", linkPreview: null },
      options: {},
    });
    const { message, previews } = await generated(outgoing.content);
    expect(message.extendedTextMessage?.text).toBe("Track it at https://example.com/order/42");
    expect(previews).toEqual([]);
  });

  it("sends a voice note as an OGG/Opus audio with ptt, read from the store only as it sends", async () => {
    const bytes = oggOpusBytes(2);
    const { send, opens } = sendOf(
      { kind: "voice", media: { mimeType: "audio/ogg", state: "stored", storageKey: "k", durationS: 2 } },
      { bytes, mimeType: "audio/ogg" },
    );
    expect(opens.count).toBe(0);
    const outgoing = await baileysOutgoing(send);
    expect(opens.count).toBe(1);
    expect(outgoing.content).toMatchObject({ ptt: true, mimetype: VOICE_MIMETYPE, seconds: 2 });
    const { message, uploads } = await generated(outgoing.content);
    expect(message.audioMessage).toMatchObject({ ptt: true, mimetype: "audio/ogg; codecs=opus", seconds: 2 });
    expect(Buffer.from(message.audioMessage!.fileSha256!).toString("base64")).toBe(sha256(bytes));
    expect(uploads).toEqual([{ mediaType: "audio", bytes: expect.any(Number) as number }]);
    // AES-CBC pads to the next 16 bytes, then the 10-byte MAC.
    expect(uploads[0]!.bytes).toBe(Math.floor(bytes.length / 16) * 16 + 16 + 10);
  });

  it("sends an audio file as audio (not a voice note)", async () => {
    const bytes = oggOpusBytes(1);
    const { send } = sendOf(
      { kind: "audio", media: { mimeType: "audio/ogg", state: "stored", storageKey: "k" } },
      { bytes, mimeType: "audio/ogg" },
    );
    const outgoing = await baileysOutgoing(send);
    expect(outgoing.content).not.toHaveProperty("ptt");
    expect(outgoing.content).toMatchObject({ mimetype: "audio/ogg" });
  });

  it("sends a photo with its caption, and a document with its name", async () => {
    const jpeg = await jpegBytes(64, 48);
    const image = await baileysOutgoing(
      sendOf(
        { kind: "image", caption: "the new menu", media: { mimeType: "image/jpeg", state: "stored", storageKey: "k" } },
        { bytes: jpeg, mimeType: "image/jpeg" },
      ).send,
    );
    const { message } = await generated(image.content);
    expect(message.imageMessage).toMatchObject({ caption: "the new menu", mimetype: "image/jpeg" });
    expect(Buffer.from(message.imageMessage!.fileSha256!).toString("base64")).toBe(sha256(jpeg));

    const pdf = pdfBytes();
    const document = await baileysOutgoing(
      sendOf(
        {
          kind: "document",
          caption: "your receipt",
          media: { mimeType: "application/pdf", fileName: "receipt-42.pdf", state: "stored", storageKey: "k" },
        },
        { bytes: pdf, mimeType: "application/pdf", fileName: "receipt-42.pdf" },
      ).send,
    );
    const documentMessage = (await generated(document.content)).message.documentMessage;
    expect(documentMessage).toMatchObject({
      fileName: "receipt-42.pdf",
      mimetype: "application/pdf",
      caption: "your receipt",
    });
  });

  it("sends a sticker and a video with their own fields", async () => {
    const webp = await webpBytes(64, 64);
    const sticker = await baileysOutgoing(
      sendOf(
        { kind: "sticker", media: { mimeType: "image/webp", state: "stored", storageKey: "k" } },
        { bytes: webp, mimeType: "image/webp" },
      ).send,
    );
    expect((await generated(sticker.content)).message.stickerMessage).toMatchObject({ mimetype: "image/webp" });
    const video = await baileysOutgoing(
      sendOf(
        { kind: "video", caption: "how to", media: { mimeType: "video/mp4", state: "stored", storageKey: "k" } },
        { bytes: Buffer.from("not really a video"), mimeType: "video/mp4" },
      ).send,
    );
    expect(video.content).toMatchObject({ caption: "how to", mimetype: "video/mp4" });
    expect(video.content).toHaveProperty("video.stream");
  });

  it("sends a location with its place", async () => {
    const outgoing = await baileysOutgoing(
      sendOf({ kind: "location", lat: 38.7223, lng: -9.1393, name: "Switchboard Bakery", address: "Rua Augusta 100" })
        .send,
    );
    const { message } = await generated(outgoing.content);
    expect(message.locationMessage).toMatchObject({
      degreesLatitude: 38.7223,
      degreesLongitude: -9.1393,
      name: "Switchboard Bakery",
      address: "Rua Augusta 100",
    });
  });

  it("sends contact cards as vCards 3.0 with each number's waid", async () => {
    const one = await baileysOutgoing(
      sendOf({ kind: "contacts", contacts: [{ name: "Bruno; Costa", phones: ["+55 11 91234-5678"] }] }).send,
    );
    const single = (await generated(one.content)).message.contactMessage!;
    expect(single.displayName).toBe("Bruno; Costa");
    expect(single.vcard).toContain("VERSION:3.0");
    expect(single.vcard).toContain("TEL;type=CELL;type=VOICE;waid=5511912345678:+55 11 91234-5678");
    // Read back the way an inbound card is read: the same person.
    expect(contactCardOfVcard(single.vcard!)).toMatchObject({ name: "Bruno; Costa", phones: ["+5511912345678"] });

    const two = await baileysOutgoing(
      sendOf({
        kind: "contacts",
        contacts: [
          { name: "Carla Dias", phones: ["+351912345678"] },
          { name: "Office", phones: ["+1 415 555 0100", "+1 415 555 0101"] },
        ],
      }).send,
    );
    const array = (await generated(two.content)).message.contactsArrayMessage!;
    expect(array.contacts?.map((card) => contactCardOfVcard(card.vcard!).phones)).toEqual([
      ["+351912345678"],
      ["+14155550100", "+14155550101"],
    ]);
    // A card as it came, with no numbers read from it, goes as it came.
    const vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Shop\nEND:VCARD";
    expect(vcardOf({ name: "Shop", phones: [], vcard })).toBe(vcard);
  });

  it("reacts to the contact's message by its WhatsApp id, and takes a reaction back with an empty one", async () => {
    const outgoing = await baileysOutgoing(
      sendOf({ kind: "reaction", emoji: "❤️", targetWaMessageId: "3EB0C4A1F2D3E4F5A6B7" }).send,
    );
    expect(outgoing.content).toEqual({
      react: { text: "❤️", key: { remoteJid: JID, id: "3EB0C4A1F2D3E4F5A6B7", fromMe: false } },
    });
    expect((await generated(outgoing.content)).message.reactionMessage?.key?.id).toBe("3EB0C4A1F2D3E4F5A6B7");
    const removed = await baileysOutgoing(sendOf({ kind: "reaction", emoji: "", targetWaMessageId: "3EB0X" }).send);
    expect(removed.content).toMatchObject({ react: { text: "" } });
  });

  it("quotes the message a reply answers, which Baileys turns into the reply's context", async () => {
    const outgoing = await baileysOutgoing(
      sendOf({ kind: "text", text: "Yes, until 5", quoted: { waMessageId: "3EB0QUOTE0000000001" } }).send,
    );
    expect(outgoing.options.quoted?.key).toEqual({ remoteJid: JID, id: "3EB0QUOTE0000000001", fromMe: false });
    const { message } = await generated(outgoing.content);
    const full = baileys.generateWAMessageFromContent(JID, message, { userJid: ME, quoted: outgoing.options.quoted });
    expect(full.message?.extendedTextMessage?.contextInfo).toMatchObject({
      stanzaId: "3EB0QUOTE0000000001",
      participant: JID,
    });
  });

  it("sends a choice as its numbered menu, since buttons are unreliable on this engine", async () => {
    const choice: TMessageContent = {
      kind: "interactive",
      style: "buttons",
      body: "How can we help?",
      options: [
        { id: "orders", title: "Orders" },
        { id: "hours", title: "Opening hours" },
      ],
    };
    const outgoing = await baileysOutgoing(sendOf(choice).send);
    expect(outgoing.content).toEqual({ text: numberedMenu(choice), linkPreview: null });
    expect(numberedMenu(choice)).toContain("2. Opening hours");
  });

  it("refuses a template for good, and a file missing from the store", async () => {
    await expect(
      baileysOutgoing(sendOf({ kind: "template", name: "order_update", language: "en" }).send),
    ).rejects.toBeInstanceOf(PermanentSendError);
    await expect(
      baileysOutgoing(
        sendOf({ kind: "image", media: { mimeType: "image/jpeg", state: "stored", storageKey: "k" } }).send,
      ),
    ).rejects.toThrow(/no stored file/);
    const { send } = sendOf(
      { kind: "image", media: { mimeType: "image/jpeg", state: "stored", storageKey: "k" } },
      { bytes: Buffer.from("x"), mimeType: "image/jpeg" },
    );
    send.media!.open = () => Promise.reject(new MediaMissingError("k"));
    await expect(baileysOutgoing(send)).rejects.toBeInstanceOf(MediaMissingError);
  });

  it("does not open the file of a send already given up on", async () => {
    const { send, opens } = sendOf(
      { kind: "image", media: { mimeType: "image/jpeg", state: "stored", storageKey: "k" } },
      { bytes: Buffer.from("x"), mimeType: "image/jpeg" },
    );
    await expect(baileysOutgoing(send, AbortSignal.abort())).rejects.toThrow();
    expect(opens.count).toBe(0);
  });

  it("declares every media kind of the content model as sent", () => {
    expect([...BAILEYS_SENDS].sort()).toEqual([...ENGINE_MEDIA_KINDS].sort());
  });
});
