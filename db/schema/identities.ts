import { index, pgEnum, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { contacts } from "./contacts";
import { waSessions } from "./sessions";

/**
 * How WhatsApp addresses a person: a phone number (E.164), a LID (`…@lid`, a privacy id; stored
 * as its digits), and on the official Cloud API a business-scoped user id or a username.
 */
export const IDENTITY_KINDS = ["phone", "lid", "bsuid", "username"] as const;
export type TIdentityKind = (typeof IDENTITY_KINDS)[number];
export const identityKind = pgEnum("contact_identity_kind", IDENTITY_KINDS);

/**
 * One WhatsApp identity of a contact, unique per session: inbound messages find their contact
 * through these. `contacts.wa_id` is always the address of one of the contact's own identities
 * (the phone when one is known), kept so by a trigger (see the migration and
 * docs/architecture.md, Contacts and identities).
 */
export const contactIdentities = pgTable(
  "contact_identities",
  {
    id: id(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    kind: identityKind().notNull(),
    value: text().notNull(),
    /** Who told us: `contact` (the contact's own address), `message`, `engine`, `staff`, `backfill`. */
    source: text().notNull(),
    createdAt: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contact_identities_session_kind_value_key").on(t.sessionId, t.kind, t.value),
    index("contact_identities_contact_idx").on(t.contactId),
  ],
);
