import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bytea, id, timestamps, timestamptz } from "./columns";
import { users } from "./users";

/**
 * An outgoing webhook endpoint. The signing secret is encrypted with APP_SECRET; after a
 * rotation the previous one stays valid (both signatures are sent) until `previous_secret_expires_at`.
 */
export const webhooks = pgTable("webhooks", {
  id: id(),
  url: text().notNull(),
  description: text().notNull().default(""),
  secret: bytea().notNull(),
  previousSecret: bytea(),
  previousSecretExpiresAt: timestamptz(),
  /** Event types it receives; empty: all of them. */
  events: text()
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  enabled: boolean().notNull().default(true),
  /** Why Switchboard disabled it (410 Gone, failing for days); null when a person did or it is enabled. */
  disabledReason: text(),
  /** The first failed attempt since the last success: an endpoint failing for five days is disabled. */
  failingSince: timestamptz(),
  createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
  ...timestamps(),
});

export const DELIVERY_STATUSES = ["pending", "retrying", "delivered", "dead"] as const;
export type TDeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one endpoint. Created with the event, in its transaction (a trigger), so no
 * event is lost; its id is the `webhook-id` of every attempt. `payload` is fixed when it is
 * first dispatched, so every retry sends the same body.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: uuid().notNull(),
    eventType: text().notNull(),
    payload: jsonb(),
    status: text().$type<TDeliveryStatus>().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    dispatchedAt: timestamptz(),
    /** The one job allowed to attempt it next: a redelivery makes older scheduled retries stale. */
    jobToken: uuid(),
    nextAttemptAt: timestamptz(),
    lastHttpStatus: integer(),
    lastError: text(),
    deliveredAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_webhook_event_key").on(t.webhookId, t.eventId),
    // An event's deliveries, whatever the endpoint: removed with the event (server/data-rights).
    index("webhook_deliveries_event_idx").on(t.eventId),
    index("webhook_deliveries_webhook_created_idx").on(t.webhookId, t.createdAt),
    index("webhook_deliveries_undispatched_idx")
      .on(t.createdAt)
      .where(sql`${t.dispatchedAt} is null`),
  ],
);

/** Every attempt of a delivery: when, the status code, latency and the first 1 KiB of the response. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: id(),
    deliveryId: uuid()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    at: timestamptz().notNull().defaultNow(),
    httpStatus: integer(),
    latencyMs: integer().notNull(),
    responseExcerpt: text(),
    error: text(),
  },
  (t) => [
    index("webhook_attempts_delivery_idx").on(t.deliveryId, t.attempt),
    index("webhook_attempts_at_idx").on(t.at),
  ],
);

export const API_SCOPES = ["read", "write"] as const;
export type TApiScope = (typeof API_SCOPES)[number];

/** Keys of the REST API. Only a SHA-256 of the key is stored; `prefix` finds it. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    name: text().notNull(),
    prefix: text().notNull(),
    hash: text().notNull(),
    scopes: text().array().$type<TApiScope[]>().notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: timestamptz(),
    revokedAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex("api_keys_prefix_key").on(t.prefix)],
);

/** Requests per key per minute (the API's rate limit, shared by every web process). */
export const apiKeyUsage = pgTable(
  "api_key_usage",
  {
    keyId: uuid()
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    windowStart: timestamptz().notNull(),
    count: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.windowStart] })],
);

/** What an idempotent request (an `Idempotency-Key`) answered, so a retry gets the same answer. */
export const apiIdempotency = pgTable(
  "api_idempotency",
  {
    keyId: uuid()
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    idempotencyKey: text().notNull(),
    /** Method, path and body hash: the same key with another request is refused. */
    fingerprint: text().notNull(),
    response: jsonb().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.idempotencyKey] })],
);
