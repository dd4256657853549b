import { sql } from "drizzle-orm";
import { boolean, index, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";

export const USER_ROLES = ["admin", "builder", "agent", "manager"] as const;
export const userRole = pgEnum("user_role", USER_ROLES);

/** Whether an agent takes conversations now (auto-assignment gives them only to `online` ones). */
export const AVAILABILITIES = ["online", "away", "offline"] as const;
export const availability = pgEnum("availability", AVAILABILITIES);

/** Staff accounts of the dashboard. Passwords are argon2id hashes. */
export const users = pgTable(
  "users",
  {
    id: id(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    role: userRole().notNull(),
    disabled: boolean().notNull().default(false),
    /** The interface language this user chose (`en`, `es`, `pt-BR`); null: the browser's. */
    locale: text(),
    lastLoginAt: timestamptz(),
    /** Set by hand, or `away` by the sweep when no tab of theirs beat for a while (server/teams/availability.ts). */
    availability: availability().notNull().default("offline"),
    availabilityChangedAt: timestamptz(),
    /** `away` set by the sweep (no tab beat), not by the person: their next heartbeat makes them `online` again. */
    availabilityAuto: boolean().notNull().default(false),
    /** The last heartbeat of any open dashboard tab of theirs. */
    lastSeenAt: timestamptz(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`)],
);

/** Every login attempt, successful or not; the source of login throttling. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: id(),
    email: text().notNull(),
    ip: text(),
    /**
     * What the throttle counts per address: the IPv4 address, or the /64 network of an IPv6 one
     * (one host usually holds a whole /64). Null when the address is unknown.
     */
    addressKey: text(),
    succeeded: boolean().notNull(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    index("login_attempts_email_at_idx").on(sql`lower(${t.email})`, t.at),
    index("login_attempts_ip_at_idx").on(t.ip, t.at),
    index("login_attempts_address_at_idx").on(t.addressKey, t.at),
    index("login_attempts_email_address_at_idx").on(sql`lower(${t.email})`, t.addressKey, t.at),
  ],
);
