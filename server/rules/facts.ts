import { RELATIONSHIPS } from "~/db/schema/contacts";
import {
  captionOf,
  CONTENT_KINDS,
  isMediaKind,
  matchChoice,
  MESSAGE_TYPES,
  mediaOf,
  type TChoiceOption,
  type TMessageContent,
} from "~/server/messages/content";
import { SENTIMENTS } from "~/server/threads/learned-context";
import { WEEKDAYS, type TBusinessHours, type TWeekday } from "~/server/settings/schema";

export type TFactType = "text" | "number" | "boolean" | "list" | "choice";

/** A fact rules can test: its type, what it means, and an example value (shown in the editor). */
export type TFactDefinition = {
  label: string;
  type: TFactType;
  description: string;
  example: string;
  choices?: readonly string[];
};

/**
 * Every fact a rule can test, flat (`message.text`, not a path into an object): json-rules-engine
 * resolves a flat fact without JSONPath, and the compiled evaluator reads it by key.
 */
export const FACTS = {
  "message.text": {
    label: "Message text",
    type: "text",
    description: "What the contact wrote.",
    example: "What is the price?",
  },
  "message.type": {
    label: "Message type",
    type: "choice",
    description: "The message's kind under its former name (contact cards are `contact`); prefer Message kind.",
    example: "image",
    choices: [...MESSAGE_TYPES, "unknown"],
  },
  "message.kind": {
    label: "Message kind",
    type: "choice",
    description:
      "text, image, video, audio, voice (a voice note), document, sticker, location, contacts (contact cards), reaction, button_reply, list_reply, template or unknown.",
    example: "image",
    choices: CONTENT_KINDS,
  },
  "message.caption": {
    label: "Caption",
    type: "text",
    description: "The caption of a photo, video or document (empty when none).",
    example: "Is this in stock?",
  },
  "message.mimeType": {
    label: "File type",
    type: "text",
    description: "The media type of the file a message carries (empty when none).",
    example: "application/pdf",
  },
  "message.hasQuote": {
    label: "Is a reply",
    type: "boolean",
    description: "The contact replied to (quoted) an earlier message.",
    example: "true",
  },
  "message.latitude": {
    label: "Location latitude",
    type: "number",
    description: "Of a shared location, -90 to 90 (empty for other messages).",
    example: "38.72",
  },
  "message.longitude": {
    label: "Location longitude",
    type: "number",
    description: "Of a shared location, -180 to 180 (empty for other messages).",
    example: "-9.14",
  },
  "message.locationName": {
    label: "Location name",
    type: "text",
    description: "The name and address of a shared location (empty when none).",
    example: "Our shop, Rua Augusta 1",
  },
  "message.replyId": {
    label: "Button or list choice",
    type: "text",
    description:
      'The id of the button or list row the contact chose; on a number without buttons, of the option their answer picks from the numbered menu ("2" or its title). Empty otherwise.',
    example: "book-tuesday",
  },
  "message.replyTitle": {
    label: "Chosen option's title",
    type: "text",
    description: "The title of the button, list row or menu option the contact chose (empty for other messages).",
    example: "Returns",
  },
  "message.reaction": {
    label: "Reaction",
    type: "text",
    description: "The emoji of a reaction (empty for other messages, and when a reaction is taken back).",
    example: "👍",
  },
  "message.hasMedia": {
    label: "Has media",
    type: "boolean",
    description: "The message carries a file.",
    example: "false",
  },
  "message.isFirst": {
    label: "First message of the conversation",
    type: "boolean",
    description: "True for the first message the contact ever sent.",
    example: "true",
  },
  "message.length": { label: "Message length", type: "number", description: "Characters in the text.", example: "42" },
  "message.sentiment": {
    label: "Message mood",
    type: "choice",
    description: "positive, neutral or negative: the mood of this message alone.",
    example: "negative",
    choices: SENTIMENTS,
  },
  "contact.name": {
    label: "Contact name",
    type: "text",
    description: "Name on file, or the WhatsApp display name.",
    example: "Ana",
  },
  "contact.relationship": {
    label: "Relationship",
    type: "choice",
    description: "How the business knows the contact.",
    example: "client",
    choices: RELATIONSHIPS,
  },
  "contact.priority": { label: "Contact priority", type: "number", description: "0 (normal) and up.", example: "2" },
  "contact.tags": { label: "Contact tags", type: "list", description: "Tags on the contact.", example: "vip, lead" },
  "contact.profile": {
    label: "Context profile",
    type: "text",
    description: "Name of the contact's context profile (empty when none).",
    example: "Clients",
  },
  "contact.optedOut": {
    label: "Opted out",
    type: "boolean",
    description: "The contact asked not to get messages.",
    example: "false",
  },
  "contact.daysSinceFirstSeen": {
    label: "Days since first seen",
    type: "number",
    description: "Whole days since the contact's first message.",
    example: "30",
  },
  "contact.messageCount": {
    label: "Messages so far",
    type: "number",
    description: "Messages the contact has sent, this one included.",
    example: "5",
  },
  "thread.mode": {
    label: "Conversation owner",
    type: "choice",
    description: "bot, human or closed.",
    example: "bot",
    choices: ["bot", "human", "closed"],
  },
  "thread.messageCount": {
    label: "Messages in the conversation",
    type: "number",
    description: "All messages of the conversation, both ways.",
    example: "12",
  },
  "thread.topics": {
    label: "Conversation topics",
    type: "list",
    description:
      "Topics the conversation touched, this message included: pricing, hours, booking, order, delivery, refund, payment, location, complaint, and the profile's own topics.",
    example: "pricing, delivery",
  },
  "thread.sentiment": {
    label: "Conversation mood",
    type: "choice",
    description: "positive, neutral or negative, weighted to the latest messages.",
    example: "neutral",
    choices: SENTIMENTS,
  },
  "thread.minutesSinceLastBotReply": {
    label: "Minutes since the bot's last reply",
    type: "number",
    description: "Empty (never) when the bot has not replied yet.",
    example: "90",
  },
  "time.hour": { label: "Hour", type: "number", description: "0–23, in the organisation's time zone.", example: "21" },
  "time.weekday": {
    label: "Weekday",
    type: "choice",
    description: "mon … sun, in the organisation's time zone.",
    example: "sat",
    choices: WEEKDAYS,
  },
  "time.isBusinessHours": {
    label: "Within business hours",
    type: "boolean",
    description: "Per the opening hours in Settings.",
    example: "false",
  },
} as const satisfies Record<string, TFactDefinition>;

