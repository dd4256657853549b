import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TTx } from "~/db/client";
import { messages, waSessions } from "~/db/schema";
import { findDefaultSessionId } from "~/server/contacts/contacts";
import { resolvePhoneNumber } from "~/server/contacts/phone";
import { findOrCreateConversation } from "~/server/conversations/find";
import { queueOutboundOne } from "~/server/conversations/outbound";
import { AppError } from "~/server/errors";
import { textContent, type TMessageContent } from "~/server/messages/content";
import { assertMayQueue } from "~/server/conversations/window";

export const ZSendToNumberInput = z.object({
  to: z.string().trim().min(1, "Give the number to send to").max(40),
  body: z.string().trim().min(1, "The message is empty").max(4_096, "At most 4,096 characters"),
  /** The WhatsApp session to send from (default: the first one). */
  sessionId: z.uuid().optional(),
});
export type TSendToNumberInput = z.input<typeof ZSendToNumberInput>;

/**
 * Who a message from another system goes to: the number read like every other, the session
 * (given, or the default one), and the contact and their thread, found or created. A blocked or
 * opted-out contact is refused. Shared by an immediate send and a scheduled one.
 */
export async function resolveSendTarget(tx: TTx, input: { to: string; sessionId?: string | undefined }) {
  const phone = await resolvePhoneNumber(tx, input.to, "to");
  const sessionId = input.sessionId ?? (await findDefaultSessionId(tx));
  if (!sessionId) throw new AppError("CONFLICT", "There is no WhatsApp session to send from yet.");
  if (input.sessionId) {
    const [session] = await tx.select({ id: waSessions.id }).from(waSessions).where(eq(waSessions.id, sessionId));
    if (!session) throw new AppError("NOT_FOUND", "There is no such session.", { sessionId: "Unknown session" });
  }
  const { contact, thread } = await findOrCreateConversation(tx, sessionId, phone);
  if (contact.blocked) throw new AppError("CONFLICT", "This contact is blocked.");
  if (contact.optedOut) throw new AppError("CONFLICT", "This contact opted out of messages.");
  return { sessionId, contact, thread };
}

/**
 * A message to a number from another system (the REST API): the contact and their thread are
 * found or created, the message is stored as `queued` (`source = api`) and goes through the
 * session's send queue like every other (pacing, retries, statuses), all in the caller's
 * transaction. A blocked or opted-out contact is refused, and so is anything but a template where
 * the session's engine holds the business to the 24-hour window and it is closed (`assertMayQueue`).
 */
export async function sendToNumber(
  tx: TTx,
  boss: PgBoss,
  raw: TSendToNumberInput,
  by: { apiKeyId: string },
  /** What the message carries when it is not a text of `body` (a file; `body` is then its text stand-in). */
  content?: TMessageContent,
) {
  const input = ZSendToNumberInput.parse(raw);
  const { sessionId, contact, thread } = await resolveSendTarget(tx, input);
  // Outside the 24-hour window (where the engine holds us to it) only a template goes.
  await assertMayQueue(tx, { sessionId, threadId: thread.id, content: content ?? textContent(input.body) });
  const queued = await queueOutboundOne(tx, boss, {
    sessionId,
    threadId: thread.id,
    contactId: contact.id,
    body: input.body,
    ...(content ? { content } : {}),
    source: "api",
    event: { source: "api", apiKeyId: by.apiKeyId },
  });
  const [stored] = await tx.select().from(messages).where(eq(messages.id, queued!.id));
  return { message: stored!, contactId: contact.id, threadId: thread.id };
}
