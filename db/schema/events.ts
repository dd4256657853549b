import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";

/** Append-only domain events: feeds webhooks, the live stream and analytics. */
export const events = pgTable(
  "events",
  {
    id: id(),
    type: text().notNull(),
    sessionId: uuid(),
    contactId: uuid(),
    threadId: uuid(),
    messageId: uuid(),
    payload: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [index("events_type_at_idx").on(t.type, t.at), index("events_at_idx").on(t.at)],
);
