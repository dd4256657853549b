import { z } from "zod";
import { addressOf, parseAddress } from "~/server/contacts/address";
import { ZStorableDate } from "~/server/lib/cursor";
import { repairStrings } from "~/server/lib/storable-text";
import {
  isMediaKind,
  legacyContent,
  MAX_TEXT_CHARS,
  MESSAGE_TYPES,
  repairContent,
  textOf,
  typeOfKind,
  type TMessageContent,
} from "~/server/messages/content";

/** The longest text kept from one message; WhatsApp itself caps text near 65,536 characters. */
export const MAX_BODY_CHARS = MAX_TEXT_CHARS;
/** The values of `messages.type`: each content kind (contact cards as `contact`), and `unknown`. */
export const KNOWN_TYPES = MESSAGE_TYPES;

/**
 * A message that reaches us this long after the phone sent it (WhatsApp delivering what came
 * while the number was offline, a webhook retried for hours) is stored and its rules run, but
 * the bot does not answer it (`no_reply_reason = too_old`): a reply to something a contact said
 * a quarter of an hour ago, out of the blue, confuses more than it helps, and a person sees it
 * waiting in the Inbox instead. Ingest marks it with the flag `late`.
 */
export const LATE_AFTER_MS = 15 * 60_000;

/** A message as a transport hands it over, before anything is trusted. */
export const ZInboundMessage = z.object({
  sessionId: z.uuid(),
  /** The transport's id of the message: the idempotency key of ingest. */
  waMessageId: z.string().min(1).max(200),
  /**
   * Sender: E.164 (`+5511…`), a WhatsApp id (`5511…@c.us`), a LID (`…@lid`), or an address of
   * ours (`bsuid:…` for a Cloud API user who shows a username instead of their number).
   */
  from: z.string().max(100),
  /**
   * The sender's other identities, when the engine knows them (a LID sender's phone number, from
   * `senderPn`; a phone sender's LID; on the Cloud API the business-scoped user id and the
   * username): ingest finds the contact by the sender's own identity, else by the others in this
   * order (phone, LID, BSUID; never by a username, which a person can give up and another take),
   * and attaches every one it did not know. A malformed one is left out, never the message.
   */
  identity: z
    .object({
      lid: z.string().max(100).optional().catch(undefined),
      phone: z.string().max(100).optional().catch(undefined),
      bsuid: z.string().max(200).optional().catch(undefined),
      username: z.string().max(100).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  pushName: z.string().max(200).optional(),
  type: z.string().max(40).optional(),
  body: z.string().optional(),
  /**
   * What the message carries (`TMessageContent`), as the engine mapped it: repaired at ingest,
   * never refused (`sanitizeContent`). Without it, `type`, `body` and `media` describe it.
   */
  content: z.unknown().optional(),
  media: z
    .object({
      mimeType: z.string().max(200).optional(),
      fileName: z.string().max(500).optional(),
      size: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** When the phone says it was sent; a time Postgres cannot hold is dropped (the message is stored as of now). */
  sentAt: ZStorableDate.optional().catch(undefined),
});
export type TInboundMessage = z.infer<typeof ZInboundMessage>;

/**
 * The sender's primary address: E.164 for a phone number, `…@lid` for a LID
 * (server/contacts/address.ts), or null when it is not a person (groups, broadcasts, garbage).
 */
export function normalizeWaId(from: string): string | null {
  const identity = parseAddress(from);
  return identity ? addressOf(identity) : null;
}

export type TSanitizedContent = { type: string; body: string; content: TMessageContent; flags: string[] };

/**
 * Makes any content storable and says what was done: lone UTF-16 surrogates become U+FFFD, NUL
 * characters (which Postgres refuses) are removed, text past its bound is cut, an unknown kind
 * is kept as `unknown` (`repairContent`). Nothing is dropped silently: each change is a flag.
 * `body` is the content's text stand-in (`textOf`) and `type` its kind, for readers of text.
 * Without a content, `type`, `body` and `media` describe the message (`legacyContent`).
 */
export function sanitizeContent(
  type: string | undefined,
  body: string | undefined,
  given: { content?: unknown; media?: TInboundMessage["media"] } = {},
): TSanitizedContent {
  const raw = given.content ?? legacyContent(type, body, given.media);
  const { value, repairs } = repairStrings(raw);
  const { content, flags } = repairContent(value);
  const all: string[] = [...repairs, ...flags];
  if (content.kind === "text" && content.text.trim() === "") all.push("empty");
  return { type: typeOfKind(content.kind), body: textOf(content), content, flags: [...new Set(all)] };
}

/** The `messages.media` metadata of a content (what readers from before the content model look at). */
export function mediaMetaOf(content: TMessageContent): { mimeType?: string; fileName?: string; size?: number } | null {
  if (!isMediaKind(content.kind) || !("media" in content)) return null;
  const media = content.media;
  return {
    ...(media?.mimeType ? { mimeType: media.mimeType } : {}),
    ...(media?.fileName ? { fileName: media.fileName } : {}),
    ...(media?.size !== undefined ? { size: media.size } : {}),
  };
}
