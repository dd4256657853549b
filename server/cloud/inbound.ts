import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TMediaKind, TMessageContent } from "~/server/messages/content";

/**
 * Meta's `messages` webhook (the Cloud API's inbound messages and the statuses of what the
 * business sent) as ours: every message as the `TInboundMessage` ingest stores, every status as a
 * `TCloudStatus` (server/messaging/statuses.ts applies them). Pure: no database, no network, so
 * each of Meta's documented payloads has an exact expected result (inbound.test.ts).
 *
 * Nothing in a payload is trusted: a field of the wrong type is as good as absent, and a message
 * this cannot read is still handed to ingest (as `unknown`, or with no sender, which ingest
 * records as rejected), so no message is lost silently.
 */

/** A status of a message the business sent, as Meta reports it. */
export type TCloudStatus = {
  sessionId: string;
  waMessageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  at?: Date;
  /** Meta's first error on a `failed` status. */
  error?: TCloudError;
};

export type TCloudError = { code?: number; title?: string; details?: string };

/** What a payload held besides messages and statuses, for the log: why each part was left out. */
export type TCloudSkipped = { reason: string; detail?: string };

export type TCloudWebhook = {
  messages: TInboundMessage[];
  statuses: TCloudStatus[];
  skipped: TCloudSkipped[];
};

type TRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is TRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const recordOf = (value: unknown): TRecord => (isRecord(value) ? value : {});
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const textOf = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;
const numberOf = (value: unknown): number | undefined => {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
};

