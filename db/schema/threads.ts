import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { contacts } from "./contacts";
import { teams } from "./teams";
import { users } from "./users";

export const THREAD_MODES = ["bot", "human", "closed"] as const;
export const threadMode = pgEnum("thread_mode", THREAD_MODES);
export const THREAD_PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;
export const threadPriority = pgEnum("thread_priority", THREAD_PRIORITIES);

/** A conversation with one contact; `mode` says who owns it right now. */
export const threads = pgTable(
  "threads",
  {
    id: id(),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    mode: threadMode().notNull().default("bot"),
    assignedUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The team whose queue the conversation is in (a hand-off to a team); null: the shared queue. */
    teamId: uuid().references(() => teams.id, { onDelete: "set null" }),
    lastMessageAt: timestamptz(),
    handoffAt: timestamptz(),
    /** The contact's oldest message nobody (bot or person) has answered yet; null when answered. */
    awaitingSince: timestamptz(),
    /** The last time a person took the thread, was given it or replied: the idle handback's clock. */
    humanActiveAt: timestamptz(),
    closedAt: timestamptz(),
    topics: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Learned as messages arrive (server/threads/learned-context.ts). */
    sentiment: text().$type<"positive" | "neutral" | "negative">(),
    sentimentScore: real(),
    /**
     * The reply cap's ledger: when the bot's automatic replies of the current window were
     * decided (oldest first, at most the cap), written with the thread row locked.
     */
    autoRepliesAt: timestamptz()
      .array()
      .notNull()
      .default(sql`'{}'::timestamptz[]`),
    /** When the reply cap last paused the bot here (it stays quiet for the cap's window). */
    botPausedAt: timestamptz(),
    /**
     * The active flow's state (server/flows/state.ts owns its shape: flow, version, step, variables,
     * attempts, the deadline of a wait); null when no flow runs here.
     */
    flow: jsonb().$type<Record<string, unknown>>(),
    /** How urgent staff marked the conversation. */
    priority: threadPriority().notNull().default("none"),
    /** Labels staff put on the conversation (lower case, trimmed). */
    labels: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** When staff snoozed the conversation (null: not snoozed); it wakes at `snoozedUntil` or when the contact writes. */
    snoozedAt: timestamptz(),
    /** When a snooze ends by itself; null with `snoozedAt` set: only when the contact writes. */
    snoozedUntil: timestamptz(),
    /** The first reply by a person since the last hand-off (the first-response SLA's clock stops). */
    firstHumanReplyAt: timestamptz(),
    /** SLA deadlines set at hand-off from the team's targets; null: no target. */
    slaFirstResponseDueAt: timestamptz(),
    slaResolutionDueAt: timestamptz(),
    /** When each SLA target was found breached (its event was recorded once). */
    slaFirstResponseBreachedAt: timestamptz(),
    slaResolutionBreachedAt: timestamptz(),
    /** A small dense number for analytics' per-day thread bitmaps (analytics_thread_days). */
    analyticsNo: integer().notNull().generatedAlwaysAsIdentity(),
    ...timestamps(),
  },
  (t) => [
    // One conversation per contact: a closed thread reopens when the contact writes again.
    uniqueIndex("threads_contact_key").on(t.contactId),
    index("threads_mode_last_message_idx").on(t.mode, t.lastMessageAt),
    // The inbox's "all" filter, latest message first (a backward scan), paged by keyset.
    index("threads_last_message_idx").on(t.lastMessageAt, t.id),
    // The inbox's human threads (few), by owner and waiting time; and the idle handback's scan.
    index("threads_human_idx")
      .on(t.assignedUserId, t.awaitingSince)
      .where(sql`${t.mode} = 'human'`),
    // A team's queue: its waiting (human, unassigned) conversations, oldest hand-off first.
    index("threads_team_queue_idx")
      .on(t.teamId, t.handoffAt)
      .where(sql`${t.mode} = 'human' and ${t.assignedUserId} is null`),
    // The inbox's queues in their order (waiting longest first, then latest activity), so a
    // queue's first page is read from the index, not sorted: a team's, and all unassigned ones.
    index("threads_team_queue_order_idx")
      .on(t.teamId, t.awaitingSince, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.mode} = 'human' and ${t.assignedUserId} is null`),
    index("threads_unassigned_order_idx")
      .on(t.awaitingSince, t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.mode} = 'human' and ${t.assignedUserId} is null`),
    // Snoozed conversations that wake by themselves, soonest first.
    index("threads_snooze_idx")
      .on(t.snoozedUntil)
      .where(sql`${t.snoozedAt} is not null and ${t.snoozedUntil} is not null`),
    // Open SLA clocks, for the breach sweep.
    index("threads_sla_first_response_idx")
      .on(t.slaFirstResponseDueAt)
      .where(sql`${t.slaFirstResponseBreachedAt} is null and ${t.firstHumanReplyAt} is null and ${t.mode} = 'human'`),
    index("threads_sla_resolution_idx")
      .on(t.slaResolutionDueAt)
      .where(sql`${t.slaResolutionBreachedAt} is null and ${t.mode} = 'human'`),
  ],
);

/** How far each staff member has read each thread (the inbox's unread counts). */
export const threadReads = pgTable(
  "thread_reads",
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    lastReadSeq: bigint({ mode: "number" }).notNull(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.threadId] })],
);

/** Internal notes on a thread: seen by staff only, never sent, never in webhooks. */
export const threadNotes = pgTable(
  "thread_notes",
  {
    id: id(),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    /** Null for notes Switchboard writes itself (the idle handback). */
    authorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    body: text().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [index("thread_notes_thread_idx").on(t.threadId, t.createdAt)],
);

/** Saved replies agents insert in the composer; `{{contact.firstName}}`-style variables. */
export const cannedReplies = pgTable(
  "canned_replies",
  {
    id: id(),
    title: text().notNull(),
    body: text().notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [uniqueIndex("canned_replies_title_key").on(sql`lower(${t.title})`)],
);

/**
 * A satisfaction survey sent when a conversation was closed, and its answer (a 1–5 score and an
 * optional comment). Team and agent are the ones the conversation had when it was closed.
 */
export const satisfactionSurveys = pgTable(
  "satisfaction_surveys",
  {
    id: id(),
    threadId: uuid()
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    teamId: uuid().references(() => teams.id, { onDelete: "set null" }),
    agentUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    sentAt: timestamptz().notNull().defaultNow(),
    /** After this an answer is no longer taken as the survey's. */
    expiresAt: timestamptz().notNull(),
    answeredAt: timestamptz(),
    score: smallint(),
    comment: text(),
  },
  (t) => [
    check("satisfaction_surveys_score_check", sql`${t.score} is null or ${t.score} between 1 and 5`),
    index("satisfaction_surveys_open_idx")
      .on(t.threadId, t.sentAt)
      .where(sql`${t.answeredAt} is null`),
    index("satisfaction_surveys_answered_idx")
      .on(t.answeredAt)
      .where(sql`${t.answeredAt} is not null`),
    // Analytics' surveys sent in a period.
    index("satisfaction_surveys_sent_idx").on(t.sentAt),
  ],
);

export const NOTIFICATION_KINDS = ["mention", "assigned"] as const;

/** Something a staff member should see: a teammate mentioned them in a note, or gave them a conversation. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text().$type<(typeof NOTIFICATION_KINDS)[number]>().notNull(),
    threadId: uuid().references(() => threads.id, { onDelete: "cascade" }),
    noteId: uuid().references(() => threadNotes.id, { onDelete: "cascade" }),
    actorUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamptz().notNull().defaultNow(),
    readAt: timestamptz(),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.createdAt)],
);
