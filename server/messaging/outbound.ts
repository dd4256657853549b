import type { Readable } from "node:stream";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { TDb, TTx } from "~/db/client";
import { contacts, events, messages, threads, waSessions } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import { createGroupCommit } from "~/server/lib/group-commit";
import { jsonRecordset, pgArray } from "~/server/lib/sql";
import type { TMediaStore } from "~/server/media/store";
import { metrics, sendFailureReason } from "~/server/metrics/metrics";
import { EXPIRED_REASON, hasExpired, markScheduledExpired } from "~/server/scheduled/expiry";
import { contentOfRow, isMediaKind, mediaOf, type TMessageContent } from "~/server/messages/content";
import type { Pacer } from "./pacing";

/**
 * The file a media message carries, for a transport to send: what it is, and how to read its
 * bytes from the media store (opened only when the transport sends, as a stream).
 */
export type TOutboundMedia = {
  sha256: string;
  mimeType: string;
  fileName?: string;
  size: number;
  /** The bytes; rejects with `MediaMissingError` when the store no longer has the file. */
  open: () => Promise<Readable>;
};

/** One message for a transport to send. */
export type TOutboundSend = {
  to: string;
  /** The text stand-in (`textOf(content)`): the whole message for a text. */
  body: string;
  clientRef: string;
  /** What it carries (absent: a text of `body`). */
  content?: TMessageContent;
  /** With a media kind whose file is stored: the file. */
  media?: TOutboundMedia;
};

/** What the pipeline needs from a WhatsApp transport to send. */
export type TOutboundTransport = {
  /**
   * Sends a message; resolves with the transport's id of the message once it accepted it. A
   * kind the transport cannot send rejects (its capabilities should have kept it from coming).
   */
  send: (message: TOutboundSend, signal?: AbortSignal) => Promise<{ waMessageId: string }>;
  /**
   * The transport's id of a message already sent with this `clientRef`, if it can tell:
   * covers a crash between the transport accepting a send and our recording it.
   */
  findSent?: (clientRef: string, to: string) => Promise<string | null>;
  /** The same for many messages in one look (clientRef → transport id, for those it has). */
  findSentMany?: (messages: readonly { clientRef: string; to: string }[]) => Promise<Map<string, string>>;
};

/** The advisory-lock class of "one sender per thread" (a contact merge takes it too, see server/contacts/merge.ts): the first key of two-key advisory locks. */
export const THREAD_SEND_LOCK = 7_346;

/**
 * The file of a queued media message is not in the media store (removed by hand, or a store
 * that lost it): the send fails for good at once, a retry would not find it either.
 */
export class MediaMissingError extends Error {
  constructor(readonly sha256: string) {
    super("The file is no longer in the media store");
    this.name = "MediaMissingError";
  }
}

/**
 * The transport refused a message for good (an engine's verdict: outside WhatsApp's 24-hour
 * window, not a WhatsApp number, a template it refuses…): the message is `failed` at once with
 * this reason, and later messages of its conversation go on. Any other error is retried.
 */
export class PermanentSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentSendError";
  }
}

type TQueuedMessage = {
  id: string;
  body: string;
  /** `messages.content` as stored (read with `contentOfRow`). */
  content: unknown;
  type: string;
  /** Its flags: an expiry among them (`server/scheduled/expiry.ts`) drops it once passed. */
  flags: string[];
  threadId: string;
  sessionId: string;
  waMessageId: string | null;
  waId: string;
  contactId: string;
  source: (typeof messages.$inferSelect)["source"];
  blocked: boolean;
  optedOut: boolean;
};

/**
 * Why a queued message may no longer go, when its contact changed since it was queued: nothing
 * goes to a blocked contact, and a message we started (the API's) never goes to one who opted
 * out. A reply the bot or a person decided before an opt-out still goes: it answers what the
 * contact wrote (a rule's own "you are unsubscribed" among them).
 */
export function refusalOf(message: Pick<TQueuedMessage, "source" | "blocked" | "optedOut">): string | null {
  if (message.blocked) return "Not sent: the contact was blocked before it went out.";
  if (message.optedOut && message.source === "api") return "Not sent: the contact opted out before it went out.";
  return null;
}

