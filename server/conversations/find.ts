import { and, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, threads } from "~/db/schema";

/**
 * The contact with this number on the session, and their one thread, found or created (the
 * contact first, then the thread: ingest's lock order, so no deadlock with it). For messages we
 * send to a number rather than answer: from the REST API, or typed on the linked phone.
 */
export async function findOrCreateConversation(tx: TDbOrTx, sessionId: string, waId: string) {
  await tx
    .insert(contacts)
    .values({ sessionId, waId })
    .onConflictDoNothing({ target: [contacts.sessionId, contacts.waId] });
  const [contact] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.sessionId, sessionId), eq(contacts.waId, waId)));
  const [thread] = await tx
    .insert(threads)
    .values({ contactId: contact!.id })
    .onConflictDoUpdate({ target: threads.contactId, set: { updatedAt: sql`${threads.updatedAt}` } })
    .returning();
  return { contact: contact!, thread: thread! };
}
