import { eq } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { messages, threads } from "~/db/schema";
import { recordResponse } from "~/server/analytics/responses";
import { recordEvents, type TEventInput } from "~/server/events/events";
import { repairStrings } from "~/server/lib/storable-text";
import { findOrCreateConversation } from "./conversation";
import { normalizeWaId, sanitizeContent } from "./inbound-message";

/**
 * A message a person typed on the linked phone itself (not sent by Switchboard): stored in the
 * contact's thread (`source = phone`, already sent), and the thread goes to `human` mode so the
 * bot never talks over them. Idempotent on the WhatsApp message id.
 */
export async function recordPhoneMessage(
  db: TDb,
  sessionId: string,
  given: { to: string; waMessageId: string; body: string; content?: unknown; at: Date },
): Promise<"stored" | "duplicate" | "ignored"> {
  // Stored as typed, but storable: a NUL or a lone surrogate would make Postgres refuse it.
  const { value: message, repairs } = repairStrings(given);
  const waId = normalizeWaId(message.to);
  if (!waId) return "ignored";
  // A photo, a location… sent from the phone: its content, and its text stand-in as the body.
  const content = sanitizeContent("text", message.body, { content: message.content });
  return db.transaction(async (tx) => {
    const { contact, thread } = await findOrCreateConversation(tx, sessionId, waId);
    const [stored] = await tx
      .insert(messages)
      .values({
        sessionId,
        threadId: thread.id,
        direction: "out",
        waMessageId: message.waMessageId,
        type: content.type,
        body: content.body,
        content: content.content,
        flags: [...new Set([...repairs, ...content.flags])],
        source: "phone",
        status: "sent",
        createdAt: message.at,
        queuedAt: message.at,
        sentAt: message.at,
      })
      .onConflictDoNothing()
      .returning({ id: messages.id });
    if (!stored) return "duplicate";
    await recordResponse(tx, thread.id, "human");
    const ids = { sessionId, contactId: contact.id, threadId: thread.id };
    const recorded: TEventInput[] = [
      {
        type: "message.sent",
        ...ids,
        messageId: stored.id,
        payload: { source: "phone", waMessageId: message.waMessageId },
      },
    ];
    if (thread.mode !== "human") {
      const now = new Date();
      await tx
        .update(threads)
        .set({ mode: "human", handoffAt: now, humanActiveAt: now, awaitingSince: null, closedAt: null, updatedAt: now })
        .where(eq(threads.id, thread.id));
      recorded.push({
        type: "thread.handoff",
        ...ids,
        messageId: stored.id,
        payload: { by: "phone", from: thread.mode },
      });
    } else {
      await tx.update(threads).set({ humanActiveAt: new Date(), awaitingSince: null }).where(eq(threads.id, thread.id));
    }
    await recordEvents(tx, recorded);
    return "stored";
  });
}
