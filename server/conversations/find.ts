import { sql } from "drizzle-orm";
import { pgArray } from "~/server/lib/sql";
import type { TDbOrTx } from "~/db/client";
import { threads } from "~/db/schema";
import { findOrCreateContactByAddress } from "~/server/contacts/identities";

/**
 * The contact with this address (a number, or `…@lid`) on the session, found through their
 * identities, and their one thread, found or created (the
 * contact first, then the thread: ingest's lock order, so no deadlock with it). For messages we
 * send to a number rather than answer: from the REST API, or typed on the linked phone.
 */
export async function findOrCreateConversation(tx: TDbOrTx, sessionId: string, waId: string) {
  const contact = await findOrCreateContactByAddress(tx, sessionId, waId);
  const [thread] = await tx
    .insert(threads)
    .values({ contactId: contact.id })
    .onConflictDoUpdate({ target: threads.contactId, set: { updatedAt: sql`${threads.updatedAt}` } })
    .returning();
  return { contact, thread: thread! };
}

/**
 * The one thread of each of these contacts, created where missing (a campaign writes to
 * contacts who may never have had a conversation): contact id → thread id, in one statement.
 */
export async function threadsOfContacts(tx: TDbOrTx, contactIds: readonly string[]): Promise<Map<string, string>> {
  if (contactIds.length === 0) return new Map();
  const { rows } = await tx.execute<{ id: string; contact_id: string }>(sql`
    insert into ${threads} (contact_id) select unnest(${pgArray(contactIds, "uuid")})
    on conflict (contact_id) do update set updated_at = ${threads}.updated_at
    returning id, contact_id`);
  return new Map(rows.map((row) => [row.contact_id, row.id]));
}
