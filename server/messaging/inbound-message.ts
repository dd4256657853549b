import { z } from "zod";
import { addressOf, parseAddress } from "~/server/contacts/address";
import { ZStorableDate } from "~/server/lib/cursor";

/** The longest text kept from one message; WhatsApp itself caps text near 65,536 characters. */
export const MAX_BODY_CHARS = 65_536;
export const KNOWN_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
  "contact",
] as const;

/** A message as a transport hands it over, before anything is trusted. */
export const ZInboundMessage = z.object({
  sessionId: z.uuid(),
  /** The transport's id of the message: the idempotency key of ingest. */
  waMessageId: z.string().min(1).max(200),
  /** Sender: E.164 (`+5511…`), a WhatsApp id (`5511…@c.us`) or a LID (`…@lid`). */
  from: z.string().max(100),
  /**
   * The sender's other identity, when the engine knows it (a LID sender's phone number, from
   * `senderPn`; a phone sender's LID): ingest finds the contact by either and keeps both.
   */
  identity: z
    .object({ lid: z.string().max(100).optional(), phone: z.string().max(100).optional() })
    .optional()
    .catch(undefined),
  pushName: z.string().max(200).optional(),
  type: z.string().max(40).optional(),
  body: z.string().optional(),
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

export type TSanitizedContent = { type: string; body: string; flags: string[] };

/**
 * Makes any body storable and says what was done: lone UTF-16 surrogates become U+FFFD,
 * NUL characters (which Postgres text refuses) are removed, text past MAX_BODY_CHARS is cut,
 * an unknown type is kept as `unknown`. Nothing is dropped silently: each change is a flag.
 */
export function sanitizeContent(type: string | undefined, body: string | undefined): TSanitizedContent {
  const flags: string[] = [];
  let text = body ?? "";
  if (!text.isWellFormed()) {
    text = text.toWellFormed();
    flags.push("invalid_utf16");
  }
  if (text.includes("\u0000")) {
    text = text.replaceAll("\u0000", "");
    flags.push("nul_removed");
  }
  if (text.length > MAX_BODY_CHARS) {
    // Do not cut a surrogate pair in half.
    text = text.slice(0, MAX_BODY_CHARS).toWellFormed();
    flags.push("truncated");
  }
  const rawType = (type ?? "text").toLowerCase();
  const knownType = (KNOWN_TYPES as readonly string[]).includes(rawType) ? rawType : "unknown";
  if (knownType === "unknown") flags.push("unknown_type");
  if (text.trim() === "" && knownType === "text") flags.push("empty");
  return { type: knownType, body: text, flags };
}