export type TFactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as [TFactName, ...TFactName[]];
export type TFactValue = string | number | boolean | string[] | null;
/** The facts of a message: every fact of `FACTS`, and `field.<key>` for each custom field the contact has a value of. */
export type TFacts = Record<TFactName, TFactValue> & { [field: `field.${string}`]: TFactValue };

/** What facts are built from: one inbound message in its context. */
export type TFactSource = {
  message: {
    body: string;
    type: string;
    hasMedia: boolean;
    isFirst: boolean;
    sentiment: string;
    /** What the message carries; without it, a text (or its `type`). */
    content?: TMessageContent;
    /**
     * The options of the choice this message may answer: the last one offered in the
     * conversation (`offeredChoices`), when nothing was sent after it; a text then picks one.
     */
    offeredChoice?: readonly TChoiceOption[] | null;
  };
  contact: {
    name: string | null;
    relationship: string;
    priority: number;
    tags: string[];
    profileName: string | null;
    optedOut: boolean;
    firstSeenAt: Date;
    messageCount: number;
    /** The contact's custom field values (`contacts.fields`), by key: facts `field.<key>`. */
    fields?: Readonly<Record<string, string | number | boolean>>;
  };
  thread: { mode: string; messageCount: number; lastBotReplyAt: Date | null; topics: string[]; sentiment: string };
  now: Date;
  timeZone: string;
  businessHours: TBusinessHours;
};

const DAY_MS = 86_400_000;

