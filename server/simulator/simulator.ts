import { randomUUID } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { AppError } from "~/server/errors";
import { attachMediaLinks, type TMediaLinkOptions } from "~/server/media/links";
import { enqueue } from "~/server/jobs/boss";
import { contentOfRow, textOf, ZMessageContent } from "~/server/messages/content";
import { resolvePhoneNumber } from "~/server/contacts/phone";
import { getSimulatorSessionId } from "~/server/sessions/sessions";

/** The Simulator's fields; `ZSimulatorSendInput` adds that a message needs a text or a content. */
export const ZSimulatorFields = z.object({
  phone: z.string().trim().min(1, "Enter a phone number").max(40),
  name: z.string().trim().max(120).optional(),
  /** A text message; or, with `content`, ignored. */
  body: z.string().max(4_096, "At most 4,096 characters").optional(),
  /** Any kind of message (a photo, a location, a reaction…), as WhatsApp would deliver it. */
  content: ZMessageContent.optional(),
});
export const ZSimulatorSendInput = ZSimulatorFields.superRefine((input, context) => {
  if (!input.content && !input.body) context.addIssue({ code: "custom", path: ["body"], message: "Type a message" });
});
export type TSimulatorSendInput = z.input<typeof ZSimulatorSendInput>;

/**
 * A number typed in the Simulator as the contact's WhatsApp number (E.164), by the same rules as
 * every other entry point (server/contacts/phone.ts); a 400 naming `field` otherwise.
 */
export function resolveSimulatorNumber(db: TDbOrTx, phone: string, field = "phone") {
  return resolvePhoneNumber(db, phone, field);
}

/**
 * A message typed in the Simulator, as if `phone` had sent it on WhatsApp: it goes to the
 * worker's simulator transport as a `simulator.inbound` job, and from there through ingest like
 * any real message. `field` names the number in a refusal (`from` for the REST API).
 */
export async function sendAsContact(db: TDbOrTx, boss: PgBoss, input: TSimulatorSendInput, field = "phone") {
  const parsed = ZSimulatorSendInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_REQUEST", issue.message, { [issue.path.join(".") || "body"]: issue.message });
  }
  const { phone, name, body, content } = parsed.data;
  const waId = await resolveSimulatorNumber(db, phone, field);
  const sessionId = await getSimulatorSessionId(db);
  const waMessageId = `sim-in-${randomUUID()}`;
  await enqueue(boss, "simulator.inbound", {
    sessionId,
    waMessageId,
    from: waId,
    pushName: name || undefined,
    body: content ? textOf(content) : (body ?? ""),
    ...(content ? { content } : {}),
  });
  return { waId, waMessageId };
}

/** The simulator's conversations, most recent first. */
export async function listSimulatorConversations(db: TDbOrTx) {
  const sessionId = await getSimulatorSessionId(db);
  return db
    .select({
      contactId: contacts.id,
      waId: contacts.waId,
      name: contacts.name,
      threadId: threads.id,
      mode: threads.mode,
      lastMessageAt: threads.lastMessageAt,
      lastBody: sql<
        string | null
      >`(select body from messages m where m.thread_id = ${threads.id} order by m.seq desc limit 1)`,
    })
    .from(contacts)
    .innerJoin(threads, eq(threads.contactId, contacts.id))
    .where(eq(contacts.sessionId, sessionId))
    .orderBy(desc(threads.lastMessageAt))
    .limit(200);
}

/** One simulator conversation, oldest message first (the latest 200), media with signed links. */
export async function getSimulatorThread(db: TDbOrTx, waId: string, options: { media: TMediaLinkOptions }) {
  const sessionId = await getSimulatorSessionId(db);
  const recent = await db
    .select({
      id: messages.id,
      seq: messages.seq,
      direction: messages.direction,
      waMessageId: messages.waMessageId,
      type: messages.type,
      body: messages.body,
      content: messages.content,
      source: messages.source,
      status: messages.status,
      error: messages.error,
      flags: messages.flags,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.sessionId, sessionId), eq(contacts.waId, waId)))
    .orderBy(desc(messages.seq))
    .limit(200);
  return attachMediaLinks(
    db,
    recent.reverse().map((message) => ({ ...message, content: contentOfRow(message) })),
    options.media,
  );
}
