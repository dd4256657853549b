import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";

/**
 * Counts per hour and session, kept current by the `analytics.rollup` cron job (see
 * docs/architecture.md, Analytics): hours before `analytics_rollup_state.refreshed_until` are
 * read from here, later ones are counted live from the raw tables.
 */
export const analyticsHourly = pgTable(
  "analytics_hourly",
  {
    hour: timestamptz().notNull(),
    sessionId: uuid().notNull(),
    messagesIn: integer().notNull().default(0),
    messagesOut: integer().notNull().default(0),
    sent: integer().notNull().default(0),
    delivered: integer().notNull().default(0),
    read: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    handoffs: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hour, t.sessionId] })],
);

/** Up to when `analytics_hourly` is complete. */
export const analyticsRollupState = pgTable("analytics_rollup_state", {
  name: text().primaryKey(),
  refreshedUntil: timestamptz().notNull(),
});

/**
 * One answer to a waiting contact: from their oldest unanswered message to the first reply
 * queued, by the bot (rule, AI) or a person (agent, phone). Written with the reply.
 */
export const analyticsResponses = pgTable(
  "analytics_responses",
  {
    id: id(),
    threadId: uuid().notNull(),
    sessionId: uuid().notNull(),
    responder: text().$type<"bot" | "human">().notNull(),
    /** The person who answered, for the agents table. */
    userId: uuid(),
    waitingSince: timestamptz().notNull(),
    respondedAt: timestamptz().notNull(),
    responseMs: integer().notNull(),
  },
  (t) => [
    // The migration adds INCLUDE (responder, response_ms, session_id): percentiles from the index alone.
    index("analytics_responses_at_idx").on(t.respondedAt),
    index("analytics_responses_user_idx")
      .on(t.userId, t.respondedAt)
      .where(sql`${t.userId} is not null`),
  ],
);
