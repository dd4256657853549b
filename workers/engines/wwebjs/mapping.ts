import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TAck, TPhoneMessage } from "../types";
import type { TWwebjsMessage } from "./client";

/**
 * whatsapp-web.js's shapes → ours, and nothing else: pure functions of a library message (no
 * client, no database), so each is unit-tested with recorded payload shapes (mapping.test.ts).
 */

/** whatsapp-web.js's message types → our content kinds; a type not listed here passes through (ingest stores it as `unknown`). */
const TYPES: Record<string, string> = {
  chat: "text",
  image: "image",
  video: "video",
  audio: "audio",
  ptt: "voice",
  document: "document",
  sticker: "sticker",
  location: "location",
  vcard: "contact",
  multi_vcard: "contact",
};

/** Group chats, status updates and channels are not conversations with a contact. */
export function isIgnoredChat(chatId: string, isStatus = false): boolean {
  return isStatus || chatId === "status@broadcast" || /@(g\.us|broadcast|newsletter)$/.test(chatId);
}

/**
 * A message a contact sent (the client's `message` event) as the pipeline's inbound message;
 * null for what is not a contact writing to us: our own messages, groups, status updates,
 * channels.
 */
export function mapInbound(message: TWwebjsMessage, sessionId: string): TInboundMessage | null {
  if (message.fromMe || isIgnoredChat(message.from, message.isStatus === true)) return null;
  const type = TYPES[message.type] ?? message.type;
  let body = message.body ?? "";
  if (type === "location" && message.location) {
    const { latitude, longitude, description } = message.location;
    body = `${description ? `${description} ` : ""}(${latitude}, ${longitude})`;
  } else if (type === "contact" && message.vCards?.length) {
    body = message.vCards.join("\n");
  }
  return {
    sessionId,
    waMessageId: message.id._serialized,
    from: message.from,
    ...(message._data?.notifyName ? { pushName: message._data.notifyName } : {}),
    type,
    body,
    ...(message.hasMedia
      ? {
          media: {
            ...(message._data?.mimetype ? { mimeType: message._data.mimetype } : {}),
            ...(message._data?.filename ? { fileName: message._data.filename } : {}),
            ...(typeof message._data?.size === "number" ? { size: message._data.size } : {}),
          },
        }
      : {}),
    sentAt: new Date(message.timestamp * 1000),
  };
}

/** A message typed on the linked phone (`message_create`, ours) as the phone-echo side channel's shape. */
export function mapPhoneMessage(message: TWwebjsMessage): TPhoneMessage {
  return {
    to: `+${message.to.replace(/@(c\.us|s\.whatsapp\.net)$/, "")}`,
    waMessageId: message.id._serialized,
    body: message.body ?? "",
    at: new Date(message.timestamp * 1000),
  };
}

/** whatsapp-web.js's ack levels: -1 error, 0 pending, 1 server, 2 device, 3 read, 4 played. */
export function ackStatus(ack: number): TAck["status"] | null {
  if (ack === -1) return "failed";
  if (ack === 2) return "delivered";
  if (ack >= 3) return "read";
  return null;
}

/** A `message_ack` event as an ack of ours; null for the levels we do not track (pending, server). */
export function mapAck(message: Pick<TWwebjsMessage, "id">, ack: number): TAck | null {
  const status = ackStatus(ack);
  return status ? { waMessageId: message.id._serialized, status } : null;
}

/** A chat id for an E.164 number. */
export function chatIdOf(to: string): string {
  return `${to.replace(/^\+/, "")}@c.us`;
}
