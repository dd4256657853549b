import { z } from "zod";

/**
 * What a message carries, as one typed union over `kind`: the content model every reader shares
 * (ingest, rules, the inbox, webhooks, the REST API). Stored in `messages.content`; its text
 * stand-in (`textOf`) fills `messages.body`, so readers that only know text keep working.
 *
 * Every string and list has a bound. Content from people and other systems (the Simulator, the
 * API) is validated with `ZMessageContent` and refused with a message naming the field; content
 * from WhatsApp is repaired instead (`repairContent`): a message must never be lost.
 */

/** The longest text kept from one message; WhatsApp itself caps text near 65,536 characters. */
export const MAX_TEXT_CHARS = 65_536;
/** A caption: WhatsApp allows about 1,024; we keep more rather than cut what an engine gives. */
export const MAX_CAPTION_CHARS = 4_096;
const MAX_NAME_CHARS = 1_000;
const MAX_ID_CHARS = 200;

export const CONTENT_KINDS = [
  "text",
  "image",
  "video",
  "audio",
  "voice",
  "document",
  "sticker",
  "location",
  "contacts",
  "reaction",
  "button_reply",
  "list_reply",
  "interactive",
  "template",
  "unknown",
] as const;
export type TContentKind = (typeof CONTENT_KINDS)[number];

/** The kinds a contact may send (a choice with buttons is only ever sent by the business). */
export type TContactKind = Exclude<TContentKind, "interactive">;
export const CONTACT_KINDS = CONTENT_KINDS.filter((kind): kind is TContactKind => kind !== "interactive");

export const MEDIA_KINDS = ["image", "video", "audio", "voice", "document", "sticker"] as const;
export type TMediaKind = (typeof MEDIA_KINDS)[number];

/** A WhatsApp message id (the engine's): what replies and reactions point at. */
const ZWaMessageId = z.string().trim().min(1, "Give the message's id").max(MAX_ID_CHARS, "At most 200 characters");

/** The message a reply quotes: its WhatsApp id, and ours when we have that message. */
export const ZQuoted = z
  .strictObject({
    waMessageId: ZWaMessageId,
    messageId: z.uuid("Not a message id").optional(),
  })
  .meta({ id: "QuotedMessage", description: "The message this one replies to." });

/** Where a media file stands: waiting for its bytes, in the store, failed for good, or removed by retention. */
export const MEDIA_STATES = ["pending", "stored", "failed", "removed"] as const;
export type TMediaState = (typeof MEDIA_STATES)[number];

/**
 * Why a file is not in the store (`media.error`), for the reader in words of their language:
 * larger than the kind allows; its content is not what it claimed (a PDF sent as a photo); a
 * type that kind cannot be; the download kept failing; WhatsApp no longer has it; retention.
 */
export const MEDIA_ERRORS = [
  "too_large",
  "type_mismatch",
  "unsupported_type",
  "empty",
  "download_failed",
  "unavailable",
  "removed",
] as const;
export type TMediaError = (typeof MEDIA_ERRORS)[number];

/**
 * Where a media file is and what it is. The bytes are not here: `storageKey` (their SHA-256, hex)
 * names them in the media store (server/media/store.ts) once it holds them; `mimeType` is then
 * the type found from the content itself.
 */
export const ZMediaRef = z
  .strictObject({
    mimeType: z
      .string()
      .trim()
      .min(1, "Give the file's type")
      .max(200, "At most 200 characters")
      .regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, "Not a media type (like image/jpeg)"),
    fileName: z.string().max(500, "At most 500 characters").optional(),
    size: z
      .number()
      .int()
      .min(0)
      .max(2 ** 42, "Too large")
      .optional(),
    /** SHA-256 of the bytes, hex or base64 (WhatsApp's `filehash`). */
    sha256: z
      .string()
      .regex(/^([0-9a-f]{64}|[A-Za-z0-9+/_-]{43}=?)$/, "Not a SHA-256 (64 hex digits or 44 base64 characters)")
      .optional(),
    storageKey: z.string().min(1).max(500, "At most 500 characters").optional(),
    /**
     * The engine's own handle to fetch the file while it is pending (the Cloud API's media id):
     * what `downloadMedia` asks the engine for. Not shown, not trusted from people.
     */
    engineRef: z.string().min(1).max(500, "At most 500 characters").optional(),
    /** Absent on files from before the media store (and on content nobody fetches): shown from metadata only. */
    state: z.enum(MEDIA_STATES).optional(),
    /** Why the file is not stored (state `failed` or `removed`). */
    error: z.enum(MEDIA_ERRORS).optional(),
    /** What exactly went wrong, in English for logs and the API ("the content is application/pdf"). */
    errorDetail: z.string().max(500, "At most 500 characters").optional(),
    /** The server-made thumbnail of an image (its SHA-256 in the store). */
    thumbKey: z.string().min(1).max(500, "At most 500 characters").optional(),
    durationS: z
      .number()
      .min(0)
      .max(86_400 * 7, "At most a week")
      .optional(),
    width: z.number().int().min(0).max(100_000).optional(),
    height: z.number().int().min(0).max(100_000).optional(),
  })
  .meta({ id: "MediaReference", description: "A media file's type and size; the bytes are kept elsewhere." });
