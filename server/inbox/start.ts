import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { waSessions } from "~/db/schema";
import type { TSessionUser } from "~/server/auth/roles";
import { findDefaultSessionId } from "~/server/contacts/contacts";
import { resolvePhoneNumber } from "~/server/contacts/phone";
import { findOrCreateConversation } from "~/server/conversations/find";
import { takeOverIn } from "~/server/conversations/state";
import { AppError } from "~/server/errors";

export const ZStartConversationInput = z.object({
  /** The contact's number, as staff type it (the org's default country applies). */
  to: z.string().trim().min(1, "Give the number to send to").max(40),
  /** The WhatsApp session to write from (default: the first one). */
  sessionId: z.uuid().optional(),
});
export type TStartConversationInput = z.input<typeof ZStartConversationInput>;

/**
 * An agent starts a conversation from the Inbox: the contact of that number on the session
 * (found through their identities, or added) and their conversation, taken over by the agent in
 * the same transaction, so the bot stays out of it. The first message is then written in the
 * conversation's own composer, which applies the engine's rules (a template where the 24-hour
 * window is closed). A blocked or opted-out contact is refused here, before anything is written
 * to them; a conversation another person holds is refused, naming them.
 */
export async function startConversation(db: TDb, user: TSessionUser, raw: TStartConversationInput) {
  const input = ZStartConversationInput.parse(raw);
  return db.transaction(async (tx) => {
    const phone = await resolvePhoneNumber(tx, input.to, "to");
    if (input.sessionId) {
      const [session] = await tx
        .select({ id: waSessions.id })
        .from(waSessions)
        .where(eq(waSessions.id, input.sessionId));
      if (!session) throw new AppError("NOT_FOUND", "There is no such session.", { sessionId: "Unknown session" });
    }
    const sessionId = input.sessionId ?? (await findDefaultSessionId(tx));
    if (!sessionId) throw new AppError("CONFLICT", "There is no WhatsApp session to send from yet.");
    const { contact, thread } = await findOrCreateConversation(tx, sessionId, phone);
    if (contact.blocked) throw new AppError("CONFLICT", "This contact is blocked.");
    if (contact.optedOut) throw new AppError("CONFLICT", "This contact opted out of messages.");
    const ownership = await takeOverIn(tx, user, thread.id);
    return { ...ownership, contactId: contact.id };
  });
}

/** The WhatsApp numbers staff may start a conversation from (oldest first: the first is the default). */
export async function listSenders(db: TDbOrTx) {
  return db
    .select({ id: waSessions.id, name: waSessions.name, phone: waSessions.phone, status: waSessions.status })
    .from(waSessions)
    .orderBy(asc(waSessions.createdAt), asc(waSessions.id));
}
