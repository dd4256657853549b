import { z } from "zod";
import { defaultOptOutKeywords } from "~/server/contacts/consent-keywords";

/** Client-safe: the settings shape and its validation, shared by the form and the server. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type TWeekday = (typeof WEEKDAYS)[number];

const ZClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM, 24-hour");

export const ZBusinessInterval = z
  .object({ start: ZClock, end: ZClock })
  .refine((interval) => interval.start < interval.end, {
    message: "The end must be after the start",
    path: ["end"],
  });

/** Names checked before (building a formatter to check one is slow; settings are read per batch). */
const checkedTimeZones = new Map<string, boolean>();

function isTimeZone(value: string): boolean {
  const known = checkedTimeZones.get(value);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    valid = true;
  } catch {
    valid = false;
  }
  if (checkedTimeZones.size >= 256) checkedTimeZones.clear();
  checkedTimeZones.set(value, valid);
  return valid;
}

/**
 * Each setting: its validation and its default. Kept apart so the update schema can accept
 * any subset without filling the missing fields with defaults (which would reset them).
 */
const ORG_SETTING_FIELDS = {
  orgName: { schema: z.string().trim().min(1, "Enter a name").max(120), fallback: "Switchboard" },
  /** ISO 3166-1 alpha-2; numbers typed without a country code are read in this country. */
  defaultCountry: {
    schema: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Use a two-letter country code, e.g. US or DE"),
    fallback: "US",
  },
  timeZone: {
    schema: z.string().trim().refine(isTimeZone, "Unknown time zone; use an IANA name such as Europe/Berlin"),
    fallback: "UTC",
  },
  /**
   * What the bot does with a message no rule handles: nothing, or a fixed text. (The rules
   * issue adds rules in front of it; the AI issue adds an AI reply.)
   */
  defaultReply: {
    schema: z.discriminatedUnion("mode", [
      z.object({ mode: z.literal("none") }),
      z.object({ mode: z.literal("text"), text: z.string().trim().min(1, "Enter the reply").max(4096) }),
    ]),
    fallback: { mode: "text", text: "Thanks for your message! We will get back to you shortly." } as
      { mode: "none" } | { mode: "text"; text: string },
  },
  /**
   * Idle handback: a thread a person owns goes back to the bot after this many minutes without
   * them replying (0: never; the default).
   */
  handbackMinutes: {
    schema: z.coerce
      .number()
      .int("Whole minutes")
      .min(0, "0 (off) or more")
      .max(10_080, "At most a week (10,080 minutes)"),
    fallback: 0,
  },
  /**
   * Whether the bot (rules, AI, the default reply) answers what an opted-out contact writes.
   * Opted-out contacts never get messages we start (API sends, campaigns); a reply to what they
   * just wrote is theirs to ask for, so the bot answers by default. Off: it stays silent (rules
   * still tag, hand off and emit events).
   */
  answerOptedOut: { schema: z.boolean({ error: "Choose whether the bot answers opted-out contacts" }), fallback: true },
  /**
   * The reply cap, against loops with other bots and floods: at most `replyCapLimit` automatic
   * replies (rules, AI, the default reply) per conversation within `replyCapMinutes`; past it
   * the bot goes quiet in that conversation for `replyCapMinutes`, or hands it to people.
   */
  replyCapLimit: {
    schema: z.coerce
      .number({ error: "Automatic replies: enter a number" })
      .int("Automatic replies: a whole number")
      .min(1, "Automatic replies: at least 1")
      .max(1_000, "Automatic replies: at most 1,000"),
    fallback: 20,
  },
  replyCapMinutes: {
    schema: z.coerce
      .number({ error: "Per how many minutes: enter a number" })
      .int("Per how many minutes: whole minutes")
      .min(1, "Per how many minutes: at least 1")
      .max(1_440, "Per how many minutes: at most a day (1,440)"),
    fallback: 10,
  },
  replyCapAction: {
    schema: z.enum(["quiet", "handoff"], { error: "At the cap: choose “go quiet” or “hand off to a person”" }),
    fallback: "quiet" as "quiet" | "handoff",
  },
  /** The Gemini model for AI replies; empty: the deployment's GEMINI_MODEL. */
  aiModel: {
    schema: z
      .string()
      .trim()
      .max(100)
      .regex(/^[A-Za-z0-9._-]*$/, "Use a model name such as gemini-3.8-flash (letters, digits, dots and dashes)"),
    fallback: "",
  },
  /**
   * One answer per burst (server/ai/burst.ts): an AI reply waits until the contact has written
   * nothing for this long, then answers everything they wrote since as one message. 0: off
   * (each message gets its own reply at once). Costs this much latency on every AI reply.
   */
  replyQuietMs: {
    schema: z.coerce
      .number({ error: "Quiet period: enter a number of milliseconds" })
      .int("Quiet period: whole milliseconds")
      .min(0, "Quiet period: 0 (off) or more")
      .max(10_000, "Quiet period: at most 10,000 ms (10 seconds)"),
    fallback: 2_500,
  },
  /**
   * One decision per burst for rules too (server/messaging/quiet.ts): a message waits for the
   * same quiet period before its rules run, and a burst is decided as ONE message (its texts
   * joined, in order). Off (the default): rules answer each message at once.
   */
  quietBeforeRules: {
    schema: z.boolean({ error: "Choose whether rules wait for the quiet period" }),
    fallback: false,
  },
  /**
   * The daily budget of the AI in US dollars, by the estimated cost (server/ai/usage.ts): once
   * today's (UTC) estimate reaches it, AI replies send the profile's fallback text without
   * calling the model until the day ends. null: no cap (the default).
   */
  aiDailyCapUsd: {
    // An empty field (or 0) is "no cap", as null.
    schema: z.preprocess(
      (value) => (value === "" || value === 0 || value === "0" ? null : value),
      z.coerce
        .number({ error: "Daily AI budget: enter an amount in US dollars" })
        .min(0.01, "Daily AI budget: at least 0.01 US dollars")
        .max(100_000, "Daily AI budget: at most 100,000 US dollars")
        .nullable(),
    ),
    fallback: null as number | null,
  },
  /**
   * Admins must sign in with two-factor (TOTP): an admin without it is sent to enrol right after
   * signing in and can do nothing else until they have.
   */
  requireTwoFactorForAdmins: { schema: z.boolean({ error: "Choose on or off" }), fallback: false },
  /**
   * Media files (photos, voice notes, videos, documents) not used for this many days are
   * removed by the daily `media.retention` job; library files never are. null: kept forever
   * (the default).
   */
  mediaRetentionDays: {
    // An empty field is "forever", as null.
    schema: z.preprocess(
      (value) => (value === "" ? null : value),
      z.coerce
        .number({ error: "Keep media: enter a number of days" })
        .int("Keep media: whole days")
        .min(1, "Keep media: at least 1 day")
        .max(3_650, "Keep media: at most 3,650 days (10 years)")
        .nullable(),
    ),
    fallback: null as number | null,
  },
  /**
   * Messages older than this many days are deleted by the daily `messages.retention` job, in
   * batches, with what refers to them (server/data-rights/retention.ts, docs/data-rights.md).
   * null: kept forever (the default). At least 7 days: analytics' rollups are final by then.
   */
  messageRetentionDays: {
    schema: z.preprocess(
      (value) => (value === "" ? null : value),
      z.coerce
        .number({ error: "Keep messages: enter a number of days" })
        .int("Keep messages: whole days")
        .min(7, "Keep messages: at least 7 days")
        .max(36_500, "Keep messages: at most 36,500 days (100 years)")
        .nullable(),
    ),
    fallback: null as number | null,
  },
  /**
   * The words that get a contact out of a flow, whatever it is asking (whole messages, compared
   * without case or accents): a stop word ends it (with `stopReply`, if any); a menu word ends it
   * and starts the menu flow (`menuFlowId`), which a menu word also starts when no flow runs.
   */
  flowEscape: {
    schema: z
      .object({
        stopWords: z.array(z.string().trim().min(1, "Enter a word").max(40, "At most 40 characters")).max(20),
        menuWords: z.array(z.string().trim().min(1, "Enter a word").max(40, "At most 40 characters")).max(20),
        menuFlowId: z.uuid("Pick a flow").nullable(),
        stopReply: z.string().trim().max(1_000, "At most 1,000 characters"),
      })
      .strict(),
    fallback: { stopWords: ["stop", "cancel"], menuWords: ["menu"], menuFlowId: null, stopReply: "" } as {
      stopWords: string[];
      menuWords: string[];
      menuFlowId: string | null;
      stopReply: string;
    },
  },
  /**
   * Opt-out keywords (server/contacts/consent.ts, docs/consent.md): a contact whose whole message
   * is one of them (without case, accents or surrounding punctuation) is opted out at once and
   * told so once, with `confirmation` (empty: the built-in text in the contact's language).
   */
  optOut: {
    schema: z
      .object({
        keywords: z
          .array(z.string().trim().min(1, "Enter a keyword").max(40, "At most 40 characters"))
          .max(30, "At most 30 keywords"),
        confirmation: z.string().trim().max(1_000, "At most 1,000 characters"),
      })
      .strict(),
    fallback: { keywords: defaultOptOutKeywords(), confirmation: "" },
  },
  /** Opening hours per weekday, in `timeZone`; an empty list means closed all day. */
  businessHours: {
    schema: z.object(
      Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(ZBusinessInterval).max(6)])) as Record<
        TWeekday,
        z.ZodArray<typeof ZBusinessInterval>
      >,
    ),
    fallback: {
      mon: [{ start: "09:00", end: "17:00" }],
      tue: [{ start: "09:00", end: "17:00" }],
      wed: [{ start: "09:00", end: "17:00" }],
      thu: [{ start: "09:00", end: "17:00" }],
      fri: [{ start: "09:00", end: "17:00" }],
      sat: [],
      sun: [],
    },
  },
};
type TFields = typeof ORG_SETTING_FIELDS;

