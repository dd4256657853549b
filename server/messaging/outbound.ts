import { and, asc, eq, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { contacts, messages, threads } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import type { Pacer } from "./pacing";

/** What the pipeline needs from a WhatsApp transport to send. */
export type TOutboundTransport = {
  /** Sends a text; resolves with the transport's id of the message once it accepted it. */
  send: (
    message: { to: string; body: string; clientRef: string },
    signal?: AbortSignal,
  ) => Promise<{ waMessageId: string }>;
  /**
   * The transport's id of a message already sent with this `clientRef`, if it can tell:
   * covers a crash between the transport accepting a send and our recording it.
   */
  findSent?: (clientRef: string, to: string) => Promise<string | null>;
};

/** First key of the two-key advisory locks that serialise sends per thread. */
const THREAD_SEND_LOCK = 7_346;

type TQueuedMessage = {
  id: string;
  body: string;
  threadId: string;
  sessionId: string;
  waMessageId: string | null;
  waId: string;
  contactId: string;
};

async function nextQueuedInThread(db: TDb, threadId: string): Promise<TQueuedMessage | undefined> {
  const [row] = await db
    .select({
      id: messages.id,
      body: messages.body,
      threadId: messages.threadId,
      sessionId: messages.sessionId,
      waMessageId: messages.waMessageId,
      waId: contacts.waId,
      contactId: contacts.id,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(messages.threadId, threadId), eq(messages.status, "queued"), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq))
    .limit(1);
  return row;
}

/** Records that the transport accepted a message (status only moves forward: a fast ack may have won). */
async function recordSent(db: TDb, message: TQueuedMessage, waMessageId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(messages)
      .set({ waMessageId, status: "sent", sentAt: new Date(), error: null })
      .where(and(eq(messages.id, message.id), eq(messages.status, "queued")))
      .returning({ id: messages.id });
    if (updated.length === 0) return;
    await tx
      .update(threads)
      .set({ lastMessageAt: sql`now()` })
      .where(eq(threads.id, message.threadId));
    await recordEvent(tx, {
      type: "message.sent",
      sessionId: message.sessionId,
      contactId: message.contactId,
      threadId: message.threadId,
      messageId: message.id,
      payload: { waMessageId },
    });
  });
}

export type TSendJob = {
  messageId: string;
  isLastAttempt: boolean;
  signal?: AbortSignal;
  /**
   * Where the per-thread lock's transaction runs: a pool of its own (one connection per send
   * slot), so holding the lock can never starve the sends it guards of connections.
   */
  lockDb: TDb;
};

/**
 * Sends one queued message, and first every queued message decided before it in the same
 * thread, so replies leave a thread in the order they were decided even when an earlier one
 * had to be retried. (The send queue runs one job per thread at a time.) Never sends a
 * message twice: a message with a transport id is not sent again, and the transport is asked
 * whether it already accepted it before every send.
 */
export async function sendQueuedMessage(
  db: TDb,
  transport: TOutboundTransport,
  pacer: Pacer,
  job: TSendJob,
): Promise<"sent" | "nothing_to_send"> {
  const [target] = await db
    .select({ threadId: messages.threadId, status: messages.status })
    .from(messages)
    .where(eq(messages.id, job.messageId));
  if (!target || target.status !== "queued") return "nothing_to_send";
  // One sender per thread at a time, across every worker: a transaction-scoped advisory lock
  // on the thread, held on its own connection while the sends (each recorded in its own
  // transaction, so a crash loses no record) go out in order.
  return job.lockDb.transaction(async (lock) => {
    await lock.execute(sql`select pg_advisory_xact_lock(${THREAD_SEND_LOCK}, hashtext(${target.threadId}))`);
    for (;;) {
      const next = await nextQueuedInThread(db, target.threadId);
      if (!next) return "nothing_to_send";
      try {
        await sendOne(db, transport, pacer, next, job.signal);
      } catch (error) {
        if (job.isLastAttempt) await markFailed(db, next, error);
        throw error;
      }
      if (next.id === job.messageId) return "sent";
    }
  });
}

async function sendOne(
  db: TDb,
  transport: TOutboundTransport,
  pacer: Pacer,
  message: TQueuedMessage,
  signal?: AbortSignal,
) {
  const already = message.waMessageId ?? (await transport.findSent?.(message.id, message.waId)) ?? null;
  if (already) {
    await recordSent(db, message, already);
    return;
  }
  await pacer.acquire(message.waId, signal);
  signal?.throwIfAborted();
  const { waMessageId } = await transport.send({ to: message.waId, body: message.body, clientRef: message.id }, signal);
  await recordSent(db, message, waMessageId);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
}

/** After the last try: the message is `failed` with its error; pg-boss puts the job in the dead-letter queue. */
async function markFailed(db: TDb, message: TQueuedMessage, error: unknown): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(messages)
      .set({ status: "failed", failedAt: new Date(), error: errorText(error) })
      .where(and(eq(messages.id, message.id), eq(messages.status, "queued")))
      .returning({ id: messages.id });
    if (updated.length === 0) return;
    await recordEvent(tx, {
      type: "message.failed",
      sessionId: message.sessionId,
      contactId: message.contactId,
      threadId: message.threadId,
      messageId: message.id,
      payload: { error: errorText(error) },
    });
  });
}
