import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { contextProfiles } from "./profiles";
import { waSessions } from "./sessions";

import { relationship } from "./relationship";

export { RELATIONSHIPS, relationship } from "./relationship";

/**
 * A person who writes to a WhatsApp session. `wa_id` is their primary address, unique per session:
 * the phone (E.164) when one is known, else another identity's address (`…@lid`); all of their
 * identities are in `contact_identities` (db/schema/identities.ts).
 */
export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    waId: text().notNull(),
    name: text(),
    relationship: relationship().notNull().default("other"),
    priority: integer().notNull().default(0),
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    profileId: uuid().references(() => contextProfiles.id, { onDelete: "set null" }),
    notes: text().notNull().default(""),
    optedOut: boolean().notNull().default(false),
    /** Consent: when and how the contact agreed to messages we start (campaigns), and when they opted out. */
    optedInAt: timestamptz(),
    optInSource: text(),
    optedOutAt: timestamptz(),
    blocked: boolean().notNull().default(false),
    attributes: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Values of the custom fields defined in Settings (`contact_fields`), by key. */
    fields: jsonb().$type<Record<string, string | number | boolean>>().notNull().default({}),
    firstSeenAt: timestamptz().notNull().defaultNow(),
    lastInteractionAt: timestamptz(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("contacts_session_wa_id_key").on(t.sessionId, t.waId),
    // The contacts list's sorts, each a keyset on (key, id): most recent first (never heard
    // from last, as -infinity), by name, newest first.
    index("contacts_recent_idx").on(sql`coalesce(${t.lastInteractionAt}, '-infinity'::timestamptz) desc`, t.id.desc()),
    index("contacts_name_idx").on(sql`coalesce(${t.name}, '')`, t.id),
    index("contacts_first_seen_idx").on(t.firstSeenAt, t.id),
    index("contacts_tags_idx").using("gin", t.tags),
  ],
);
