import type { proto, WAMessage, WAMessageUpdate } from "@whiskeysockets/baileys";
import { addressOf, parseAddress } from "~/server/contacts/address";
import { contactCardOfVcard, type TContactCard, type TMediaKind } from "~/server/messages/content";
import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TAck, TContactPresence, TPhoneMessage } from "../types";

/**
 * Baileys' shapes → ours, and nothing else: pure functions of the library's protobuf objects
 * (type-only imports, so neither the web nor the other engines ever load Baileys), unit-tested
 * with payloads that went through the library's own `proto` encode and decode
 * (mapping.test.ts, payloads.fixture.ts). A contact's message to an inbound message of the
 * content model, a message typed on the linked phone, receipts to ticks, presence updates.
 *
 * Nothing in a payload is trusted: a field of the wrong type is as good as absent, and a message
 * of a type we do not know is still handed to ingest as `unknown` (never dropped).
 */

/** Chats we ignore: groups, status updates, broadcast lists, channels. */
export function isIgnoredJid(jid: string | null | undefined): boolean {
  if (!jid) return true;
  return /@(g\.us|broadcast|newsletter)$/.test(jid) || jid === "status@broadcast";
}

/** A recipient as Baileys takes it: E.164 or `…@c.us` → `<digits>@s.whatsapp.net`; a `…@lid` stays. */
export function jidOf(to: string): string {
  if (to.endsWith("@lid") || to.endsWith("@s.whatsapp.net")) return to;
  return `${to.replace(/@.*$/, "").replace(/\D/g, "")}@s.whatsapp.net`;
}

/**
 * The containers WhatsApp wraps a message in (disappearing, view once, a document with a
 * caption, an edit), in the order Baileys' own `normalizeMessageContent` looks for them. That
 * function cannot be called here (the library is only loaded lazily, and mapping is synchronous),
 * so its few lines are repeated: at most five levels, as the library does, against a loop.
 */
const WRAPPERS = [
  "ephemeralMessage",
  "viewOnceMessage",
  "documentWithCaptionMessage",
  "viewOnceMessageV2",
  "viewOnceMessageV2Extension",
  "editedMessage",
] as const;
const MAX_WRAPPING = 5;

/** A message's content out of its wrappers (Baileys' `normalizeMessageContent`). */
export function unwrapMessage(content: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let current = content ?? undefined;
  for (let level = 0; level < MAX_WRAPPING && current; level += 1) {
    const wrapper = WRAPPERS.map((name) => current?.[name]).find(Boolean);
    if (!wrapper) break;
    current = wrapper.message ?? undefined;
  }
  return current;
}

/**
 * Parts of a message that are the protocol talking, not a person: revokes, edits, disappearing
 * settings and history-sync notices (`protocolMessage`), group encryption keys, and the context
 * that rides beside every message. A message that holds only these is not stored.
 */
const NOT_CONTENT = new Set(["protocolMessage", "senderKeyDistributionMessage", "messageContextInfo"]);

/** The Baileys media types (`MediaType`, the HKDF info of the keys) of each message field. */
const MEDIA_FIELDS = {
  imageMessage: "image",
  videoMessage: "video",
  ptvMessage: "video",
  audioMessage: "audio",
  documentMessage: "document",
  stickerMessage: "sticker",
} as const;
export type TBaileysMediaType = (typeof MEDIA_FIELDS)[keyof typeof MEDIA_FIELDS];

/** The most a media reference may take (`media.engineRef` is bounded at 500 characters). */
export const MAX_ENGINE_REF_CHARS = 500;
/** Where Baileys fetches a file with no URL of its own (`getUrlFromDirectPath`). */
export const MEDIA_HOST = "https://mmg.whatsapp.net";

/**
 * What a worker needs to fetch and decrypt an inbound file later, with no socket and no copy of
 * the message (`media.engineRef`, JSON): the Baileys media type (`t`), the media key (`k`,
 * base64), the direct path on WhatsApp's media servers (`p`), the URL when the path alone does not
 * give it (`u`), and the file's SHA-256 as the sender stated it (`h`, base64): the library does
 * not check the file's MAC, so the download checks the decrypted bytes against it instead.
 */