/** The local hour, minute and weekday of `at` in `timeZone`. */
/** Formatters by time zone: building one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: Date, timeZone: string): { hour: number; minute: number; weekday: TWeekday } {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(at);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  const weekday = get("weekday").slice(0, 3).toLowerCase() as TWeekday;
  return { hour: Number(get("hour")), minute: Number(get("minute")), weekday };
}

/** Whether `at` falls within the opening hours, in `timeZone`. */
export function isBusinessHours(at: Date, timeZone: string, hours: TBusinessHours): boolean {
  const { hour, minute, weekday } = localTime(at, timeZone);
  const clock = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
  return hours[weekday].some((interval) => interval.start <= clock && clock < interval.end);
}

/** The facts a message's content gives (kind, caption, file type, quote, location, choice, reaction). */
function contentFacts(message: TFactSource["message"]) {
  const content = message.content;
  const kind = content?.kind ?? (message.type === "contact" ? "contacts" : message.type);
  const location = content?.kind === "location" ? content : null;
  const chosen = chosenOption(message);
  return {
    "message.kind": kind,
    "message.caption": (content && captionOf(content)) ?? "",
    "message.mimeType": (content && mediaOf(content)?.mimeType) ?? "",
    "message.hasQuote": content?.quoted !== undefined,
    "message.latitude": location?.lat ?? null,
    "message.longitude": location?.lng ?? null,
    "message.locationName": location ? [location.name, location.address].filter(Boolean).join(", ") : "",
    "message.replyId": chosen?.id ?? "",
    "message.replyTitle": chosen?.title ?? "",
    "message.reaction": content?.kind === "reaction" ? content.emoji : "",
  } satisfies Partial<TFacts>;
}

/**
 * The option a message chooses: a tapped button or list row (its id and title as WhatsApp gives
 * them), or a text answering the choice offered ("2", "2.", or the option's title).
 */
export function chosenOption(message: Pick<TFactSource["message"], "body" | "content" | "offeredChoice">) {
  const content = message.content;
  if (content?.kind === "button_reply" || content?.kind === "list_reply")
    return { id: content.id, title: content.title };
  const isText = content ? content.kind === "text" : true;
  if (!isText || !message.offeredChoice?.length) return null;
  const option = matchChoice(message.offeredChoice, message.body);
  return option ? { id: option.id, title: option.title } : null;
}

/** Whether a message carries a file: a media kind, or (before contents) media metadata. */
export function hasMediaOf(content: TMessageContent | undefined, hasMediaMeta: boolean): boolean {
  return content ? isMediaKind(content.kind) : hasMediaMeta;
}

/** The facts of one message, as rules see them. */
export function buildFacts(source: TFactSource): TFacts {
  const { message, contact, thread, now } = source;
  const local = localTime(now, source.timeZone);
  const facts: TFacts = {
    "message.text": message.body,
    "message.type": message.type,
    ...contentFacts(message),
    "message.hasMedia": message.hasMedia,
    "message.isFirst": message.isFirst,
    "message.length": message.body.length,
    "message.sentiment": message.sentiment,
    "contact.name": contact.name,
    "contact.relationship": contact.relationship,
    "contact.priority": contact.priority,
    "contact.tags": contact.tags,
    "contact.profile": contact.profileName,
    "contact.optedOut": contact.optedOut,
    "contact.daysSinceFirstSeen": Math.max(0, Math.floor((now.getTime() - contact.firstSeenAt.getTime()) / DAY_MS)),
    "contact.messageCount": contact.messageCount,
    "thread.mode": thread.mode,
    "thread.messageCount": thread.messageCount,
    "thread.topics": thread.topics,
    "thread.sentiment": thread.sentiment,
    "thread.minutesSinceLastBotReply": thread.lastBotReplyAt
      ? Math.floor((now.getTime() - thread.lastBotReplyAt.getTime()) / 60_000)
      : null,
    "time.hour": local.hour,
    "time.weekday": local.weekday,
    "time.isBusinessHours": isBusinessHours(now, source.timeZone, source.businessHours),
  };
  if (contact.fields) for (const key in contact.fields) facts[`field.${key}`] = contact.fields[key] ?? null;
  return facts;
}
