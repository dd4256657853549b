import type { TDb } from "~/db/client";
import { findOrCreateConversation } from "~/server/conversations/find";
import { recordSentOutbound } from "~/server/conversations/outbound";
import { handOffToPhone } from "~/server/conversations/state";
import { repairStrings } from "~/server/lib/storable-text";
import { normalizeWaId, sanitizeContent } from "./inbound-message";

/**
 * A message a person typed on the linked phone itself (not sent by Switchboard): stored in the
 * contact's thread (`source = phone`, already sent) through the conversations module's one
 * outbound entry point, and the thread goes to `human` mode so the bot never talks over them.
 * Idempotent on the WhatsApp message id.
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
    const [stored] = await recordSentOutbound(tx, [
      {
        sessionId,
        threadId: thread.id,
        contactId: contact.id,
        body: content.body,
        content: content.content,
        flags: [...new Set([...repairs, ...content.flags])],
        source: "phone",
        sent: { waMessageId: message.waMessageId, at: message.at },
        event: { source: "phone", waMessageId: message.waMessageId },
      },
    ]);
    if (!stored) return "duplicate";
    await handOffToPhone(tx, { ...thread, sessionId }, stored.id);
    return "stored";
  });
}