export type TBaileysMediaRef = { v: 1; t: TBaileysMediaType; k: string; p?: string; u?: string; h?: string };

/** A number Baileys gives as a number, a Long (uint64 fields decoded) or a numeric string; else nothing. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "object" && value !== null) {
    const long = value as { toNumber?: () => number; low?: unknown; high?: unknown };
    if (typeof long.toNumber === "function") return numberOf(long.toNumber());
    // A Long that went through JSON: its two 32-bit halves.
    if (typeof long.low === "number" && typeof long.high === "number") return long.high * 2 ** 32 + (long.low >>> 0);
    return undefined;
  }
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}

function textField(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Bytes as base64: a Uint8Array / Buffer as decoded, a base64 string as stored (`BufferJSON`), or a JSON Buffer. */
export function base64Of(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return value.length > 0 ? Buffer.from(value).toString("base64") : undefined;
  if (typeof value === "string") return value !== "" ? value : undefined;
  const json = value as { type?: unknown; data?: unknown } | null;
  if (json?.type === "Buffer" && Array.isArray(json.data)) return base64Of(Uint8Array.from(json.data as number[]));
  return undefined;
}

/** Baileys' seconds since the epoch (`messageTimestamp`, often a Long) as a date; nothing when it is not one. */
export function dateOfSeconds(value: unknown): Date | undefined {
  const seconds = numberOf(value);
  if (seconds === undefined || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The compact reference of a file (`TBaileysMediaRef`), or nothing when it cannot be fetched
 * (no key, or nowhere to fetch it from). What does not fit the bound is left out in this order:
 * the URL (the direct path gives one), then the SHA-256 (the download goes unchecked).
 */
export function mediaRefOf(type: TBaileysMediaType, media: Record<string, unknown>): string | undefined {
  const key = base64Of(media.mediaKey);
  const path = textField(media.directPath);
  let url = textField(media.url);
  // A URL the direct path gives anyway (WhatsApp's only adds `&mms3=true`), or one with no file
  // path (some messages carry `https://web.whatsapp.net`), is left to the path.
  if (url && path && (url.startsWith(`${MEDIA_HOST}${path}`) || !/^https?:\/\/[^/]+\/./.test(url))) url = undefined;
  if (!key || (!path && !url)) return undefined;
  const sha256 = base64Of(media.fileSha256);
  const candidates: TBaileysMediaRef[] = [
    {
      v: 1,
      t: type,
      k: key,
      ...(path ? { p: path } : {}),
      ...(url ? { u: url } : {}),
      ...(sha256 ? { h: sha256 } : {}),
    },
    ...(path && url ? [{ v: 1 as const, t: type, k: key, p: path, ...(sha256 ? { h: sha256 } : {}) }] : []),
    { v: 1, t: type, k: key, ...(path ? { p: path } : { u: url! }) },
  ];
  return candidates.map((ref) => JSON.stringify(ref)).find((text) => text.length <= MAX_ENGINE_REF_CHARS);
}

/** A stored `media.engineRef` read back; null when it is not one of ours (the media job then fails it for good). */
export function parseMediaRef(text: string | undefined): TBaileysMediaRef | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const ref = value as Partial<TBaileysMediaRef> | null;
  const types = Object.values(MEDIA_FIELDS) as string[];
  if (ref?.v !== 1 || typeof ref.t !== "string" || !types.includes(ref.t) || typeof ref.k !== "string" || !ref.k)
    return null;
  if (typeof ref.p !== "string" && typeof ref.u !== "string") return null;
  return {
    v: 1,
    t: ref.t,
    k: ref.k,
    ...(typeof ref.p === "string" ? { p: ref.p } : {}),
    ...(typeof ref.u === "string" ? { u: ref.u } : {}),
    ...(typeof ref.h === "string" ? { h: ref.h } : {}),
  };
}

type TContent = Record<string, unknown> & { kind: string };

/** A media message's content; `fetch: false` (the phone's own sends) describes the file without asking for it. */
function mediaContent(
  field: keyof typeof MEDIA_FIELDS,
  media: proto.Message.IImageMessage &
    proto.Message.IVideoMessage &
    proto.Message.IAudioMessage &
    proto.Message.IDocumentMessage &
    proto.Message.IStickerMessage,
  fetch: boolean,
): TContent {
  const type = MEDIA_FIELDS[field];
  const kind: TMediaKind = field === "audioMessage" && media.ptt ? "voice" : type;
  const ref = fetch ? mediaRefOf(type, media as Record<string, unknown>) : undefined;
  const size = numberOf(media.fileLength);
  const seconds = numberOf(media.seconds);
  const width = numberOf(media.width);
  const height = numberOf(media.height);
  const sha256 = base64Of(media.fileSha256);
  const caption = textField(media.caption);
  const fileName = textField(media.fileName);
  return {
    kind,
    ...(caption && kind !== "sticker" ? { caption } : {}),
    media: {
      ...(ref ? { state: "pending", engineRef: ref } : {}),
      mimeType: textField(media.mimetype) ?? "application/octet-stream",
      ...(fileName ? { fileName } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(sha256 ? { sha256 } : {}),
      ...(seconds ? { durationS: seconds } : {}),
      ...(width ? { width } : {}),
      ...(height ? { height } : {}),
    },
  };
}

/** A contact card: the vCard's name and numbers (its `waid`s), else the card's display name. */
function cardOf(contact: proto.Message.IContactMessage | null | undefined): TContactCard {
  const vcard = textField(contact?.vcard);
  const displayName = textField(contact?.displayName) ?? "";
  if (!vcard) return { name: displayName, phones: [] };
  const card = contactCardOfVcard(vcard);
  return { ...card, name: card.name || displayName };
}

/** The JSON of an interactive answer's `paramsJson` (`{"id": "…"}`), or an empty object. */
function paramsOf(json: string | null | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json ?? "");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What an unknown type's text is, where it has one (a poll's question, a product's title…). */
function unknownText(part: unknown): string | undefined {
  const record = (typeof part === "object" && part !== null ? part : {}) as Record<string, unknown>;
  for (const key of ["text", "caption", "name", "title", "contentText", "description"]) {
    const text = textField(record[key]);
    if (text) return text;
  }
  return undefined;
}

/**
 * What a message carries, as our content (before ingest validates and repairs it), from its
 * unwrapped form; null when it carries nothing of a person's (only protocol parts). Every field
 * Baileys can hold maps to a kind; any other is `unknown` with its field name (`pollCreationMessageV3`).
 */
export function mapContent(message: proto.IMessage | null | undefined, { fetch = true } = {}): TContent | null {
  const inner = unwrapMessage(message);
  if (!inner) return null;
  const field = Object.keys(inner).find(
    (key) =>
      (key === "conversation" || key.endsWith("Message") || key.includes("Message")) &&
      !NOT_CONTENT.has(key) &&
      inner[key as keyof proto.IMessage] !== null &&
      inner[key as keyof proto.IMessage] !== undefined,
  ) as keyof proto.IMessage | undefined;
  if (!field) return null;
  const part = inner[field] as Record<string, unknown> & { contextInfo?: proto.IContextInfo | null };
  const content = ((): TContent => {
    if (field === "conversation") return { kind: "text", text: typeof part === "string" ? part : "" };
    if (field in MEDIA_FIELDS) return mediaContent(field as keyof typeof MEDIA_FIELDS, part, fetch);
    switch (field) {
      case "extendedTextMessage":
        return { kind: "text", text: textField(part.text) ?? "" };
      case "locationMessage":
      case "liveLocationMessage": {
        const location = part as proto.Message.ILocationMessage & proto.Message.ILiveLocationMessage;
        // A live location has no place name: its caption stands in for one.
        const name = textField(location.name) ?? textField(location.caption);
        const address = textField(location.address);
        return {
          kind: "location",
          lat: numberOf(location.degreesLatitude),
          lng: numberOf(location.degreesLongitude),
          ...(name ? { name } : {}),
          ...(address ? { address } : {}),
        };
      }
      case "contactMessage":
        return { kind: "contacts", contacts: [cardOf(part)] };
      case "contactsArrayMessage": {
        const cards = (part as proto.Message.IContactsArrayMessage).contacts ?? [];
        return { kind: "contacts", contacts: cards.map(cardOf) };
      }
      case "reactionMessage": {
        const reaction = part as proto.Message.IReactionMessage;
        // An empty text is the reaction taken back.
        return { kind: "reaction", emoji: reaction.text ?? "", targetWaMessageId: reaction.key?.id ?? "" };
      }
      case "buttonsResponseMessage": {
        const reply = part as proto.Message.IButtonsResponseMessage;
        return { kind: "button_reply", id: reply.selectedButtonId ?? "", title: reply.selectedDisplayText ?? "" };
      }
      case "templateButtonReplyMessage": {
        const reply = part as proto.Message.ITemplateButtonReplyMessage;
        return { kind: "button_reply", id: reply.selectedId ?? "", title: reply.selectedDisplayText ?? "" };
      }
      case "listResponseMessage": {
        const reply = part as proto.Message.IListResponseMessage;
        const description = textField(reply.description);
        return {
          kind: "list_reply",
          id: reply.singleSelectReply?.selectedRowId ?? "",
          title: reply.title ?? "",
          ...(description ? { description } : {}),
        };
      }
      case "interactiveResponseMessage": {
        // The newer buttons ("native flow"): the choice's id is in `paramsJson`, its title the body.
        const reply = part as proto.Message.IInteractiveResponseMessage;
        const flow = reply.nativeFlowResponseMessage;
        const params = paramsOf(flow?.paramsJson);
        const id = textField(params.id) ?? textField(params.selectedRowId);
        const title = textField(reply.body?.text) ?? textField(params.title) ?? textField(params.display_text) ?? "";
        if (id) return { kind: flow?.name === "single_select" ? "list_reply" : "button_reply", id, title };
        return {
          kind: "unknown",
          engineType: `interactiveResponse.${flow?.name ?? "unknown"}`,
          ...(title ? { text: title } : {}),
        };
      }
      default: {
        const text = unknownText(part);
        return { kind: "unknown", engineType: field, ...(text ? { text } : {}) };
      }
    }
  })();
  const stanza = textField(part?.contextInfo?.stanzaId);
  return stanza ? { ...content, quoted: { waMessageId: stanza } } : content;
}

/** The other identity a caller learnt for a sender (`chats.phoneNumberShare`, `Contact.lid`). */
export type TKnownIdentity = { phone?: string | null; lid?: string | null };

/**
 * The sender's other identity, when known: a LID sender's phone number, a phone sender's LID.
 * Baileys 6.17 does not put them on the key (later versions name them `senderPn` / `senderLid`,
 * read here when present); the caller passes what it learnt from the LID mapping events.
 */
export function identityOf(
  jid: string,
  key: proto.IMessageKey,
  known: TKnownIdentity = {},
): TInboundMessage["identity"] {
  const extra = key as { senderPn?: unknown; senderLid?: unknown; participantPn?: unknown };
  if (jid.endsWith("@lid")) {
    const phone = textField(known.phone) ?? textField(extra.senderPn) ?? textField(extra.participantPn);
    const parsed = phone ? parseAddress(phone) : null;
    return parsed?.kind === "phone" ? { phone: addressOf(parsed) } : undefined;
  }
  const lid = textField(known.lid) ?? textField(extra.senderLid);
  const parsed = lid ? parseAddress(lid) : null;
  return parsed?.kind === "lid" ? { lid: addressOf(parsed) } : undefined;
}

/**
 * A contact's message (`messages.upsert`, notify or append) as ingest takes it; null for what is
 * not a person writing to us: our own messages, groups, status updates, broadcast lists, channels,
 * protocol messages, and stubs (a message not yet decrypted, `CIPHERTEXT`, comes again under the
 * same id once it is: storing the stub would make ingest drop the real one as a duplicate).
 */
export function mapInbound(message: WAMessage, sessionId: string, known: TKnownIdentity = {}): TInboundMessage | null {
  const jid = message.key.remoteJid;
  if (message.key.fromMe || isIgnoredJid(jid) || !message.key.id) return null;
  const content = mapContent(message.message);
  if (!content) return null;
  const identity = identityOf(jid!, message.key, known);
  const sentAt = dateOfSeconds(message.messageTimestamp);
  const pushName = textField(message.pushName);
  return {
    sessionId,
    waMessageId: message.key.id,
    from: jid!,
    ...(pushName ? { pushName } : {}),
    content,
    ...(identity ? { identity } : {}),
    ...(sentAt ? { sentAt } : {}),
  };
}

/**
 * A message a person typed on the linked phone (`fromMe`; the caller knows it is not one of our
 * sends) as the phone-echo side channel's shape: the chat as our address (E.164 or `…@lid`), the
 * text or caption as its body, and its content when it is not a plain text. Files sent from the
 * phone are described, never fetched (nothing downloads outbound media).
 */
export function mapPhoneMessage(message: WAMessage): TPhoneMessage | null {
  const jid = message.key.remoteJid;
  if (!message.key.fromMe || isIgnoredJid(jid) || !message.key.id) return null;
  const content = mapContent(message.message, { fetch: false });
  const address = parseAddress(jid!);
  if (!content || !address) return null;
  const isText = content.kind === "text" && !content.quoted;
  const body =
    content.kind === "text" ? String(content.text) : typeof content.caption === "string" ? content.caption : "";
  return {
    to: addressOf(address),
    waMessageId: message.key.id,
    body,
    ...(isText ? {} : { content }),
    at: dateOfSeconds(message.messageTimestamp) ?? new Date(),
  };
}

/** Baileys' message statuses (`proto.WebMessageInfo.Status`) as our ticks; null for those we do not track. */
export function ackOfStatus(status: unknown): TAck["status"] | null {
  // 0 ERROR, 1 PENDING, 2 SERVER_ACK, 3 DELIVERY_ACK, 4 READ, 5 PLAYED.
  const value = numberOf(status);
  if (value === 0) return "failed";
  if (value === 3) return "delivered";
  if (value === 4 || value === 5) return "read";
  return null;
}

/**
 * `messages.update` status changes of our messages to ticks (delivered, read; an error fails it).
 * A contact's receipts come only this way: Baileys reports `message-receipt.update` for groups
 * and status updates alone, which this engine does not send to.
 */
export function mapReceipts(updates: readonly WAMessageUpdate[]): TAck[] {
  return updates.flatMap<TAck>(({ key, update }) => {
    if (!key.fromMe || !key.id || isIgnoredJid(key.remoteJid)) return [];
    const status = ackOfStatus(update.status);
    return status ? [{ waMessageId: key.id, status }] : [];
  });
}

/** Baileys' presences (`WAPresence`) as ours. */
const PRESENCE_STATES: Record<string, TContactPresence["state"]> = {
  composing: "typing",
  recording: "recording",
  available: "online",
  unavailable: "offline",
  paused: "paused",
};

/** A `presence.update` to each contact's presence (groups ignored; a presence we do not know left out). */
export function mapPresence(update: {
  id: string;
  presences: Record<string, { lastKnownPresence: string; lastSeen?: number }>;
}): TContactPresence[] {
  if (isIgnoredJid(update.id)) return [];
  return Object.entries(update.presences ?? {}).flatMap(([participant, data]) => {
    const state = PRESENCE_STATES[data?.lastKnownPresence];
    if (!state) return [];
    const lastSeen = dateOfSeconds(data.lastSeen);
    return [{ from: participant || update.id, state, ...(lastSeen ? { lastSeen } : {}) }];
  });
}