export type TMediaRef = z.infer<typeof ZMediaRef>;

const common = { quoted: ZQuoted.optional() };
// The catalogue translates a schema's own message by its English text: the limits are written out.
const ZCaption = z.string().max(MAX_CAPTION_CHARS, "At most 4,096 characters");

const media = <K extends TMediaKind>(kind: K) =>
  z.strictObject({
    kind: z.literal(kind),
    ...common,
    media: ZMediaRef.optional(),
    caption: ZCaption.optional(),
    /** What a voice note or audio says, written out (by Gemini, when configured): rules, AI and search read it. */
    transcript: z.string().max(MAX_TEXT_CHARS, "At most 65,536 characters").optional(),
  });

/** One person of a shared contact card. */
export const ZContactCard = z.strictObject({
  name: z.string().max(MAX_NAME_CHARS, "At most 1,000 characters"),
  phones: z.array(z.string().max(100, "At most 100 characters")).max(20, "At most 20 numbers"),
  /** The card as it came (vCard 3.0 text), when it did. */
  vcard: z.string().max(16_384, "At most 16,384 characters").optional(),
});
export type TContactCard = z.infer<typeof ZContactCard>;

/**
 * One part of a template message: its text as the contact reads it (variables filled in), and
 * what fills the variables (`params`, in order: `{{1}}`, `{{2}}`…). A header may carry a file
 * (`media`) instead; a button is the `index`-th of the template's buttons, of `subType`
 * (a quick reply's `params[0]` is its payload, a URL button's is the URL's variable part).
 */
export const ZTemplateComponent = z.strictObject({
  type: z.enum(["header", "body", "footer", "button"]),
  text: z.string().max(4_096, "At most 4,096 characters").optional(),
  params: z.array(z.string().max(1_024, "At most 1,024 characters")).max(20, "At most 20 parameters").optional(),
  media: ZMediaRef.optional(),
  index: z.number().int().min(0).max(9).optional(),
  subType: z.enum(["quick_reply", "url", "copy_code"]).optional(),
});
export type TTemplateComponent = z.infer<typeof ZTemplateComponent>;

/** WhatsApp's limits on interactive messages (Meta's reference: reply buttons and list messages). */
export const INTERACTIVE_LIMITS = {
  body: 1_024,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  listButton: 20,
  sections: 10,
  rows: 10,
  rowTitle: 24,
  rowDescription: 72,
  sectionTitle: 24,
  id: 256,
} as const;

/** One choice offered: its id (what a rule's `message.replyId` sees when it is chosen) and its title. */
export const ZChoiceOption = z.strictObject({
  id: z.string().trim().min(1, "Give the option an id").max(INTERACTIVE_LIMITS.id, "At most 256 characters"),
  title: z.string().trim().min(1, "Give the option a title").max(INTERACTIVE_LIMITS.rowTitle, "At most 24 characters"),
  /** Shown under a list row's title (lists only). */
  description: z.string().max(INTERACTIVE_LIMITS.rowDescription, "At most 72 characters").optional(),
});
export type TChoiceOption = z.infer<typeof ZChoiceOption>;

