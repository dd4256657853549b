import { and, asc, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contactIdentities, contacts } from "~/db/schema";
import { pgArray } from "~/server/lib/sql";
import { addressOf, identityOfAddress, type TIdentity } from "./address";

/** A contact's identities, oldest first (the primary address's is among them). */
export async function listIdentities(db: TDbOrTx, contactId: string) {
  return db
    .select({
      id: contactIdentities.id,
      kind: contactIdentities.kind,
      value: contactIdentities.value,
      source: contactIdentities.source,
      createdAt: contactIdentities.createdAt,
    })
    .from(contactIdentities)
    .where(eq(contactIdentities.contactId, contactId))
    .orderBy(asc(contactIdentities.createdAt), asc(contactIdentities.kind), asc(contactIdentities.value));
}

/** The identities of many contacts at once (the REST list), by contact id. */
export async function listIdentitiesOf(db: TDbOrTx, contactIds: readonly string[]) {
  const byContact = new Map<string, TIdentity[]>();
  if (contactIds.length === 0) return byContact;
  const rows = await db
    .select({ contactId: contactIdentities.contactId, kind: contactIdentities.kind, value: contactIdentities.value })
    .from(contactIdentities)
    .where(sql`${contactIdentities.contactId} = any(${pgArray(contactIds, "uuid")})`)
    .orderBy(asc(contactIdentities.createdAt), asc(contactIdentities.kind), asc(contactIdentities.value));
  for (const row of rows) {
    const list = byContact.get(row.contactId) ?? [];
    list.push({ kind: row.kind, value: row.value });
    byContact.set(row.contactId, list);
  }
  return byContact;
}

/** The contact that holds this identity on the session, if any. */
export async function findContactByIdentity(db: TDbOrTx, sessionId: string, identity: TIdentity) {
  const [row] = await db
    .select({ contact: contacts })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(
      and(
        eq(contactIdentities.sessionId, sessionId),
        eq(contactIdentities.kind, identity.kind),
        eq(contactIdentities.value, identity.value),
      ),
    );
  return row?.contact ?? null;
}

/**
 * The contact a primary address (a phone, `…@lid`…) reaches on a session, found through its
 * identities (so a second number merged into a contact reaches that contact), or created with
 * that address. For messages we send rather than answer.
 */
export async function findOrCreateContactByAddress(tx: TDbOrTx, sessionId: string, address: string) {
  const identity = identityOfAddress(address);
  const found = await findContactByIdentity(tx, sessionId, identity);
  if (found) return found;
  await tx
    .insert(contacts)
    .values({ sessionId, waId: addressOf(identity) })
    .onConflictDoNothing({ target: [contacts.sessionId, contacts.waId] });
  const contact = await findContactByIdentity(tx, sessionId, identity);
  if (!contact) throw new Error(`no contact holds ${identity.kind} ${identity.value} after creating it`);
  return contact;
}