/**
 * Queued replies of these threads, oldest decision first, with what sending them needs.
 * Prepared (named): it runs for every batch of sends, with the threads as one array parameter.
 */
async function queuedInThreads(db: TDb, threadIds: readonly string[]): Promise<(TQueuedMessage & { seq: number })[]> {
  return db
    .select({
      id: messages.id,
      seq: messages.seq,
      body: messages.body,
      content: messages.content,
      type: messages.type,
      flags: messages.flags,
      threadId: messages.threadId,
      sessionId: messages.sessionId,
      waMessageId: messages.waMessageId,
      waId: contacts.waId,
      contactId: contacts.id,
      source: messages.source,
      blocked: contacts.blocked,
      optedOut: contacts.optedOut,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(
      and(
        sql`${messages.threadId} = any(${sql.placeholder("threadIds")}::uuid[])`,
        eq(messages.status, "queued"),
        eq(messages.direction, "out"),
      ),
    )
    .orderBy(asc(messages.seq))
    .prepare("send_queued_in_threads")
    .execute({ threadIds: [...threadIds] });
}

type TSentRecord = { message: TQueuedMessage; waMessageId: string };

/** How stale a number's `last_sent_at` may be: the send path writes it at most this often. */
export const LAST_SENT_EVERY_S = 30;

/**
 * Records that the transport accepted messages: the status moves from `queued` only (a fast
 * ack may have won) and `message.sent` is recorded, for every message in one statement.
 * Records arriving while one is being written are written together next (group commit), so
 * parallel sends share a commit.
 */
export function createSentRecorder(db: TDb) {
  const group = createGroupCommit(async (records: TSentRecord[]) => {
    const input = records.map(({ message, waMessageId }) => ({
      id: message.id,
      wa_message_id: waMessageId,
      contact_id: message.contactId,
    }));
    const { rows: replies } = await db.execute<{ session_id: string; seconds: number }>(sql`
      with input as (
        select * from ${jsonRecordset(input, "id uuid, wa_message_id text, contact_id uuid")} x
      ), sent as (
        update ${messages} m
        set wa_message_id = input.wa_message_id, status = 'sent', sent_at = now(), error = null
        from input
        -- By primary key: the ids as an array, or the planner scans every queued message.
        where m.id = any(${pgArray(
          records.map((record) => record.message.id),
          "uuid",
        )})
          and m.id = input.id and m.status = 'queued'
        returning m.id, m.thread_id, m.session_id, m.reply_to_message_id, input.contact_id, input.wa_message_id
      ), number_sent as (
        -- The number's "last sent", at most every LAST_SENT_EVERY_S: one row write per number
        -- per half minute, however fast it sends.
        update ${waSessions} s set last_sent_at = now()
        where s.id in (select distinct session_id from sent)
          and (s.last_sent_at is null or s.last_sent_at < now() - make_interval(secs => ${LAST_SENT_EVERY_S}))
      ), recorded as (
        insert into ${events} (type, session_id, contact_id, thread_id, message_id, payload)
        select 'message.sent', session_id, contact_id, thread_id, id, jsonb_build_object('waMessageId', wa_message_id)
        from sent
      )
      -- The reply latency metric: the first reply sent to each inbound message (none sent before
      -- this statement; one per message within it), from the inbound message's arrival.
      select r.session_id, greatest(0, extract(epoch from now() - i.created_at))::float8 as seconds
      from (select distinct on (reply_to_message_id) * from sent where reply_to_message_id is not null) r
      join ${messages} i on i.id = r.reply_to_message_id
      where not exists (
        select 1 from ${messages} o
        where o.thread_id = r.thread_id and o.created_at >= i.created_at
          and o.reply_to_message_id = r.reply_to_message_id and o.sent_at is not null
      )`);
    for (const reply of replies) metrics.replyLatency.observe({ session: reply.session_id }, reply.seconds);
    return records.map(() => undefined);
  });
  return {
    record: (message: TQueuedMessage, waMessageId: string): Promise<void> => group.submit({ message, waMessageId }),
  };
}
export type TSentRecorder = ReturnType<typeof createSentRecorder>;

/** One send job: the message it was enqueued for, and whether this is its last try. */
export type TSendJob = { jobId: string; messageId: string; threadId?: string; isLastAttempt: boolean };

export type TSendBatchOptions = {
  signal?: AbortSignal;
  /**
   * Where the per-thread locks' transaction runs: a pool of its own, so holding the locks can
   * never starve the sends they guard of connections.
   */
  lockDb: TDb;
  /** Threads sent to at once (one thread is always one message at a time, in order). */
  concurrency: number;
  /** Records the sends (one per session, shared by its batches). */
  recorder: TSentRecorder;
  /** Where media messages' files are read from (without it, a media message fails for good). */
  store?: TMediaStore;
};

/**
 * Sends the messages of a batch of send jobs. For each thread, every queued message decided
 * before the batch's ones goes first, so replies leave a thread in the order they were decided
 * even when an earlier one had to be retried. Never sends a message twice: a message with a
 * transport id is not sent again, and the transport is asked whether it already accepted it
 * before every send. A message its contact may no longer get (`refusalOf`) is marked `failed`
 * with the reason instead. Returns the jobs that failed, with their error (they are retried); a
 * job on its last try whose message could not go marks that message `failed`.
 */
export async function sendQueuedBatch(
  db: TDb,
  transport: TOutboundTransport,
  pacer: Pacer,
  jobs: readonly TSendJob[],
  options: TSendBatchOptions,
): Promise<Map<string, unknown>> {
  const errors = new Map<string, unknown>();
  // Jobs carry their thread (older ones may not: then it is looked up).
  const unknown = jobs.filter((job) => !job.threadId).map((job) => job.messageId);
  const looked =
    unknown.length > 0
      ? await db
          .select({ threadId: messages.threadId })
          .from(messages)
          .where(and(inArray(messages.id, unknown), eq(messages.status, "queued")))
      : [];
  const threadIds = [
    ...new Set([...jobs.flatMap((job) => (job.threadId ? [job.threadId] : [])), ...looked.map((row) => row.threadId)]),
  ];
  if (threadIds.length === 0) return errors;
  // One sender per thread at a time, across every worker: transaction-scoped advisory locks on
  // the threads, taken in one order (so two batches never deadlock) on a connection of their
  // own, held while the sends (each recorded at once, so a crash loses no record) go out.
  await options.lockDb.transaction(async (lock) => {
    await lock.execute(sql`
      select pg_advisory_xact_lock(${THREAD_SEND_LOCK}, h)
      from (select distinct hashtext(t) as h from unnest(${pgArray(threadIds, "text")}) as t order by 1) as locks`);
    const queued = await queuedInThreads(db, threadIds);
    const jobOf = new Map(jobs.map((job) => [job.messageId, job]));
    // Whether the transport already accepted any of them (a crash after the send, before the
    // record): asked once for the batch, before anything is sent.
    const accepted = await alreadyAccepted(transport, queued);
    const byThread = [...Map.groupBy(queued, (message) => message.threadId).values()];
    let next = 0;
    const runThreads = async () => {
      for (let list = byThread[next++]; list; list = byThread[next++]) {
        await sendThread(list);
      }
    };
    const sendThread = async (list: (TQueuedMessage & { seq: number })[]) => {
      // Up to the last message a job of this batch is for; later ones wait for their own jobs.
      const last = list.findLastIndex((message) => jobOf.has(message.id));
      for (const [index, message] of list.slice(0, last + 1).entries()) {
        if (!accepted.has(message.id) && hasExpired(message.flags)) {
          // A one-time code past its expiry is dropped, never sent late (the number was down,
          // the send waited for retries): failed, and its scheduled message expired.
          await markFailed(db, message, new Error(EXPIRED_REASON), markScheduledExpired);
          continue;
        }
        const refusal = accepted.has(message.id) ? null : refusalOf(message);
        if (refusal) {
          // Failed for good, at once (a retry would be refused the same way); later ones go on.
          await markFailed(db, message, new Error(refusal));
          continue;
        }
        try {
          await sendOne(transport, pacer, options, message, accepted.get(message.id));
        } catch (error) {
          if (error instanceof MediaMissingError || error instanceof PermanentSendError) {
            // Failed for good, at once: the file will not come back, the engine refused it for
            // good; later ones go on.
            await markFailed(db, message, error);
            continue;
          }
          metrics.sendFailures.inc({ session: message.sessionId, reason: "transient" });
          // This message and every later one of the thread wait for a retry, in order.
          for (const waiting of list.slice(index, last + 1)) {
            const job = jobOf.get(waiting.id);
            if (!job) continue;
            errors.set(job.jobId, error);
            if (job.isLastAttempt) await markFailed(db, waiting, waiting === message ? error : earlierFailed(error));
          }
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, runThreads));
  });
  return errors;
}

function earlierFailed(error: unknown): Error {
  return new Error(`an earlier message of this conversation could not be sent: ${errorText(error)}`);
}

async function alreadyAccepted(transport: TOutboundTransport, queued: readonly TQueuedMessage[]) {
  const unknown = queued.filter((message) => !message.waMessageId);
  const found = new Map(
    queued.flatMap((message) => (message.waMessageId ? [[message.id, message.waMessageId] as const] : [])),
  );
  if (unknown.length === 0) return found;
  if (transport.findSentMany) {
    const many = await transport.findSentMany(unknown.map((message) => ({ clientRef: message.id, to: message.waId })));
    for (const [clientRef, waMessageId] of many) found.set(clientRef, waMessageId);
  } else if (transport.findSent) {
    for (const message of unknown) {
      const waMessageId = await transport.findSent(message.id, message.waId);
      if (waMessageId) found.set(message.id, waMessageId);
    }
  }
  return found;
}

/**
 * What the transport gets for a queued message: a text as before (no content passed, nothing
 * parsed: the hot path); any other kind with its content, and a stored file with its opener.
 */
function outboundSendOf(message: TQueuedMessage, store: TMediaStore | undefined): TOutboundSend {
  const send = { to: message.waId, body: message.body, clientRef: message.id };
  if (message.type === "text") return send;
  const content = contentOfRow({ content: message.content, type: message.type, body: message.body });
  if (content.kind === "text") return send;
  const ref = isMediaKind(content.kind) ? mediaOf(content) : undefined;
  if (!ref) return { ...send, content };
  const sha256 = ref.storageKey;
  if (ref.state !== "stored" || !sha256) throw new MediaMissingError(sha256 ?? "");
  return {
    ...send,
    content,
    media: {
      sha256,
      mimeType: ref.mimeType,
      ...(ref.fileName ? { fileName: ref.fileName } : {}),
      size: ref.size ?? 0,
      open: async () => {
        const found = store ? await store.get(sha256) : null;
        if (!found) throw new MediaMissingError(sha256);
        return found.stream;
      },
    },
  };
}

async function sendOne(
  transport: TOutboundTransport,
  pacer: Pacer,
  options: Pick<TSendBatchOptions, "recorder" | "signal" | "store">,
  message: TQueuedMessage,
  already: string | undefined,
) {
  const { recorder, signal } = options;
  if (already) {
    await recorder.record(message, already);
    return;
  }
  const send = outboundSendOf(message, options.store);
  if (send.media) {
    // A worker without a store is misconfigured (retried; another worker may have one); a file
    // the store lost fails for good, before the pacer spends a slot on it.
    if (!options.store) throw new Error("this worker has no media store to read the file from");
    if (!(await options.store.has(send.media.sha256))) throw new MediaMissingError(send.media.sha256);
  }
  await pacer.acquire(message.waId, signal);
  signal?.throwIfAborted();
  const { waMessageId } = await transport.send(send, signal);
  await recorder.record(message, waMessageId);
  metrics.messagesOut.inc({ session: message.sessionId, kind: message.type });
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
}

/** After the last try: the message is `failed` with its error; pg-boss puts the job in the dead-letter queue. */
async function markFailed(
  db: TDb,
  message: TQueuedMessage,
  error: unknown,
  /** More to record with the failure, in its transaction (only when this call failed it). */
  also?: (tx: TTx, messageId: string) => Promise<void>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(messages)
      .set({ status: "failed", failedAt: new Date(), error: errorText(error) })
      .where(and(eq(messages.id, message.id), eq(messages.status, "queued")))
      .returning({ id: messages.id });
    if (updated.length === 0) return;
    metrics.sendFailures.inc({ session: message.sessionId, reason: sendFailureReason(error) });
    await also?.(tx, message.id);
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