const ZInteractive = z
  .strictObject({
    kind: z.literal("interactive"),
    quoted: ZQuoted.optional(),
    header: z.string().max(INTERACTIVE_LIMITS.header, "At most 60 characters").optional(),
    body: z.string().trim().min(1, "Enter the message").max(INTERACTIVE_LIMITS.body, "At most 1,024 characters"),
    footer: z.string().max(INTERACTIVE_LIMITS.footer, "At most 60 characters").optional(),
    /** Reply buttons (up to 3, titles up to 20 characters) or a list (up to 10 rows behind a button). */
    style: z.enum(["buttons", "list"]),
    /** A list's button label ("Choose"). */
    button: z.string().max(INTERACTIVE_LIMITS.listButton, "At most 20 characters").optional(),
    /** Every option, in order (a list's sections flattened: `section` names each one's). */
    options: z
      .array(ZChoiceOption.extend({ section: z.string().max(INTERACTIVE_LIMITS.sectionTitle).optional() }))
      .min(1, "Add at least one option")
      .max(INTERACTIVE_LIMITS.rows, "At most 10 options"),
  })
  .superRefine((value, context) => {
    if (value.style === "buttons") {
      if (value.options.length > INTERACTIVE_LIMITS.buttons)
        context.addIssue({ code: "custom", message: "At most 3 buttons", path: ["options"] });
      value.options.forEach((option, index) => {
        if (option.title.length > INTERACTIVE_LIMITS.buttonTitle)
          context.addIssue({ code: "custom", message: "At most 20 characters", path: ["options", index, "title"] });
      });
    }
    const ids = new Set<string>();
    value.options.forEach((option, index) => {
      if (ids.has(option.id))
        context.addIssue({ code: "custom", message: "Two options have this id", path: ["options", index, "id"] });
      ids.add(option.id);
    });
  });

/** Everything a message may carry, by `kind`. */
export const ZMessageContent = z
  .discriminatedUnion(
    "kind",
    [
      z.strictObject({
        kind: z.literal("text"),
        ...common,
        text: z.string().max(MAX_TEXT_CHARS, "At most 65,536 characters"),
      }),
      media("image"),
      media("video"),
      media("audio"),
      media("voice"),
      media("document"),
      media("sticker"),
      z.strictObject({
        kind: z.literal("location"),
        ...common,
        lat: z.number().min(-90, "From -90 to 90").max(90, "From -90 to 90"),
        lng: z.number().min(-180, "From -180 to 180").max(180, "From -180 to 180"),
        name: z.string().max(MAX_NAME_CHARS, "At most 1,000 characters").optional(),
        address: z.string().max(MAX_NAME_CHARS, "At most 1,000 characters").optional(),
      }),
      z.strictObject({
        kind: z.literal("contacts"),
        ...common,
        contacts: z.array(ZContactCard).min(1, "Give at least one contact").max(50, "At most 50 contacts"),
      }),
      z.strictObject({
        kind: z.literal("reaction"),
        ...common,
        /** The emoji; empty when the contact took their reaction back. */
        emoji: z.string().max(32, "At most 32 characters"),
        targetWaMessageId: ZWaMessageId,
      }),
      z.strictObject({
        kind: z.literal("button_reply"),
        ...common,
        id: z.string().max(256, "At most 256 characters"),
        title: z.string().max(256, "At most 256 characters"),
      }),
      z.strictObject({
        kind: z.literal("list_reply"),
        ...common,
        id: z.string().max(256, "At most 256 characters"),
        title: z.string().max(256, "At most 256 characters"),
        description: z.string().max(1_024, "At most 1,024 characters").optional(),
      }),
      ZInteractive,
      z.strictObject({
        kind: z.literal("template"),
        ...common,
        name: z.string().max(512, "At most 512 characters"),
        language: z.string().max(20, "At most 20 characters"),
        components: z.array(ZTemplateComponent).max(10, "At most 10 components").optional(),
      }),
      z.strictObject({
        kind: z.literal("unknown"),
        ...common,
        /** The engine's own name for the type (`poll_creation`, `revoked`…). */
        engineType: z.string().max(100, "At most 100 characters"),
        /** Whatever text came with it. */
        text: z.string().max(MAX_TEXT_CHARS, "At most 65,536 characters").optional(),
      }),
    ],
    { error: (issue) => (issue.code === "invalid_union" ? `Pick a kind: ${CONTENT_KINDS.join(", ")}` : undefined) },
  )
  .meta({ id: "MessageContent", description: "What the message carries, by kind." });
export type TMessageContent = z.infer<typeof ZMessageContent>;
export type TContentOf<K extends TContentKind> = Extract<TMessageContent, { kind: K }>;

