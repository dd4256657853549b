import { sql } from "drizzle-orm";
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
