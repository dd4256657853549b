import { contactCardOfVcard, type TMediaKind } from "~/server/messages/content";
import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TAck, TPhoneMessage } from "../types";
import type { TWwebjsMessage, TWwebjsReaction } from "./client";

/**
 * whatsapp-web.js's shapes → ours, and nothing else: pure functions of a library message (no
 * client, no database), so each is unit-tested with recorded payload shapes (mapping.test.ts).
 */

/** whatsapp-web.js's media types → our media kinds. */
const MEDIA_KINDS: Record<string, TMediaKind> = {
  image: "image",
  video: "video",
  audio: "audio",
  ptt: "voice",
  document: "document",
  sticker: "sticker",
};

/**
 * Types that are WhatsApp's own notices in a chat, not something a contact wrote ("messages are
 * end-to-end encrypted", a call log, a group change, protocol messages): never stored, never
 * answered.
 */
const SYSTEM_TYPES = new Set([
  "e2e_notification",
  "notification",
  "notification_template",
  "gp2",
  "group_notification",
  "broadcast_notification",
  "call_log",
  "protocol",
  "debug",
]);

/** Group chats, status updates and channels are not conversations with a contact. */
export function isIgnoredChat(chatId: string, isStatus = false): boolean {
  return isStatus || chatId === "status@broadcast" || /@(g\.us|broadcast|newsletter)$/.test(chatId);
}

const serialized = (value: string | { _serialized: string } | undefined) =>
  typeof value === "string" ? value : value?._serialized;

/** A number the library gave as a number or a numeric string, or nothing. */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}

function textField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The message a reply quotes, as our id of it: WhatsApp gives only the stanza id and its
 * author, and a message id is `<fromMe>_<chat>_<stanza id>`; it was ours when its author is
 * our number (`message.to` on an inbound message).
 */
function quotedOf(message: TWwebjsMessage): { waMessageId: string } | undefined {
  const stanza = textField(message._data?.quotedStanzaID);
  if (!stanza || (message.hasQuotedMsg === false && !message._data?.quotedMsg)) return undefined;
  const author = serialized(message._data?.quotedParticipant);
  const fromMe = author !== undefined && author === message.to;
  return { waMessageId: `${fromMe}_${message.from}_${stanza}` };
}

/**
 * What a library message carries, as our content (`TMessageContent`, before ingest validates and
 * repairs it): every type whatsapp-web.js knows maps to a kind; a type without one is `unknown`
 * with the library's name for it and whatever text came with it. A media file the client can
 * download (the library's `hasMedia`) is `pending` unless `fetch` is false: the media job fetches it.
 */
