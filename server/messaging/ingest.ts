import { sql, TransactionRollbackError } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import { enqueue } from "~/server/jobs/boss";
import { normalizeWaId, sanitizeContent, type TInboundMessage, ZInboundMessage } from "./inbound-message";

export type TIngestResult =
  | { status: "stored"; messageId: string; threadId: string; contactId: string }
  | { status: "duplicate" }
  | { status: "rejected"; reason: string };

/**
 * Stores one inbound message, once. In ONE transaction: upsert the contact, open (or reopen)
 * its thread, insert the message (a repeated transport id is a no-op), record
 * `message.received` and enqueue `message.process`. Nothing may acknowledge the message to the
 * transport before this commits. A message that cannot be stored (not from a phone number,
 * malformed) is recorded as a `message.rejected` event with the reason: never lost silently.
 */
export async function ingestInbound(db: TDb, boss: PgBoss, raw: unknown): Promise<TIngestResult> {
  const parsed = ZInboundMessage.safeParse(raw);
  if (!parsed.success) return reject(db, raw, `malformed message: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const message: TInboundMessage = parsed.data;
  const waId = normalizeWaId(message.from);
  if (!waId) return reject(db, message, `sender "${message.from.slice(0, 60)}" is not a phone number`);
  const content = sanitizeContent(message.type, message.body);
  const at = message.sentAt ?? new Date();

  return db
    .transaction(async (tx) => {
      const [contact] = await tx
        .insert(contacts)
        .values({ sessionId: message.sessionId, waId, name: message.pushName ?? null, lastInteractionAt: at })
        .onConflictDoUpdate({
          target: [contacts.sessionId, contacts.waId],
          set: {
            lastInteractionAt: at,
            // A name typed by staff wins over the sender's WhatsApp display name.
            name: sql`coalesce(${contacts.name}, excluded.name)`,
          },
        })
        .returning({ id: contacts.id });
      const [thread] = await tx
        .insert(threads)
        .values({ contactId: contact!.id, lastMessageAt: at })
        .onConflictDoUpdate({
          target: threads.contactId,
          set: {
            lastMessageAt: at,
            // A closed conversation reopens with the bot when the contact writes again.
            mode: sql`case when ${threads.mode} = 'closed' then 'bot'::thread_mode else ${threads.mode} end`,
            updatedAt: sql`now()`,
          },
        })
        .returning({ id: threads.id });
      const [stored] = await tx
        .insert(messages)
        .values({
          sessionId: message.sessionId,
          threadId: thread!.id,
          direction: "in",
          waMessageId: message.waMessageId,
          type: content.type,
          body: content.body,
          media: message.media ?? null,
          flags: content.flags,
          source: "contact",
          status: "received",
          createdAt: at,
        })
        .onConflictDoNothing({ target: [messages.sessionId, messages.waMessageId] })
        .returning({ id: messages.id });
      if (!stored) {
        // Delivered twice by the transport: the first copy is already stored and processed.
        tx.rollback();
      }
      const ids = { sessionId: message.sessionId, contactId: contact!.id, threadId: thread!.id, messageId: stored!.id };
      await recordEvent(tx, {
        type: "message.received",
        ...ids,
        payload: { flags: content.flags, type: content.type },
      });
      await enqueue(boss, "message.process", { messageId: stored!.id }, { tx });
      return { status: "stored" as const, messageId: stored!.id, threadId: thread!.id, contactId: contact!.id };
    })
    .catch((error: unknown) => {
      if (isRollback(error)) return { status: "duplicate" as const };
      throw error;
    });
}

function isRollback(error: unknown): boolean {
  return error instanceof TransactionRollbackError;
}

async function reject(db: TDb, raw: unknown, reason: string): Promise<TIngestResult> {
  const sessionId = (raw as { sessionId?: unknown } | null)?.sessionId;
  await recordEvent(db, {
    type: "message.rejected",
    sessionId: typeof sessionId === "string" && /^[0-9a-f-]{36}$/i.test(sessionId) ? sessionId : null,
    payload: {
      reason,
      message: JSON.parse(
        JSON.stringify(raw ?? null, (_key, value: unknown) =>
          typeof value === "string" ? value.toWellFormed().replaceAll("\u0000", "") : value,
        ),
      ) as unknown,
    },
  });
  return { status: "rejected", reason };
}
