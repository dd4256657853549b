import { sql } from "drizzle-orm";
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
  (t) => [
    index("events_type_at_idx").on(t.type, t.at),
    index("events_at_idx").on(t.at),
    // A message's and a contact's events: erasure, message retention and a contact's data export
    // (server/data-rights) find them by these instead of reading every event.
    index("events_message_idx")
      .on(t.messageId)
      .where(sql`${t.messageId} is not null`),
    index("events_contact_idx")
      .on(t.contactId)
      .where(sql`${t.contactId} is not null`),
    // A conversation's AI replies, newest first: the Inbox's AI tool calls panel (server/ai/tools.ts).
    index("events_thread_ai_idx")
      .on(t.threadId, t.at)
      .where(sql`${t.type} = 'ai.replied'`),
    // A conversation's activity timeline (server/inbox): only the few activity types, so the
    // pipeline's message events do not pay for the index.
    index("events_thread_activity_idx")
      .on(t.threadId, t.at)
      .where(
        sql`${t.threadId} is not null and ${t.type} in ('thread.handoff', 'thread.assigned', 'thread.released', 'thread.closed', 'thread.reopened', 'thread.snoozed', 'thread.woke', 'thread.updated', 'thread.sla_breached', 'thread.survey_answered')`,
      ),
  ],
);