export function mapContent(
  message: TWwebjsMessage,
  { fetch = true }: { fetch?: boolean } = {},
): Record<string, unknown> & { kind: string } {
  const data = message._data ?? {};
  const quoted = quotedOf(message);
  const common = quoted ? { quoted } : {};
  const mediaKind = MEDIA_KINDS[message.type];
  if (mediaKind) {
    // A media message's `body` is its caption once downloaded, its base64 thumbnail before: the
    // caption is read from the model itself.
    const caption = textField(data.caption);
    const size = numberOf(data.size);
    const durationS = numberOf(message.duration);
    return {
      kind: mediaKind,
      ...common,
      ...(caption ? { caption } : {}),
      media: {
        ...(fetch && message.hasMedia ? { state: "pending" } : {}),
        mimeType: textField(data.mimetype) ?? "application/octet-stream",
        ...(textField(data.filename) ? { fileName: data.filename } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(textField(data.filehash) ? { sha256: data.filehash } : {}),
        ...(durationS !== undefined ? { durationS } : {}),
        ...(numberOf(data.width) ? { width: numberOf(data.width) } : {}),
        ...(numberOf(data.height) ? { height: numberOf(data.height) } : {}),
      },
    };
  }
  switch (message.type) {
    case "chat":
      return { kind: "text", ...common, text: message.body ?? "" };
    case "location": {
      // The body is the map's thumbnail; the place is in `location` (name and address from `loc`).
      const location = message.location;
      const name = textField(location?.name);
      const address = textField(location?.address);
      return {
        kind: "location",
        ...common,
        lat: numberOf(location?.latitude),
        lng: numberOf(location?.longitude),
        ...(name ? { name } : {}),
        ...(address ? { address } : {}),
      };
    }
    case "vcard":
    case "multi_vcard":
      return { kind: "contacts", ...common, contacts: (message.vCards ?? []).map(contactCardOfVcard) };
    case "buttons_response":
      return { kind: "button_reply", ...common, id: message.selectedButtonId ?? "", title: message.body ?? "" };
    case "template_button_reply":
      return {
        kind: "button_reply",
        ...common,
        id: message.selectedButtonId ?? textField(data.selectedId) ?? "",
        title: message.body ?? "",
      };
    case "list_response": {
      const description = textField(data.listResponse?.description);
      return {
        kind: "list_reply",
        ...common,
        id: message.selectedRowId ?? data.listResponse?.singleSelectReply?.selectedRowId ?? "",
        title: textField(data.listResponse?.title) ?? message.body ?? "",
        ...(description ? { description } : {}),
      };
    }
    default: {
      // poll_creation (the question is its body), revoked, interactive, order, product…
      const text = textField(message.body) ?? textField(data.pollName);
      return { kind: "unknown", ...common, engineType: message.type, ...(text ? { text } : {}) };
    }
  }
}

/**
 * A message a contact sent (the client's `message` event) as the pipeline's inbound message;
 * null for what is not a contact writing to us: our own messages, groups, status updates,
 * channels, WhatsApp's own notices.
 */
export function mapInbound(message: TWwebjsMessage, sessionId: string): TInboundMessage | null {
  if (message.fromMe || isIgnoredChat(message.from, message.isStatus === true) || SYSTEM_TYPES.has(message.type)) {
    return null;
  }
  return {
    sessionId,
    waMessageId: message.id._serialized,
    from: message.from,
    ...(message._data?.notifyName ? { pushName: message._data.notifyName } : {}),
    content: mapContent(message),
    ...identityOf(message),
    sentAt: new Date(message.timestamp * 1000),
  };
}

/**
 * A reaction (the client's `message_reaction` event) as an inbound message of kind `reaction`:
 * the reaction's own id is the message id, so a changed or removed reaction is a new message
 * only when WhatsApp gives it a new id. Null for our own reactions and those in groups, status
 * updates and channels.
 */
export function mapReaction(reaction: TWwebjsReaction, sessionId: string): TInboundMessage | null {
  const chat = serialized(reaction.msgId.remote) ?? serialized(reaction.id.remote) ?? reaction.senderId;
  if (reaction.id.fromMe || isIgnoredChat(chat) || isIgnoredChat(reaction.senderId)) return null;
  return {
    sessionId,
    waMessageId: reaction.id._serialized,
    from: reaction.senderId,
    content: { kind: "reaction", emoji: reaction.reaction ?? "", targetWaMessageId: reaction.msgId._serialized },
    sentAt: new Date(reaction.timestamp * 1000),
  };
}

/**
 * The sender's other identity when the message names it: a LID sender's phone number
 * (`_data.senderPn`). Ingest finds the contact by either and links the two.
 */
export function identityOf(message: Pick<TWwebjsMessage, "from" | "_data">): Pick<TInboundMessage, "identity"> {
  const phone = message._data?.senderPn;
  return message.from.endsWith("@lid") && phone && /@(c\.us|s\.whatsapp\.net)$/.test(phone)
    ? { identity: { phone } }
    : {};
}

/**
 * `client.getContactLidAndPhone`'s answer (`[{ lid: "…@lid", pn: "…@c.us" }]`) as the links it
 * reports: only entries with both, as a LID's digits and an E.164 number.
 */
export function lidPhoneLinks(answer: readonly { lid?: string | null; pn?: string | null }[]) {
  return answer.flatMap(({ lid, pn }) => {
    const lidDigits = /^(\d+)(?::\d+)?@lid$/.exec(lid ?? "")?.[1];
    const phoneDigits = /^(\d+)(?::\d+)?@(c\.us|s\.whatsapp\.net)$/.exec(pn ?? "")?.[1];
    return lidDigits && phoneDigits ? [{ lid: lidDigits, phone: `+${phoneDigits}` }] : [];
  });
}

/** A chat id (`…@c.us`, `…@lid`) as our address: E.164, or the LID's `…@lid`. */
function addressOfChat(chatId: string): string {
  const lid = /^(\d+)(?::\d+)?@lid$/.exec(chatId);
  if (lid) return `${lid[1]}@lid`;
  return `+${chatId.replace(/@(c\.us|s\.whatsapp\.net)$/, "")}`;
}

/** A message typed on the linked phone (`message_create`, ours) as the phone-echo side channel's shape. */
export function mapPhoneMessage(message: TWwebjsMessage): TPhoneMessage {
  // Files sent from the phone are shown from their metadata; nothing fetches them.
  const content = mapContent(message, { fetch: false });
  const isText = content.kind === "text" && !content.quoted;
  return {
    to: addressOfChat(message.to),
    waMessageId: message.id._serialized,
    // A photo sent from the phone has its thumbnail as `body`: a text's text, else the caption.
    body: content.kind === "text" ? (message.body ?? "") : (textField(message._data?.caption) ?? ""),
    ...(isText ? {} : { content }),
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

/** A chat id for one of our addresses: an E.164 number, or a LID's `…@lid` (its chat id as it is). */
export function chatIdOf(to: string): string {
  if (to.endsWith("@lid")) return to;
  return `${to.replace(/^\+/, "")}@c.us`;
}