/** Meta's unix-seconds timestamp (a string) as a date; nothing when it is not one. */
function dateOf(value: unknown): Date | undefined {
  const seconds = numberOf(value);
  if (seconds === undefined || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Meta's error object (`{code, title, message, error_data: {details}}`) as ours. */
function errorOf(value: unknown): TCloudError | undefined {
  if (!isRecord(value)) return undefined;
  const code = numberOf(value.code);
  const title = textOf(value.title) ?? textOf(value.message);
  const details = textOf(recordOf(value.error_data).details);
  if (code === undefined && !title && !details) return undefined;
  return {
    ...(code !== undefined ? { code } : {}),
    ...(title ? { title } : {}),
    ...(details ? { details } : {}),
  };
}

/** How a failed status reads on the message: "Meta error 131026: Message undeliverable — …". */
export function describeCloudError(error: TCloudError | undefined): string {
  if (!error) return "Meta reported the message as failed (no reason given)";
  const head = `Meta error${error.code !== undefined ? ` ${error.code}` : ""}: ${error.title ?? "no title"}`;
  return error.details && error.details !== error.title ? `${head} — ${error.details}` : head;
}

const SHA256 = /^([0-9a-f]{64}|[A-Za-z0-9+/_-]{43}=?)$/;
const MEDIA_TYPES: Record<string, TMediaKind> = {
  image: "image",
  video: "video",
  audio: "audio",
  document: "document",
  sticker: "sticker",
};

/** A media message's content: the file is fetched later, through the connection, by Meta's media id. */
function mediaContent(type: string, part: TRecord): TMessageContent {
  const kind: TMediaKind = type === "audio" && part.voice === true ? "voice" : MEDIA_TYPES[type]!;
  const id = textOf(part.id);
  const sha256 = textOf(part.sha256);
  const fileName = textOf(part.filename);
  const caption = textOf(part.caption);
  return {
    kind,
    media: {
      mimeType: textOf(part.mime_type) ?? "application/octet-stream",
      ...(sha256 && SHA256.test(sha256) ? { sha256 } : {}),
      ...(fileName ? { fileName } : {}),
      // Without Meta's id nothing can fetch the file: it is shown from its description alone.
      ...(id ? { engineRef: id, state: "pending" as const } : {}),
    },
    ...(caption ? { caption } : {}),
  };
}

/** A shared contact card of Meta's (`name.formatted_name`, `phones[].wa_id` / `.phone`). */
function contactCard(value: unknown): { name: string; phones: string[]; vcard?: string } {
  const card = recordOf(value);
  const name = recordOf(card.name);
  const fullName =
    textOf(name.formatted_name) ?? [textOf(name.first_name), textOf(name.last_name)].filter(Boolean).join(" ");
  const phones = listOf(card.phones).flatMap((entry) => {
    const phone = recordOf(entry);
    const waId = textOf(phone.wa_id);
    const number = waId && /^\d{6,15}$/.test(waId) ? `+${waId}` : textOf(phone.phone);
    return number ? [number] : [];
  });
  const vcard = textOf(card.vcard);
  return { name: fullName, phones, ...(vcard ? { vcard } : {}) };
}

/** Meta's title for a message it could not show us (`errors[0].title`), if any. */
function errorTitle(message: TRecord): string | undefined {
  const error = errorOf(listOf(message.errors)[0]);
  return error?.title ?? error?.details;
}

/** One message's content, by Meta's `type`; a type we do not know is kept as `unknown` with Meta's words. */
export function cloudMessageContent(message: TRecord): TMessageContent {
  const type = textOf(message.type) ?? "unknown";
  const part = recordOf(message[type]);
  const content = ((): TMessageContent => {
    switch (type) {
      case "text":
        return { kind: "text", text: textOf(part.body) ?? "" };
      case "image":
      case "video":
      case "audio":
      case "document":
      case "sticker":
        return mediaContent(type, part);
      case "location": {
        const lat = numberOf(part.latitude);
        const lng = numberOf(part.longitude);
        if (lat === undefined || lng === undefined) break;
        const name = textOf(part.name);
        const address = textOf(part.address);
        return { kind: "location", lat, lng, ...(name ? { name } : {}), ...(address ? { address } : {}) };
      }
      case "contacts":
        return { kind: "contacts", contacts: listOf(message.contacts).map(contactCard) };
      case "reaction": {
        const target = textOf(part.message_id);
        if (!target) break;
        // An empty emoji (or none) is a reaction taken back.
        return { kind: "reaction", emoji: typeof part.emoji === "string" ? part.emoji : "", targetWaMessageId: target };
      }
      case "interactive": {
        const replyType = textOf(part.type);
        const reply = recordOf(replyType ? part[replyType] : undefined);
        const id = textOf(reply.id);
        const title = textOf(reply.title) ?? "";
        if (replyType === "button_reply" && id) return { kind: "button_reply", id, title };
        if (replyType === "list_reply" && id) {
          const description = textOf(reply.description);
          return { kind: "list_reply", id, title, ...(description ? { description } : {}) };
        }
        return { kind: "unknown", engineType: `interactive.${replyType ?? "unknown"}`.slice(0, 100) };
      }
      case "button": {
        // A template's quick-reply button: its payload is the id the template was sent with.
        const text = textOf(part.text) ?? "";
        const id = textOf(part.payload) ?? text;
        if (!id) break;
        return { kind: "button_reply", id, title: text };
      }
    }
    const title = errorTitle(message);
    return { kind: "unknown", engineType: type.slice(0, 100), ...(title ? { text: title } : {}) };
  })();
  const quoted = textOf(recordOf(message.context).id);
  return quoted ? { ...content, quoted: { waMessageId: quoted } } : content;
}

/**
 * One inbound message as ours. The sender is the phone (`from`, digits) when Meta gives it,
 * else the business-scoped user id (`from_user_id`, as `bsuid:<id>`): a user with a username may
 * come without a number. Their BSUID and username (from the message and its `contacts` entry)
 * ride along as identities for ingest to attach.
 */
function inboundOf(sessionId: string, message: TRecord, contacts: TRecord[]): TInboundMessage {
  const phone = textOf(message.from);
  const fromUserId = textOf(message.from_user_id);
  const contact =
    contacts.find(
      (entry) =>
        (phone !== undefined && textOf(entry.wa_id) === phone) ||
        (fromUserId !== undefined && textOf(entry.user_id) === fromUserId),
    ) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const profile = recordOf(contact?.profile);
  const bsuid = fromUserId ?? textOf(contact?.user_id);
  const username = textOf(profile.username);
  const from = phone ?? textOf(contact?.wa_id) ?? (bsuid ? `bsuid:${bsuid}` : "");
  const name = textOf(profile.name);
  const sentAt = dateOf(message.timestamp);
  const content = cloudMessageContent(message);
  const identity = {
    ...(bsuid && !from.startsWith("bsuid:") ? { bsuid } : {}),
    ...(username ? { username } : {}),
  };
  return {
    sessionId,
    waMessageId: textOf(message.id) ?? "",
    from: /^\d+$/.test(from) ? `+${from}` : from,
    ...(Object.keys(identity).length > 0 ? { identity } : {}),
    ...(name ? { pushName: name } : {}),
    content,
    ...(sentAt ? { sentAt } : {}),
  };
}

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);

/**
 * Reads one webhook delivery of Meta's for one Cloud API number: its messages and statuses, in
 * the order Meta listed them. Changes for another number (`metadata.phone_number_id`), of another
 * field than `messages`, system notices (a number or BSUID changed) and account-level `errors`
 * are left out, each with its reason in `skipped` for the log.
 */
export function readCloudWebhook(
  payload: unknown,
  target: { sessionId: string; phoneNumberId: string },
): TCloudWebhook {
  const result: TCloudWebhook = { messages: [], statuses: [], skipped: [] };
  const body = recordOf(payload);
  if (body.object !== "whatsapp_business_account") {
    result.skipped.push({ reason: "not a WhatsApp Business Account notification", detail: textOf(body.object) });
    return result;
  }
  for (const entry of listOf(body.entry)) {
    for (const change of listOf(recordOf(entry).changes)) {
      const { field, value } = recordOf(change);
      if (field !== "messages") {
        result.skipped.push({ reason: "not a messages notification", detail: textOf(field) });
        continue;
      }
      const data = recordOf(value);
      const numberId = textOf(recordOf(data.metadata).phone_number_id);
      if (numberId !== target.phoneNumberId) {
        result.skipped.push({ reason: "for another phone number id", detail: numberId });
        continue;
      }
      const contacts = listOf(data.contacts).filter(isRecord);
      for (const item of listOf(data.messages)) {
        const message = recordOf(item);
        if (message.type === "system") {
          result.skipped.push({ reason: "system notice", detail: textOf(recordOf(message.system).type) });
          continue;
        }
        result.messages.push(inboundOf(target.sessionId, message, contacts));
      }
      for (const item of listOf(data.statuses)) {
        const status = recordOf(item);
        const id = textOf(status.id);
        const name = textOf(status.status);
        if (!id || !name || !STATUSES.has(name)) {
          result.skipped.push({ reason: "status not tracked", detail: name });
          continue;
        }
        const at = dateOf(status.timestamp);
        const error = name === "failed" ? errorOf(listOf(status.errors)[0]) : undefined;
        result.statuses.push({
          sessionId: target.sessionId,
          waMessageId: id,
          status: name as TCloudStatus["status"],
          ...(at ? { at } : {}),
          ...(error ? { error } : {}),
        });
      }
      for (const item of listOf(data.errors)) {
        result.skipped.push({ reason: "error notice", detail: describeCloudError(errorOf(item)) });
      }
    }
  }
  return result;
}
