import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { contacts } from "./contacts";
import { messages } from "./messages";
import { waSessions } from "./sessions";
import { threads } from "./threads";
import { users } from "./users";
import { apiKeys } from "./webhooks";

/**
 * A saved contact filter (server/campaigns/segments.ts): tags, relationship, priority, custom
 * fields, last contact, opt-in, session. Its members are computed when asked, never stored.
 */
export const segments = pgTable(
  "segments",
  {
    id: id(),
    name: text().notNull(),
    /** The filter (`ZSegmentFilter`), validated on every write and read. */
    filter: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [uniqueIndex("segments_name_key").on(sql`lower(${t.name})`)],
);

export const CAMPAIGN_STATUSES = ["draft", "scheduled", "running", "paused", "cancelled", "done"] as const;
export type TCampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * A message to many contacts (server/campaigns/campaigns.ts): its audience (a segment, or the
 * contacts of an imported list), its content (`ZCampaignContent`: text, a media file, or a
 * template with variables), the numbers it sends from, when, and how fast. Its recipients are
 * materialised once, when it starts (`campaign_recipients`).
 */
export const campaigns = pgTable(
  "campaigns",
  {
    id: id(),
    name: text().notNull(),
    status: text().$type<TCampaignStatus>().notNull().default("draft"),
    /** The segment it sends to (null: an imported list, already in `campaign_recipients`). */
    segmentId: uuid().references(() => segments.id, { onDelete: "set null" }),
    content: jsonb().$type<Record<string, unknown>>().notNull(),
    /** The numbers it may send from: each recipient gets it from their own conversation's number. */
    sessionIds: uuid().array().notNull(),
    /** When it starts (null: when started). */
    startAt: timestamptz(),
    /** No sends between these times of day (HH:MM, the org's time zone); null: none. */
    quietHours: jsonb().$type<{ start: string; end: string } | null>(),
    /** Messages per minute for the whole campaign (each number's pacing applies on top). */
    ratePerMinute: integer().notNull().default(20),
    /** It may go to contacts who never wrote first (an explicit choice; a template on the Cloud API). */
    includeColdContacts: boolean().notNull().default(false),
    /** Why it is paused (`manual`, or a number's health), shown on the campaign. */
    pausedReason: text(),
    /**
     * With `pausedReason = 'health'`: the number whose health paused it and why
     * (server/campaigns/health.ts, `TPauseDetail`).
     */
    pausedDetail: jsonb().$type<Record<string, unknown> | null>(),
    /**
     * Health counts this campaign's numbers' sends from here (a resume after a health pause: staff
     * chose to go on, so only what is sent after it can pause it again); null: the last 24 hours.
     */
    healthSince: timestamptz(),
    /** When a tick last judged its numbers' health (it does at most once a minute: the query reads a day of sends). */
    healthCheckedAt: timestamptz(),
    /** Why a running campaign sends nothing for now (`quiet_hours`, `daily_cap`) and until when. */
    waitReason: text(),
    waitUntil: timestamptz(),
    startedAt: timestamptz(),
    finishedAt: timestamptz(),
    /**
     * The sending loop's token: each `campaign.tick` job carries it, and one whose token is no
     * longer the campaign's (a pause and resume started a new loop) does nothing.
     */
    tickToken: uuid(),
    /**
     * The rate's anchor: `rateAnchorCount` recipients were queued at `rateAnchorAt`; from then on
     * at most `ratePerMinute` more per minute (set at start, resume and the end of quiet hours).
     */
    rateAnchorAt: timestamptz(),
    rateAnchorCount: integer().notNull().default(0),
    /** Recipients materialised at start, and those whose message is made (or skipped) so far. */
    recipientCount: integer().notNull().default(0),
    doneCount: integer().notNull().default(0),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [index("campaigns_status_idx").on(t.status)],
);

export const RECIPIENT_STATES = ["pending", "queued", "skipped"] as const;
export type TRecipientState = (typeof RECIPIENT_STATES)[number];

/**
 * One contact of a campaign, once: `pending` until its message is made, then `queued` with the
 * message (made in the same transaction, so never twice), or `skipped` with the reason (opted
 * out meanwhile, blocked, the window closed…). Delivery, reads and replies are the message's own
 * state, read through `message_id`, never copied here.
 */
export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    state: text().$type<TRecipientState>().notNull().default("pending"),
    /** The campaign's order of sending (materialisation order). */
    position: integer().notNull(),
    /** This contact's values for the content's variables (an imported list's columns). */
    variables: jsonb().$type<Record<string, string>>().notNull().default({}),
    messageId: uuid().references(() => messages.id, { onDelete: "set null" }),
    reason: text(),
    queuedAt: timestamptz(),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.contactId] }),
    index("campaign_recipients_pending_idx")
      .on(t.campaignId, t.position)
      .where(sql`${t.state} = 'pending'`),
    uniqueIndex("campaign_recipients_message_key")
      .on(t.messageId)
      .where(sql`${t.messageId} is not null`),
  ],
);

export const SCHEDULED_STATES = ["scheduled", "sent", "cancelled", "expired", "failed"] as const;
export type TScheduledState = (typeof SCHEDULED_STATES)[number];

/**
 * A message to one contact at a set time (server/scheduled/): from an agent in the Inbox, or the
 * API's `sendAt`. With `expiresAt` (a one-time code) it is dropped, never sent late, when its
 * time has passed before it could be sent.
 */
export const scheduledMessages = pgTable(
  "scheduled_messages",
  {
    id: id(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    body: text().notNull(),
    content: jsonb().$type<Record<string, unknown>>(),
    sendAt: timestamptz().notNull(),
    expiresAt: timestamptz(),
    state: text().$type<TScheduledState>().notNull().default("scheduled"),
    /** The message it became (state `sent`). */
    messageId: uuid().references(() => messages.id, { onDelete: "set null" }),
    reason: text(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    apiKeyId: uuid().references(() => apiKeys.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [
    index("scheduled_messages_due_idx")
      .on(t.sendAt)
      .where(sql`${t.state} = 'scheduled'`),
    index("scheduled_messages_thread_idx").on(t.threadId, t.sendAt),
    // The send path finds the row of a message it drops as expired.
    index("scheduled_messages_message_idx")
      .on(t.messageId)
      .where(sql`${t.messageId} is not null`),
  ],
);
