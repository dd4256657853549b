import type { Readable } from "node:stream";
import type { TOutboundSend } from "~/server/messaging/outbound";
import type { TEngineMediaKind } from "~/server/sessions/engine-capabilities";
import { type TWwebjsSendable, type TWwebjsSendOptions, wwebjsClasses } from "./client";

/**
 * What whatsapp-web.js sends for one of our messages: the library's content (text, a
 * MessageMedia, a Location) with its options, and the library's message types its own
 * `message_create` may announce it as (for the echo filter: null for a text, matched by words).
 */
export type TWwebjsOutgoing = {
  content: string | TWwebjsSendable;
  options?: TWwebjsSendOptions;
  echo: { body: string; types: readonly string[] | null };
};

/** The kinds this engine sends besides text (its descriptor's `media`). Contact cards are left out: the library sends a card only for a contact of the phone's own address book. */
export const WWEBJS_SENDS = [
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
] as const satisfies readonly TEngineMediaKind[];

/** The library's message types each kind comes back as in `message_create`. */
const ANNOUNCED_AS: Record<(typeof WWEBJS_SENDS)[number], readonly string[]> = {
  image: ["image"],
  video: ["video"],
  audio: ["audio", "ptt"],
  voice: ["ptt", "audio"],
  document: ["document"],
  sticker: ["sticker"],
  location: ["location"],
};

/**
 * Reads a stream into base64, chunk by chunk. whatsapp-web.js takes a file only as a base64
 * string (`MessageMedia.data`, handed to the browser page), so the whole file does end up in
 * memory once, as that string; reading chunk by chunk at least never holds the bytes a second
 * time. Each chunk is encoded up to a multiple of three bytes, the rest carried to the next, so
 * the pieces join into one valid base64 text.
 */
export async function readBase64(stream: Readable, signal?: AbortSignal): Promise<string> {
  const parts: string[] = [];
  let carry = Buffer.alloc(0);
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      signal.throwIfAborted();
    }
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const whole = bytes.length - (bytes.length % 3);
    parts.push(bytes.subarray(0, whole).toString("base64"));
    carry = Buffer.from(bytes.subarray(whole));
  }
  parts.push(carry.toString("base64"));
  return parts.join("");
}

/** Turns a queued message into what the library sends; a kind this engine cannot send throws, naming it. */
export async function wwebjsOutgoing(message: TOutboundSend, signal?: AbortSignal): Promise<TWwebjsOutgoing> {
  const content = message.content;
  // A choice goes as its numbered menu (this engine has no buttons), and a template (which no
  // path should give it) as its text: `message.body` is each one's text stand-in.
  if (!content || content.kind === "text" || content.kind === "interactive" || content.kind === "template") {
    return { content: message.body, echo: { body: message.body, types: null } };
  }
  if (content.kind === "location") {
    const { Location } = wwebjsClasses();
    const place = new Location(content.lat, content.lng, {
      ...(content.name ? { name: content.name } : {}),
      ...(content.address ? { address: content.address } : {}),
    });
    return { content: place, echo: { body: "", types: ANNOUNCED_AS.location } };
  }
  const kind = content.kind;
  if (!(WWEBJS_SENDS as readonly string[]).includes(kind)) {
    throw new Error(`WhatsApp Web does not send ${kind} messages from Switchboard`);
  }
  if (!message.media) throw new Error(`the ${kind} message has no stored file to send`);
  const { MessageMedia } = wwebjsClasses();
  const data = await readBase64(await message.media.open(), signal);
  const media = new MessageMedia(message.media.mimeType, data, message.media.fileName ?? null, message.media.size);
  const caption = "caption" in content && content.caption ? content.caption : undefined;
  return {
    content: media,
    options: {
      ...(caption && kind !== "sticker" ? { caption } : {}),
      ...(kind === "voice" ? { sendAudioAsVoice: true } : {}),
      ...(kind === "document" ? { sendMediaAsDocument: true } : {}),
      ...(kind === "sticker" ? { sendMediaAsSticker: true } : {}),
    },
    echo: { body: caption ?? "", types: ANNOUNCED_AS[kind as keyof typeof ANNOUNCED_AS] },
  };
}
