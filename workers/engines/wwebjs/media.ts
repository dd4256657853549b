import { Readable } from "node:stream";
import type { TMediaDownload } from "~/server/media/receive";
import type { TWwebjsClient, TWwebjsMessage, TWwebjsMessageMedia } from "./client";

/** How many recent media messages the engine keeps at hand for their download (the rest are read again by id). */
export const RECENT_MEDIA_MESSAGES = 256;

/**
 * Base64 characters decoded at a time: a multiple of 4, so each slice decodes on its own (about
 * 192 KiB of bytes per chunk).
 */
export const BASE64_SLICE_CHARS = 256 * 1024;

/**
 * The library's base64 file as a stream of bytes, decoded a slice at a time (each slice a
 * multiple of 4 characters, so it decodes on its own), never as one whole Buffer beside the
 * string. The string itself is the one whole copy we cannot avoid with this engine:
 * whatsapp-web.js hands a download over only as `MessageMedia.data`, a base64 string it
 * carried out of the browser page.
 */
export function base64Stream(data: string, sliceChars = BASE64_SLICE_CHARS): Readable {
  if (sliceChars <= 0 || sliceChars % 4 !== 0) throw new Error("a base64 slice must be a positive multiple of 4");
  // Whitespace or line breaks would shift the 4-character alignment of the slices.
  const text = /\s/.test(data) ? data.replace(/\s+/g, "") : data;
  let offset = 0;
  return new Readable({
    // Small reads: each push is one slice, pulled as the consumer asks.
    highWaterMark: 1,
    read() {
      if (offset >= text.length) {
        this.push(null);
        return;
      }
      const slice = text.slice(offset, offset + sliceChars);
      offset += sliceChars;
      this.push(Buffer.from(slice, "base64"));
    },
  });
}

/** The byte count of a base64 string, without decoding it. */
export function base64Size(data: string): number {
  const length = data.replace(/\s+/g, "").length;
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

/**
 * Downloads of inbound media through whatsapp-web.js: the engine remembers the last few media
 * messages it saw (`remember`, a bounded map, oldest out first), since the library downloads
 * through its `Message` object; a message not at hand (an old one, or one of a client since
 * restarted) is read again with the current client's `getMessageById`.
 */
export function createWwebjsMediaDownloads(options: { limit?: number } = {}) {
  const limit = options.limit ?? RECENT_MEDIA_MESSAGES;
  // Each message with the client it came from: after a restart, a message of the old (destroyed)
  // client cannot download; the current client reads it again instead.
  const recent = new Map<string, { message: TWwebjsMessage; client: TWwebjsClient }>();

  /** A library call that cannot itself be cancelled, given up on when the job is (its result is then ignored). */
  const abortable = <T>(promise: Promise<T>, signal: AbortSignal): Promise<T> => {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const aborted = new Promise<never>((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true }),
    );
    return Promise.race([promise, aborted]);
  };

  return {
    /** Keeps a media message (and the client that emitted it) at hand for its download. */
    remember(message: TWwebjsMessage, client: TWwebjsClient) {
      if (!message.hasMedia) return;
      const id = message.id._serialized;
      recent.delete(id);
      recent.set(id, { message, client });
      while (recent.size > limit) recent.delete(recent.keys().next().value!);
    },
    size: () => recent.size,
    /**
     * The file of message `waMessageId`, or null when WhatsApp no longer has it (the library
     * resolves undefined: expired, re-uploading, gone). Rejects when the client is not there or
     * the download failed (the media job tries again).
     */
    async download(
      client: TWwebjsClient | null,
      waMessageId: string,
      signal: AbortSignal,
    ): Promise<TMediaDownload | null> {
      if (!client) throw new Error("the WhatsApp client is not running");
      const kept = recent.get(waMessageId);
      let message = kept?.client === client ? kept.message : undefined;
      if (!message) {
        if (!client.getMessageById) throw new Error("this client cannot read a message again by its id");
        message = (await abortable(client.getMessageById(waMessageId), signal)) ?? undefined;
        if (!message) return null;
      }
      if (!message.downloadMedia) return null;
      const media: TWwebjsMessageMedia | null | undefined = await abortable(message.downloadMedia(), signal);
      if (!media?.data) return null;
      const { data, mimetype, filename } = media;
      return {
        stream: base64Stream(data),
        size: base64Size(data),
        ...(mimetype ? { mimeType: mimetype } : {}),
        ...(filename ? { fileName: filename } : {}),
      };
    },
  };
}