/** Content for an outbound text (rules, AI, agents, the API): every outbound message today. */
export function textContent(body: string): TMessageContent {
  return { kind: "text", text: body };
}

export function isMediaKind(kind: string): kind is TMediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(kind);
}

/** The media reference of a content, when it has one. */
export function mediaOf(content: TMessageContent): TMediaRef | undefined {
  return "media" in content ? content.media : undefined;
}

/** The caption of a media message, when it has one. */
export function captionOf(content: TMessageContent): string | undefined {
  return "caption" in content && content.caption ? content.caption : undefined;
}

/** Plain words for each kind, for stand-ins and labels. */
export const KIND_LABELS: Record<TContentKind, string> = {
  text: "Text",
  image: "Photo",
  video: "Video",
  audio: "Audio",
  voice: "Voice message",
  document: "Document",
  sticker: "Sticker",
  location: "Location",
  contacts: "Contact card",
  reaction: "Reaction",
  button_reply: "Button reply",
  list_reply: "List reply",
  interactive: "Choice",
  template: "Template",
  unknown: "Unsupported message",
};

const coordinates = (lat: number, lng: number) => `${lat}, ${lng}`;

/**
 * A choice as plain text, for every reader of text and for engines that cannot send buttons: the
 * header, the body, then each option numbered ("1. Orders"), then the footer. The contact answers
 * with the number or the option's title (`matchChoice`).
 */
export function numberedMenu(content: TContentOf<"interactive">): string {
  const options = content.options.map((option, index) => `${index + 1}. ${option.title}`).join("\n");
  return [content.header, content.body, options, content.footer].filter((part) => part?.trim()).join("\n\n");
}

/**
 * The option an answer chooses from a choice offered: "2", "2.", " 2) ", or the option's title
 * (any case and spacing, accents kept). Null when it chooses none.
 */
export function matchChoice(options: readonly TChoiceOption[], answer: string): TChoiceOption | null {
  const text = answer.trim();
  const number = /^(\d{1,2})\s*[.)]?$/.exec(text);
  if (number) return options[Number(number[1]) - 1] ?? null;
  const fold = (value: string) => value.trim().replace(/\s+/g, " ").toLocaleLowerCase();
  return options.find((option) => fold(option.title) === fold(text)) ?? null;
}

/** A contact card in one line: the name and numbers. */
export function describeCard(card: TContactCard): string {
  return [card.name.trim(), ...card.phones].filter(Boolean).join(" ") || "(no name)";
}

/**
 * The text stand-in of a content: what the inbox list, the rules' `message.text`, the AI and
 * every reader of `messages.body` see. The text itself; a media message's caption, or its kind
 * in brackets (`[Photo]`); a location, contact card, reaction or template in plain words; the
 * title of the button or list row the contact chose.
 */
export function textOf(content: TMessageContent): string {
  const text = ((): string => {
    switch (content.kind) {
      case "text":
        return content.text;
      case "audio":
      case "voice":
        return (
          captionOf(content) ?? (content.transcript?.trim() ? content.transcript : `[${KIND_LABELS[content.kind]}]`)
        );
      case "image":
      case "video":
      case "sticker":
        return captionOf(content) ?? `[${KIND_LABELS[content.kind]}]`;
      case "document":
        return captionOf(content) ?? (content.media?.fileName ? `[Document: ${content.media.fileName}]` : "[Document]");
      case "location": {
        const place = [content.name, content.address].filter((part) => part?.trim()).join(", ");
        return `[Location: ${place ? `${place} ` : ""}(${coordinates(content.lat, content.lng)})]`;
      }
      case "contacts":
        return `[Contact: ${content.contacts.map(describeCard).join("; ")}]`;
      case "reaction":
        return content.emoji ? `[Reacted ${content.emoji}]` : "[Removed a reaction]";
      case "button_reply":
      case "list_reply":
        return content.title || content.id;
      case "interactive":
        return numberedMenu(content);
      case "template": {
        const body = content.components?.find((component) => component.type === "body")?.text;
        return body ?? `[Template: ${content.name}]`;
      }
      case "unknown":
        return content.text?.trim() ? content.text : `[Unsupported message: ${content.engineType || "unknown"}]`;
    }
  })();
  // A stand-in built from several bounded parts may pass the limit of one text.
  return text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS).toWellFormed() : text;
}

