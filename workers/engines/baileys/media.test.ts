import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import type { MediaType, proto as TProto, WAMessage } from "@whiskeysockets/baileys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TMessageContent } from "~/server/messages/content";
import {
  startFakeWhatsappMedia,
  type TFakeMediaFile,
  type TFakeWhatsappMedia,
} from "~/tests/support/fake-whatsapp-media";
import { jpegBytes, oggOpusBytes, pdfBytes } from "~/tests/support/media-fixtures";
import { mapInbound } from "./mapping";
import { downloadBaileysMedia, MediaIntegrityError } from "./media";

const SESSION = "7b0c9a52-3f4e-4c1d-9a8b-2f6e5d4c3b2a";
const CONTACT = "5511987654321@s.whatsapp.net";
const { proto } = createRequire(import.meta.url)("@whiskeysockets/baileys") as { proto: typeof TProto };

let server: TFakeWhatsappMedia;
beforeAll(async () => {
  server = await startFakeWhatsappMedia({ lifetimeMs: 60_000 });
});
afterAll(async () => {
  await server.close();
});

/** The field of a message for each Baileys media type. */
const FIELDS: Partial<Record<MediaType, string>> = {
  image: "imageMessage",
  audio: "audioMessage",
  document: "documentMessage",
};

/**
 * A contact's message carrying a file on the fake media server, as it comes off the wire (the
 * library's protobuf encode and decode), mapped by `mapInbound`: its content is what the media
 * job later hands `downloadBaileysMedia`.
 */
function inboundContent(file: TFakeMediaFile, fields: Record<string, unknown>): TMessageContent {
  const raw = proto.WebMessageInfo.fromObject({
    key: { remoteJid: CONTACT, fromMe: false, id: `3EB0${file.id.slice(0, 12).toUpperCase()}` },
    messageTimestamp: Math.floor(Date.now() / 1000),
    message: {
      [FIELDS[file.mediaType]!]: {
        url: file.url,
        directPath: file.directPath,
        mediaKey: file.mediaKey,
        fileSha256: file.fileSha256,
        fileEncSha256: file.fileEncSha256,
        fileLength: file.fileLength,
        ...fields,
      },
    },
  });
  const message: WAMessage = proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(raw).finish());
  return mapInbound(message, SESSION)!.content as TMessageContent;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const download = (content: TMessageContent, signal = new AbortController().signal) =>
  downloadBaileysMedia({ waMessageId: "3EB0TEST", content }, signal);

describe("downloadBaileysMedia (the library's own download and decryption)", () => {
  it("fetches and decrypts a photo to the very bytes the contact sent", async () => {
    const jpeg = await jpegBytes(320, 240);
    const file = await server.add(jpeg, "image");
    const content = inboundContent(file, { mimetype: "image/jpeg", caption: "the part" });
    expect(content).toMatchObject({ kind: "image", media: { state: "pending" } });
    const result = await download(content);
    expect(result).toMatchObject({ mimeType: "image/jpeg", size: jpeg.length });
    expect((await bytesOf(result!.stream)).equals(jpeg)).toBe(true);
    // As WhatsApp's servers expect it: from WhatsApp Web's origin, by the message's own URL.
    expect(server.requests.at(-1)).toMatchObject({ origin: "https://web.whatsapp.com", status: 200 });
    expect(server.requests.at(-1)?.path).toBe(new URL(file.url).pathname + new URL(file.url).search);
  });

  it("fetches and decrypts a voice note (audio keys), and a document with its name", async () => {
    const ogg = oggOpusBytes(3);
    const voice = await server.add(ogg, "audio");
    const content = inboundContent(voice, { mimetype: "audio/ogg; codecs=opus", ptt: true, seconds: 3 });
    expect(content.kind).toBe("voice");
    const result = await download(content);
    expect((await bytesOf(result!.stream)).equals(ogg)).toBe(true);

    const pdf = pdfBytes("Invoice 2041");
    const document = await server.add(pdf, "document");
    const documentContent = inboundContent(document, { mimetype: "application/pdf", fileName: "invoice-2041.pdf" });
    const fetched = await download(documentContent);
    expect(fetched).toMatchObject({ fileName: "invoice-2041.pdf", mimeType: "application/pdf", size: pdf.length });
    expect((await bytesOf(fetched!.stream)).equals(pdf)).toBe(true);
  });

  it("resolves null when WhatsApp no longer has the file (404 or 410)", async () => {
    for (const status of [404, 410] as const) {
      const file = await server.add(await jpegBytes(32, 32), "image");
      server.gone(file.id, status);
      expect(await download(inboundContent(file, { mimetype: "image/jpeg" }))).toBeNull();
    }
  });

  it("rejects on another failure, so the media job tries again, and the next try succeeds", async () => {
    const jpeg = await jpegBytes(40, 40);
    const file = await server.add(jpeg, "image");
    const content = inboundContent(file, { mimetype: "image/jpeg" });
    server.fail(file.id, { status: 503, times: 1 });
    await expect(download(content)).rejects.toThrow(/503/);
    const again = await download(content);
    expect((await bytesOf(again!.stream)).equals(jpeg)).toBe(true);
  });

  it("fails the stream of a tampered file: a changed byte (the SHA-256 check), a changed last block (padding)", async () => {
    const jpeg = await jpegBytes(200, 150);
    const middle = await server.add(jpeg, "image");
    server.tamper(middle.id);
    const result = await download(inboundContent(middle, { mimetype: "image/jpeg" }));
    await expect(bytesOf(result!.stream)).rejects.toBeInstanceOf(MediaIntegrityError);

    const last = await server.add(jpeg, "image");
    // The ciphertext's last block sits just before the 10-byte MAC.
    const encryptedLength = Math.floor(jpeg.length / 16) * 16 + 16;
    server.tamper(last.id, encryptedLength - 1);
    const padded = await download(inboundContent(last, { mimetype: "image/jpeg" }));
    await expect(bytesOf(padded!.stream)).rejects.toThrow();
  });

  it("honours the abort signal: before the request, and while the file streams", async () => {
    const file = await server.add(await jpegBytes(300, 300), "image");
    const content = inboundContent(file, { mimetype: "image/jpeg" });
    await expect(download(content, AbortSignal.abort())).rejects.toThrow();

    server.stall(file.id);
    const controller = new AbortController();
    const result = await download(content, controller.signal);
    const reading = bytesOf(result!.stream);
    setTimeout(() => controller.abort(new Error("the job was cancelled")), 50);
    await expect(reading).rejects.toThrow(/cancelled|abort/i);
  });

  it("rejects a message with no reference of ours", async () => {
    await expect(download({ kind: "image", media: { mimeType: "image/jpeg", state: "pending" } })).rejects.toThrow(
      /no Baileys media reference/,
    );
    await expect(
      download({ kind: "image", media: { mimeType: "image/jpeg", state: "pending", engineRef: "wamid.HBgM" } }),
    ).rejects.toThrow(/no Baileys media reference/);
  });
});
