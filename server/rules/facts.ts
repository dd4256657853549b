import { RELATIONSHIPS } from "~/db/schema/contacts";
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
    description: "text, image, video, audio, voice, document, sticker, location, contact or unknown.",
    example: "image",
    choices: ["text", "image", "video", "audio", "voice", "document", "sticker", "location", "contact", "unknown"],
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
export type TFacts = Record<TFactName, TFactValue>;

/** What facts are built from: one inbound message in its context. */
export type TFactSource = {
  message: { body: string; type: string; hasMedia: boolean; isFirst: boolean; sentiment: string };
  contact: {
    name: string | null;
    relationship: string;
    priority: number;
    tags: string[];
    profileName: string | null;
    optedOut: boolean;
    firstSeenAt: Date;
    messageCount: number;
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

/** The facts of one message, as rules see them. */
export function buildFacts(source: TFactSource): TFacts {
  const { message, contact, thread, now } = source;
  const local = localTime(now, source.timeZone);
  return {
    "message.text": message.body,
    "message.type": message.type,
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
}