/** Opening hours per weekday (the org setting's shape; a team's own hours use it too). */
export const ZBusinessHours = ORG_SETTING_FIELDS.businessHours.schema;
type TFieldName = keyof TFields;
const FIELD_NAMES = Object.keys(ORG_SETTING_FIELDS) as TFieldName[];

/**
 * Org-wide settings. Every field has a default, so a field added by a later issue is valid
 * for rows written before it existed.
 */
export const ZOrgSettings = z.object({
  orgName: ORG_SETTING_FIELDS.orgName.schema.default(ORG_SETTING_FIELDS.orgName.fallback),
  defaultCountry: ORG_SETTING_FIELDS.defaultCountry.schema.default(ORG_SETTING_FIELDS.defaultCountry.fallback),
  timeZone: ORG_SETTING_FIELDS.timeZone.schema.default(ORG_SETTING_FIELDS.timeZone.fallback),
  defaultReply: ORG_SETTING_FIELDS.defaultReply.schema.default(ORG_SETTING_FIELDS.defaultReply.fallback),
  businessHours: ORG_SETTING_FIELDS.businessHours.schema.default(ORG_SETTING_FIELDS.businessHours.fallback),
  aiModel: ORG_SETTING_FIELDS.aiModel.schema.default(ORG_SETTING_FIELDS.aiModel.fallback),
  handbackMinutes: ORG_SETTING_FIELDS.handbackMinutes.schema.default(ORG_SETTING_FIELDS.handbackMinutes.fallback),
  answerOptedOut: ORG_SETTING_FIELDS.answerOptedOut.schema.default(ORG_SETTING_FIELDS.answerOptedOut.fallback),
  replyCapLimit: ORG_SETTING_FIELDS.replyCapLimit.schema.default(ORG_SETTING_FIELDS.replyCapLimit.fallback),
  replyCapMinutes: ORG_SETTING_FIELDS.replyCapMinutes.schema.default(ORG_SETTING_FIELDS.replyCapMinutes.fallback),
  replyCapAction: ORG_SETTING_FIELDS.replyCapAction.schema.default(ORG_SETTING_FIELDS.replyCapAction.fallback),
  requireTwoFactorForAdmins: ORG_SETTING_FIELDS.requireTwoFactorForAdmins.schema.default(
    ORG_SETTING_FIELDS.requireTwoFactorForAdmins.fallback,
  ),
  mediaRetentionDays: ORG_SETTING_FIELDS.mediaRetentionDays.schema.default(
    ORG_SETTING_FIELDS.mediaRetentionDays.fallback,
  ),
  messageRetentionDays: ORG_SETTING_FIELDS.messageRetentionDays.schema.default(
    ORG_SETTING_FIELDS.messageRetentionDays.fallback,
  ),
  flowEscape: ORG_SETTING_FIELDS.flowEscape.schema.default(ORG_SETTING_FIELDS.flowEscape.fallback),
  replyQuietMs: ORG_SETTING_FIELDS.replyQuietMs.schema.default(ORG_SETTING_FIELDS.replyQuietMs.fallback),
  quietBeforeRules: ORG_SETTING_FIELDS.quietBeforeRules.schema.default(ORG_SETTING_FIELDS.quietBeforeRules.fallback),
  aiDailyCapUsd: ORG_SETTING_FIELDS.aiDailyCapUsd.schema.default(ORG_SETTING_FIELDS.aiDailyCapUsd.fallback),
  optOut: ORG_SETTING_FIELDS.optOut.schema.default(ORG_SETTING_FIELDS.optOut.fallback),
});
export type TOrgSettings = z.infer<typeof ZOrgSettings>;
export type TBusinessHours = TOrgSettings["businessHours"];

