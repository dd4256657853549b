import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { bytea, id, timestamps, timestamptz } from "./columns";

/** An outgoing webhook endpoint; the signing secret is encrypted with APP_SECRET. */
export const webhooks = pgTable("webhooks", {
  id: id(),
  url: text().notNull(),
  description: text().notNull().default(""),
  secret: bytea().notNull(),
  events: text()
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  enabled: boolean().notNull().default(true),
  ...timestamps(),
});

/** One delivery attempt of one event to one endpoint. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    eventId: uuid().notNull(),
    attempt: integer().notNull(),
    status: text().notNull(),
    httpStatus: integer(),
    latencyMs: integer(),
    responseExcerpt: text(),
    error: text(),
    nextAttemptAt: timestamptz(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("webhook_deliveries_webhook_at_idx").on(t.webhookId, t.at),
    index("webhook_deliveries_event_idx").on(t.eventId),
  ],
);
