import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  uuid,
} from "drizzle-orm/pg-core";
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
    /** The response time's histogram bucket (server/analytics/percentiles.ts): about four per doubling. */
    bucket: smallint()
      .notNull()
      .generatedAlwaysAs(sql`floor(ln(response_ms::float8 + 1) * 5.770780163555854)::smallint`),
  },
  (t) => [
    // The migration adds INCLUDE (responder, response_ms, session_id): percentiles from the index alone.
    index("analytics_responses_at_idx").on(t.respondedAt),
    // The values of one histogram bucket in a time range (INCLUDE (response_ms, session_id) in the migration).
    index("analytics_responses_bucket_idx").on(t.responder, t.bucket, t.respondedAt),
    index("analytics_responses_user_idx")
      .on(t.userId, t.respondedAt)
      .where(sql`${t.userId} is not null`),
  ],
);

/**
 * How many responses fell in each histogram bucket, per hour, session and responder: kept with
 * `analytics_hourly` (same job, same watermark). Exact percentiles read it to find the bucket that
 * holds the wanted rank, then only that bucket's values (server/analytics/percentiles.ts).
 */
export const analyticsResponseHist = pgTable(
  "analytics_response_hist",
  {
    hour: timestamptz().notNull(),
    sessionId: uuid().notNull(),
    responder: text().$type<"bot" | "human">().notNull(),
    bucket: smallint().notNull(),
    n: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.sessionId, t.responder, t.bucket] })],
);

/** THREAD_CHUNK bits: bit `n % THREAD_CHUNK` of chunk `n / THREAD_CHUNK` is the thread numbered n. */
export const THREAD_CHUNK = 8192;
const threadBits = customType<{ data: string }>({ dataType: () => `bit(${THREAD_CHUNK})` });

/**
 * Which threads were active on a UTC day, as bitmaps over `threads.analytics_no` (one row per day,
 * session and chunk of 8,192 threads): the Overview's distinct thread counts for any range are a
 * few bitwise ORs and bit counts instead of hashing every message of the range. Rebuilt for
 * recent days by the `analytics.rollup` job; days after `analytics_rollup_state` "thread_days"
 * are read from the raw tables.
 */
export const analyticsThreadDays = pgTable(
  "analytics_thread_days",
  {
    day: date({ mode: "string" }).notNull(),
    sessionId: uuid().notNull(),
    chunk: integer().notNull(),
    /** The contact wrote. */
    inbound: threadBits().notNull(),
    /** The bot answered (a rule or AI reply). */
    botAnswered: threadBits().notNull(),
    /** A hand-off to people happened. */
    handedOff: threadBits().notNull(),
    /** A hand-off happened or a person took the thread (a hand-off or an assignment). */
    toPeople: threadBits().notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.sessionId, t.chunk] })],
);

/** One AI reply the bot sent (not those discarded because a person took over): latency and outcome. */
export const analyticsAiCalls = pgTable(
  "analytics_ai_calls",
  {
    id: id(),
    at: timestamptz().notNull().defaultNow(),
    sessionId: uuid().notNull(),
    latencyMs: integer().notNull(),
    fallback: boolean().notNull(),
  },
  // The migration adds INCLUDE (session_id, latency_ms, fallback): the figures from the index alone.
  (t) => [index("analytics_ai_calls_at_idx").on(t.at)],
);