/** A change to some settings: only the fields given are validated and changed. */
export const ZUpdateOrgSettingsInput = z
  .object({
    orgName: ORG_SETTING_FIELDS.orgName.schema,
    defaultCountry: ORG_SETTING_FIELDS.defaultCountry.schema,
    timeZone: ORG_SETTING_FIELDS.timeZone.schema,
    defaultReply: ORG_SETTING_FIELDS.defaultReply.schema,
    businessHours: ORG_SETTING_FIELDS.businessHours.schema,
    aiModel: ORG_SETTING_FIELDS.aiModel.schema,
    handbackMinutes: ORG_SETTING_FIELDS.handbackMinutes.schema,
    answerOptedOut: ORG_SETTING_FIELDS.answerOptedOut.schema,
    replyCapLimit: ORG_SETTING_FIELDS.replyCapLimit.schema,
    replyCapMinutes: ORG_SETTING_FIELDS.replyCapMinutes.schema,
    replyCapAction: ORG_SETTING_FIELDS.replyCapAction.schema,
    requireTwoFactorForAdmins: ORG_SETTING_FIELDS.requireTwoFactorForAdmins.schema,
    mediaRetentionDays: ORG_SETTING_FIELDS.mediaRetentionDays.schema,
    messageRetentionDays: ORG_SETTING_FIELDS.messageRetentionDays.schema,
    flowEscape: ORG_SETTING_FIELDS.flowEscape.schema,
    replyQuietMs: ORG_SETTING_FIELDS.replyQuietMs.schema,
    quietBeforeRules: ORG_SETTING_FIELDS.quietBeforeRules.schema,
    aiDailyCapUsd: ORG_SETTING_FIELDS.aiDailyCapUsd.schema,
    optOut: ORG_SETTING_FIELDS.optOut.schema,
  })
  .partial()
  .strict();
export type TUpdateOrgSettingsInput = z.input<typeof ZUpdateOrgSettingsInput>;

/**
 * Reads a stored value field by field: a field that is missing or no longer valid (edited by
 * hand, or written by an older version) falls back to its default alone.
 */
export function readOrgSettings(stored: unknown): TOrgSettings {
  const record = stored && typeof stored === "object" ? (stored as Record<string, unknown>) : {};
  const entries = FIELD_NAMES.map((name) => {
    const parsed = ORG_SETTING_FIELDS[name].schema.safeParse(record[name]);
    return [name, parsed.success ? parsed.data : ORG_SETTING_FIELDS[name].fallback];
  });
  return Object.fromEntries(entries) as TOrgSettings;
}
