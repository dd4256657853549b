import { sql } from "drizzle-orm";
import { index, pgEnum, pgTable, real, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { contacts } from "./contacts";
import { users } from "./users";

export const THREAD_MODES = ["bot", "human", "closed"] as const;
export const threadMode = pgEnum("thread_mode", THREAD_MODES);

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
    lastMessageAt: timestamptz(),
    handoffAt: timestamptz(),
    topics: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Learned as messages arrive (server/threads/learned-context.ts). */
    sentiment: text().$type<"positive" | "neutral" | "negative">(),
    sentimentScore: real(),
    ...timestamps(),
  },
  (t) => [
    // One conversation per contact: a closed thread reopens when the contact writes again.
    uniqueIndex("threads_contact_key").on(t.contactId),
    index("threads_mode_last_message_idx").on(t.mode, t.lastMessageAt),
  ],
);
