import { bigint, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bytea, id, timestamps, timestamptz } from "./columns";
import { users } from "./users";

/**
 * A user's TOTP authenticator. The secret is encrypted at rest (AES-256-GCM under an HKDF key
 * from APP_SECRET, purpose `totp-secret`). While `enabled_at` is null the enrolment still waits
 * for its first code and sign-in does not ask for one.
 */
export const userTwoFactor = pgTable("user_two_factor", {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: bytea().notNull(),
  enabledAt: timestamptz(),
  /** The last 30-second time step a code was accepted for: that code and older ones are refused (replay). */
  lastUsedStep: bigint({ mode: "number" }),
  ...timestamps(),
});

/** One-time recovery codes, stored as SHA-256 hashes; each works once (`used_at`). */
export const userRecoveryCodes = pgTable(
  "user_recovery_codes",
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex("user_recovery_codes_user_hash_key").on(t.userId, t.codeHash)],
);