/** The `messages.type` of a content: its kind, except contact cards, stored as `contact` before contents existed. */
export function typeOfKind(kind: TContentKind): string {
  return kind === "contacts" ? "contact" : kind;
}

/** The values of `messages.type` besides `unknown`: each kind, contact cards as `contact`. */
export const MESSAGE_TYPES = CONTENT_KINDS.filter((kind) => kind !== "unknown").map(typeOfKind) as [
  string,
  ...string[],
];

/** The kind a stored `messages.type` stands for (rows written before `messages.content`). */
export function kindOfType(type: string): TContentKind {
  if (type === "contact") return "contacts";
  return (CONTENT_KINDS as readonly string[]).includes(type) ? (type as TContentKind) : "unknown";
}

/**
 * A stored row's content: `messages.content` when the row has it, else what its type and body
 * say (a row written by a path that predates the content model; outbound rows are text).
 */
export function contentOfRow(row: {
  content: unknown;
  type: string;
  body: string;
  media?: { mimeType?: string; fileName?: string; size?: number } | null;
}): TMessageContent {
  if (row.content) {
    const parsed = ZMessageContent.safeParse(row.content);
    if (parsed.success) return parsed.data;
  }
  return repairContent(legacyContent(row.type, row.body, row.media ?? undefined)).content;
}

/** The content a type, body and media metadata described before contents existed (an engine that gives no content). */
export function legacyContent(
  type: string | undefined,
  body: string | undefined,
  media?: { mimeType?: string; fileName?: string; size?: number },
): unknown {
  const text = body ?? "";
  const kind = kindOfType((type ?? "text").toLowerCase());
  if (kind === "text") return { kind, text };
  if (isMediaKind(kind)) {
    return {
      kind,
      ...(text ? { caption: text } : {}),
      ...(media
        ? {
            media: {
              mimeType: media.mimeType ?? "application/octet-stream",
              ...(media.fileName ? { fileName: media.fileName } : {}),
              ...(media.size !== undefined ? { size: media.size } : {}),
            },
          }
        : {}),
    };
  }
  if (kind === "location") {
    // The former stand-in: "name (lat, lng)".
    const match = /^(.*?)\s*\((-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)\)\s*$/s.exec(text);
    if (match) {
      // whatsapp-web.js's description: the name, then the address on the next line.
      const [name, address] = (match[1] ?? "").split("\n").map((part) => part.trim());
      return {
        kind,
        lat: Number(match[2]),
        lng: Number(match[3]),
        ...(name ? { name } : {}),
        ...(address ? { address } : {}),
      };
    }
  }
  if (kind === "contacts" && text.includes("BEGIN:VCARD")) {
    return { kind, contacts: splitVcards(text).map(contactCardOfVcard) };
  }
  return { kind: "unknown", engineType: (type ?? "unknown").slice(0, 100), ...(text ? { text } : {}) };
}

/** The cards of a text holding one or more vCards. */
export function splitVcards(text: string): string[] {
  return text.match(/BEGIN:VCARD[\s\S]*?(END:VCARD|$)/gi) ?? [];
}

/** Name and numbers of one vCard (FN, else N; every TEL, preferring its `waid`). */
export function contactCardOfVcard(vcard: string): TContactCard {
  // Folded lines (RFC 6350 §3.2) continue with a space or tab.
  const lines = vcard.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  const value = (line: string) =>
    line
      .slice(line.indexOf(":") + 1)
      .replace(/\\([,;\\])/g, "$1")
      .replace(/\\n/gi, " ")
      .trim();
  const fn = lines.find((line) => /^(item\d+\.)?FN[:;]/i.test(line));
  const n = lines.find((line) => /^(item\d+\.)?N[:;]/i.test(line));
  const name = fn ? value(fn) : n ? value(n).split(";").filter(Boolean).reverse().join(" ") : "";
  const phones = lines
    .filter((line) => /^(item\d+\.)?TEL[:;]/i.test(line))
    .map((line) => {
      const waid = /waid=(\d+)/i.exec(line)?.[1];
      return waid ? `+${waid}` : value(line);
    })
    .filter(Boolean);
  return { name, phones, vcard };
}

