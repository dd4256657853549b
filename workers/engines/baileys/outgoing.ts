import type { AnyMessageContent, proto, WAMessage } from "@whiskeysockets/baileys";
import { numberedMenu, textOf, type TContactCard, type TContentOf } from "~/server/messages/content";
import { PermanentSendError, type TOutboundSend } from "~/server/messaging/outbound";
import { ENGINE_MEDIA_KINDS } from "~/server/sessions/engine-capabilities";
import { jidOf } from "./mapping";

/**
 * Our queued messages as Baileys' `sendMessage(jid, content, options)` takes them: pure but for
 * opening a stored file's stream (only now, as it sends), so each kind is unit-tested, and run
 * through the library's own `generateWAMessageContent` (outgoing.test.ts).
 */

/** The kinds beside text this engine sends (its `media` capability): every one of the content model. */
export const BAILEYS_SENDS = ENGINE_MEDIA_KINDS;

/** What WhatsApp plays as a voice note: Opus in an OGG container, announced exactly so. */
export const VOICE_MIMETYPE = "audio/ogg; codecs=opus";

export type TBaileysOutgoing = { content: AnyMessageContent; options: { quoted?: WAMessage } };

/** A vCard value escaped (RFC 2426 §4: backslash, comma, semicolon, new line). */
function vcardText(value: string): string {
  return value.replace(/[\\,;]/g, (char) => `\\${char}`).replace(/\r?\n/g, "\\n");
}

/**
 * A contact card as the vCard 3.0 WhatsApp sends: its name, and each number as a `TEL` with its
 * `waid` (the digits WhatsApp opens a chat with). A card with no numbers but a vCard of its own
 * (one a contact shared, forwarded as it came) goes as that vCard.
 */
export function vcardOf(card: TContactCard): string {
  if (card.phones.length === 0 && card.vcard?.includes("BEGIN:VCARD")) return card.vcard;
  const name = vcardText(card.name.trim() || card.phones[0] || "");
  const phones = card.phones.map((phone) => {
    const digits = phone.replace(/\D/g, "");
    const waid = /^\d{6,15}$/.test(digits) ? `;waid=${digits}` : "";
    return `TEL;type=CELL;type=VOICE${waid}:${vcardText(phone.trim())}`;
  });
  return ["BEGIN:VCARD", "VERSION:3.0", `FN:${name}`, `N:;${name};;;`, ...phones, "END:VCARD"].join("\n");
}

/**
 * The message a reply quotes, as the minimal WAMessage Baileys builds the quote from (its key and
 * a body). Our content keeps only the quoted message's WhatsApp id: it is taken to be the
 * contact's (`fromMe: false`), what a reply from the bot or an agent quotes; the body is left
 * empty, since the send does not carry the quoted text.
 */
export function quotedOf(to: string, waMessageId: string): WAMessage {
  return { key: { remoteJid: jidOf(to), id: waMessageId, fromMe: false }, message: { conversation: "" } };
}

/** A text that never fetches a link preview: `linkPreview: null` stops Baileys calling `getUrlInfo`. */
function text(body: string): AnyMessageContent {
  return { text: body, linkPreview: null };
}

function contactsOf(content: TContentOf<"contacts">): AnyMessageContent {
  const contacts: proto.Message.IContactMessage[] = content.contacts.map((card) => ({
    displayName: card.name.trim() || card.phones[0] || "",
    vcard: vcardOf(card),
  }));
  const names = contacts.map((contact) => contact.displayName).filter(Boolean);
  return { contacts: { displayName: names.join(", ").slice(0, 200), contacts } };
}

/** A queued send as Baileys' content (files are read from the store as a stream only as it sends). */
export async function baileysOutgoing(message: TOutboundSend, signal?: AbortSignal): Promise<TBaileysOutgoing> {
  const content = message.content;
  const options = content?.quoted ? { quoted: quotedOf(message.to, content.quoted.waMessageId) } : {};
  if (!content || content.kind === "text") return { content: text(message.body), options };
  switch (content.kind) {
    case "template":
      throw new PermanentSendError("templates need the Cloud API: this number runs Baileys");
    case "interactive":
      // Buttons and lists are not delivered reliably to unofficial clients: the numbered menu,
      // which `matchChoice` reads back from the contact's answer.
      return { content: text(numberedMenu(content)), options };
    case "location":
      return {
        content: {
          location: {
            degreesLatitude: content.lat,
            degreesLongitude: content.lng,
            ...(content.name ? { name: content.name } : {}),
            ...(content.address ? { address: content.address } : {}),
          },
        },
        options,
      };
    case "contacts":
      return { content: contactsOf(content), options };
    case "reaction":
      return {
        content: {
          react: {
            text: content.emoji,
            key: { remoteJid: jidOf(message.to), id: content.targetWaMessageId, fromMe: false },
          },
        },
        options: {},
      };
    case "image":
    case "video":
    case "audio":
    case "voice":
    case "document":
    case "sticker":
      break;
    default:
      // What only contacts send (a button reply, an unknown kind): its words, as text.
      return { content: text(textOf(content)), options };
  }
  if (!message.media) throw new Error(`the ${content.kind} message has no stored file to send`);
  signal?.throwIfAborted();
  const stream = { stream: await message.media.open() };
  const mimetype = message.media.mimeType;
  const caption = content.caption?.trim() ? content.caption : undefined;
  const seconds = content.media?.durationS !== undefined ? Math.round(content.media.durationS) : undefined;
  switch (content.kind) {
    case "image":
      return { content: { image: stream, mimetype, ...(caption ? { caption } : {}) }, options };
    case "video":
      return { content: { video: stream, mimetype, ...(caption ? { caption } : {}) }, options };
    case "audio":
      return { content: { audio: stream, mimetype, ...(seconds !== undefined ? { seconds } : {}) }, options };
    case "voice":
      return {
        content: {
          audio: stream,
          ptt: true,
          // WhatsApp plays a voice note only as OGG/Opus; a file of another type keeps its own.
          mimetype: /^audio\/ogg\b/i.test(mimetype) ? VOICE_MIMETYPE : mimetype,
          ...(seconds !== undefined ? { seconds } : {}),
        },
        options,
      };
    case "document":
      return {
        content: {
          document: stream,
          mimetype,
          fileName: message.media.fileName ?? content.media?.fileName ?? "file",
          ...(caption ? { caption } : {}),
        },
        options,
      };
    case "sticker":
      return { content: { sticker: stream, mimetype }, options };
  }
}
