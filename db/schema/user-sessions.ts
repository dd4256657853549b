import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { users } from "./users";

/**
 * One row per sign-in to the dashboard. The session token (a next-auth JWT) carries this row's
 * id, and every request checks the row: signing out, "sign out other sessions", disabling a user
 * or resetting their password set `revoked_at`, and the token stops working at once.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamptz().notNull().defaultNow(),
    /** Updated at most once a minute while the session is used. */
    lastSeenAt: timestamptz().notNull().defaultNow(),
    userAgent: text(),
    ip: text(),
    revokedAt: timestamptz(),
    /** `signed_out`, `signed_out_elsewhere`, `disabled`, `password_reset`, `admin`. */
    revokedReason: text(),
  },
  (t) => [
    index("user_sessions_user_idx").on(t.userId, t.lastSeenAt),
    index("user_sessions_last_seen_idx").on(t.lastSeenAt),
  ],
);