/** A stand-in for content that cannot be kept as it came: its kind and text, as `unknown`. */
function asUnknown(raw: unknown): TMessageContent {
  const record = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const engineType = typeof record.kind === "string" && record.kind ? record.kind : "invalid";
  const textParts = ["text", "caption", "title", "name", "emoji"]
    .map((key) => record[key])
    .filter((value): value is string => typeof value === "string" && value.trim() !== "");
  const text = textParts.join(" ").slice(0, MAX_TEXT_CHARS).toWellFormed();
  return { kind: "unknown", engineType: engineType.slice(0, 100).toWellFormed(), ...(text ? { text } : {}) };
}

type TPath = readonly PropertyKey[];

function at(root: unknown, path: TPath): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function setAt(root: unknown, path: TPath, value: unknown): boolean {
  const parent = at(root, path.slice(0, -1));
  if (typeof parent !== "object" || parent === null || path.length === 0) return false;
  const key = path.at(-1)!;
  if (!Object.hasOwn(parent, key)) return false;
  if (value === undefined) {
    if (Array.isArray(parent) && typeof key === "number") parent.splice(key, 1);
    else delete (parent as Record<PropertyKey, unknown>)[key];
  } else {
    (parent as Record<PropertyKey, unknown>)[key] = value;
  }
  return true;
}

/** Fields whose problems are repaired by leaving them out (each is optional). */
const DROPPABLE = new Set([
  "quoted",
  "media",
  "caption",
  "name",
  "address",
  "description",
  "components",
  "vcard",
  "messageId",
  "fileName",
  "size",
  "sha256",
  "storageKey",
  "durationS",
  "width",
  "height",
  "state",
  "error",
  "errorDetail",
  "thumbKey",
  "transcript",
]);

/**
 * Content from WhatsApp made valid, and what was done (flags for `messages.flags`): text past its
 * bound is cut (`truncated`, never through a surrogate pair), too many list entries are cut
 * (`truncated`), an optional part that is not valid is left out (`content_repaired`), and content
 * that is still not valid, or of an unknown kind, is kept as `unknown` with its kind and text
 * (`unknown_type`, `invalid_content`). Strings are assumed storable already (ingest repairs NUL
 * characters and lone surrogates of every field first).
 */
export function repairContent(raw: unknown): { content: TMessageContent; flags: string[] } {
  const flags = new Set<string>();
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (typeof kind !== "string" || !(CONTENT_KINDS as readonly string[]).includes(kind)) {
    return { content: asUnknown(raw), flags: ["unknown_type"] };
  }
  let value: unknown;
  try {
    value = structuredClone(raw);
  } catch {
    return { content: asUnknown(raw), flags: ["invalid_content"] };
  }
  for (let round = 0; round < 20; round += 1) {
    const parsed = ZMessageContent.safeParse(value);
    if (parsed.success) {
      if (parsed.data.kind === "unknown") flags.add("unknown_type");
      return { content: parsed.data, flags: [...flags] };
    }
    let repaired = false;
    // Deepest problems first, so removing one list entry does not move the next one's path.
    const issues = [...parsed.error.issues].sort((a, b) => b.path.length - a.path.length);
    for (const issue of issues) {
      const current = at(value, issue.path);
      if (issue.code === "too_big" && typeof current === "string" && typeof issue.maximum === "number") {
        repaired = setAt(value, issue.path, current.slice(0, Number(issue.maximum)).toWellFormed()) || repaired;
        flags.add("truncated");
      } else if (issue.code === "too_big" && Array.isArray(current) && typeof issue.maximum === "number") {
        current.length = Number(issue.maximum);
        repaired = true;
        flags.add("truncated");
      } else if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) repaired = setAt(value, [...issue.path, key], undefined) || repaired;
        flags.add("content_repaired");
      } else if (issue.path.at(-1) === "mimeType" && current !== "application/octet-stream") {
        repaired = setAt(value, issue.path, "application/octet-stream") || repaired;
        flags.add("content_repaired");
      } else {
        // The nearest optional field holding the problem is left out (a location's name; a
        // contact card's name is required, and so is not).
        const index = issue.path.findLastIndex(
          (key, position) => typeof key === "string" && DROPPABLE.has(key) && !(key === "name" && position > 0),
        );
        if (index >= 0 && setAt(value, issue.path.slice(0, index + 1), undefined)) {
          repaired = true;
          flags.add("content_repaired");
        }
      }
    }
    if (!repaired) break;
  }
  flags.add("invalid_content");
  const fallback = asUnknown(value);
  return { content: fallback, flags: [...flags] };
}
