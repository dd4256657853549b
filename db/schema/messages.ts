import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { waSessions } from "./sessions";
import { threads } from "./threads";

export const MESSAGE_DIRECTIONS = ["in", "out"] as const;
export const messageDirection = pgEnum("message_direction", MESSAGE_DIRECTIONS);
/**
 * Who wrote a message: the contact; the bot (a rule, the AI, a flow); a person (an agent in the
 * Inbox, someone on the linked phone); another system (the API); or Switchboard itself (`system`:
 * a team's hand-off acknowledgement, the satisfaction survey), which is neither the bot's answer
 * nor a person's, so response times and the bot's figures leave it out; or a campaign.
 */
export const MESSAGE_SOURCES = [
  "contact",
  "rule",
  "ai",
  "agent",
  "api",
  "phone",
  "flow",
  "system",
  "campaign",
] as const;
export const messageSource = pgEnum("message_source", MESSAGE_SOURCES);
export const MESSAGE_STATUSES = ["received", "queued", "sent", "delivered", "read", "failed"] as const;
export const messageStatus = pgEnum("message_status", MESSAGE_STATUSES);

/** Why the bot stayed silent on an inbound message in a bot thread (`messages.no_reply_reason`). */
export const NO_REPLY_REASONS = ["blocked", "opted_out", "reply_cap", "too_old"] as const;
export type TNoReplyReason = (typeof NO_REPLY_REASONS)[number];

/** Media metadata only; the bytes stay with WhatsApp. */
export type TMediaMeta = { mimeType?: string; fileName?: string; size?: number; caption?: string };

/**
 * Every message in or out. `session_id` is stored beside `thread_id` so a WhatsApp
 * message id can be unique per session (the idempotency key of ingest).
 */
export const messages = pgTable(
  "messages",
  {
    id: id(),
    /** Total order of messages as they were decided: replies leave a thread in this order. */
    seq: bigint({ mode: "number" }).generatedAlwaysAsIdentity(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    direction: messageDirection().notNull(),
    waMessageId: text(),
    type: text().notNull().default("text"),
    body: text().notNull().default(""),
    media: jsonb().$type<TMediaMeta>(),
    /**
     * What the message carries, by kind (server/messages/content.ts, `ZMessageContent`); `body`
     * holds its text stand-in. Null only on rows written by a path that predates it: read as text.
     */
    content: jsonb().$type<{ kind: string } & Record<string, unknown>>(),
    source: messageSource().notNull(),
    /**
     * The rule (and version) that produced a bot reply. No foreign key: the worker runs a
     * published version, whose rules may since have been deleted from the draft.
     */
    ruleId: uuid(),
    ruleVersion: integer(),
    authorUserId: uuid(),
    status: messageStatus().notNull(),
    error: text(),
    aiLatencyMs: integer(),
    /** The inbound message a bot reply answers. */
    replyToMessageId: uuid(),
    /** What ingest noticed and fixed or kept: `empty`, `truncated`, `invalid_utf16`, `unknown_type`… */
    flags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** When `message.process` finished with this inbound message (its replies are committed with it). */
    processedAt: timestamptz(),
    /**
     * Why the bot did not answer this inbound message although its thread was the bot's: the
     * contact is blocked, opted out (and Settings say not to answer them), or the reply cap.
     */
    noReplyReason: text().$type<TNoReplyReason>(),
    createdAt: timestamptz().notNull().defaultNow(),
    queuedAt: timestamptz(),
    sentAt: timestamptz(),
    deliveredAt: timestamptz(),
    readAt: timestamptz(),
    failedAt: timestamptz(),
  },
  (t) => [
    uniqueIndex("messages_session_wa_message_id_key").on(t.sessionId, t.waMessageId),
    index("messages_thread_created_idx").on(t.threadId, t.createdAt),
    index("messages_created_idx").on(t.createdAt),
    index("messages_thread_queued_seq_idx")
      .on(t.threadId, t.seq)
      .where(sql`${t.status} = 'queued'`),
    index("messages_failed_idx")
      .on(t.failedAt)
      .where(sql`${t.status} = 'failed'`),
    // A number's outbound messages of a source by time: its campaign messages of the day (its
    // daily cap) and of the last day (its health), server/campaigns/health.ts. Not partial on
    // `source = 'campaign'`: on a new database every migration runs in one transaction, where a
    // value added to an enum in it (0039) may not be used.
    index("messages_session_source_created_idx")
      .on(t.sessionId, t.source, t.createdAt)
      .where(sql`${t.direction} = 'out'`),
    // The messages that refer to a stored file (or its thumbnail), by its key: whether a file is
    // still used by anyone when a contact is erased or old messages are removed (server/data-rights).
    index("messages_media_key_idx")
      .on(sql`(${t.content} -> 'media' ->> 'storageKey')`)
      .where(sql`(${t.content} -> 'media' ->> 'storageKey') is not null`),
    index("messages_media_thumb_idx")
      .on(sql`(${t.content} -> 'media' ->> 'thumbKey')`)
      .where(sql`(${t.content} -> 'media' ->> 'thumbKey') is not null`),
    // The agents table's replies per person (INCLUDE (author_user_id, session_id) in the migration).
    index("messages_agent_replies_idx")
      .on(t.createdAt)
      .where(sql`${t.source} = 'agent'`),
  ],
);
