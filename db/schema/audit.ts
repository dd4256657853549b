import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { users } from "./users";

/** Who changed which configuration, with the entity before and after. Append-only. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: id(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** Kept even if the user is deleted later. */
    userEmail: text(),
    action: text().notNull(),
    entity: text().notNull(),
    entityId: text(),
    before: jsonb(),
    after: jsonb(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at, t.id),
    index("audit_log_entity_at_idx").on(t.entity, t.at),
    index("audit_log_user_at_idx").on(t.userId, t.at),
  ],
);
