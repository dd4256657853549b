import { PgBoss } from "pg-boss";
import {
  DEAD_LETTER_QUEUE,
  MEDIA_QUEUE,
  mediaQueueName,
  QUEUES,
  SEND_QUEUE,
  sendQueueName,
  type TQueueName,
  type TQueuePayload,
  type TQueuePolicy,
} from "./queues";
import type { TTx } from "~/db/client";
import { fromDrizzle } from "pg-boss";
import { sql } from "drizzle-orm";

export type TBossRole = "worker" | "web" | "setup";

/** Connection option: commits return before the WAL is flushed (see docs/architecture.md). */
export const ASYNC_COMMIT = "-c synchronous_commit=off";

/**
 * A pg-boss instance configured for its process. Workers supervise (maintenance, cron) and
 * are woken by LISTEN/NOTIFY; the web only sends and reads queue sizes.
 */
export function createBoss(
  connectionString: string,
  role: TBossRole,
  onError: (error: Error) => void = (error) => process.stderr.write(`pg-boss (${role}): ${error.message}\n`),
): PgBoss {
  const isWorker = role === "worker";
  const boss = new PgBoss({
    connectionString,
    application_name: `switchboard-${role}-boss`,
    max: isWorker ? 6 : 2,
    // The worker's job bookkeeping (fetch, complete, fail) commits without waiting for the WAL
    // flush: if the server crashes, a lost completion means the job runs again, and every
    // handler is idempotent. A job *sent* inside a caller's transaction commits with that
    // transaction, under its own settings.
    ...(isWorker ? { options: ASYNC_COMMIT } : {}),
    migrate: role !== "web",
    supervise: isWorker,
    schedule: isWorker,
    // Sub-second pick-up: a notify-enabled queue wakes its workers the moment a job commits;
    // polling stays on as a slow backstop.
    useListenNotify: isWorker,
    // The supervisor's pass: it fails (and so retries) the jobs of a killed worker once their
    // heartbeat is missing, and counts queue sizes for /api/health. pg-boss's 60 s default
    // would leave a dead worker's work waiting up to a minute.
    ...(isWorker ? { superviseIntervalSeconds: 5, monitorIntervalSeconds: 5 } : {}),
  });
  // pg-boss reports connection trouble as 'error' events; unheard, Node would crash the process.
  boss.on("error", onError);
  return boss;
}

/** Creates the dead-letter queue and every declared queue, idempotently. */
export async function createQueues(boss: PgBoss): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
  if (!existing.has(DEAD_LETTER_QUEUE)) {
    await boss.createQueue(DEAD_LETTER_QUEUE, { retentionSeconds: 14 * 24 * 3600 });
  }
  for (const [name, declaration] of Object.entries(QUEUES)) {
    const options = { ...declaration.policy, deadLetter: DEAD_LETTER_QUEUE, notify: true };
    if (existing.has(name)) await boss.updateQueue(name, declaration.policy);
    else await boss.createQueue(name, options);
  }
}

/** Creates (or updates) the send queue of one session. */
export async function createSendQueue(
  boss: PgBoss,
  sessionId: string,
  policy: TQueuePolicy = SEND_QUEUE.policy,
): Promise<void> {
  const name = sendQueueName(sessionId);
  if (await boss.getQueue(name)) await boss.updateQueue(name, policy);
  else await boss.createQueue(name, { ...policy, deadLetter: DEAD_LETTER_QUEUE, notify: true });
}

/** Creates (or updates) the media queue of one session (`media.<sessionId>`). */
export async function createMediaQueue(
  boss: PgBoss,
  sessionId: string,
  policy: TQueuePolicy = MEDIA_QUEUE.policy,
): Promise<void> {
  const name = mediaQueueName(sessionId);
  if (await boss.getQueue(name)) await boss.updateQueue(name, policy);
  else await boss.createQueue(name, { ...policy, deadLetter: DEAD_LETTER_QUEUE, notify: true });
}

/**
 * Sends a job after validating its payload against the queue's declaration. Pass `tx` to make
 * the job part of a drizzle transaction: a rollback leaves no job behind.
 */
export async function enqueue<N extends TQueueName>(
  boss: PgBoss,
  name: N,
  payload: TQueuePayload<N>,
  options: { tx?: TTx; singletonKey?: string; singletonSeconds?: number; startAfter?: number | Date } = {},
): Promise<string | null> {
  const data = QUEUES[name].payload.parse(payload) as object;
  return boss.send(name, data, {
    singletonKey: options.singletonKey,
    // With a key: one job per key in each slot of this many seconds (null when one exists).
    ...(options.singletonSeconds ? { singletonSeconds: options.singletonSeconds } : {}),
    startAfter: options.startAfter,
    ...(options.tx ? { db: fromDrizzle(options.tx, sql) } : {}),
  });
}

/** Sends several jobs of one queue in one statement, each payload validated (see enqueue). */
export async function enqueueMany<N extends TQueueName>(
  boss: PgBoss,
  name: N,
  payloads: readonly TQueuePayload<N>[],
  options: { tx?: TTx; startAfter?: Date } = {},
): Promise<void> {
  if (payloads.length === 0) return;
  const startAfter = options.startAfter?.toISOString();
  const jobs = payloads.map((payload) => ({ data: QUEUES[name].payload.parse(payload), startAfter }));
  await boss.insert(name, jobs, options.tx ? { db: fromDrizzle(options.tx, sql) } : {});
}

/** A message to put on its session's send queue (`send.<sessionId>`), grouped by its thread. */
export type TSendItem = { id: string; sessionId: string; threadId: string };

/**
 * THE way a send job is made: puts queued messages on their sessions' send queues (one insert
 * per session), each payload validated against `SEND_QUEUE.payload` and grouped by thread (so
 * a thread's sends never run side by side). With `tx`, the jobs are part of that transaction.
 * Only the conversations module calls it (server/conversations/outbound.ts).
 */
export async function enqueueSends(boss: PgBoss, queued: readonly TSendItem[], tx?: TTx): Promise<void> {
  const bySession = Map.groupBy(queued, (message) => message.sessionId);
  for (const [sessionId, list] of bySession) {
    await boss.insert(
      sendQueueName(sessionId),
      list.map((message) => ({
        data: SEND_QUEUE.payload.parse({ messageId: message.id, threadId: message.threadId }),
        group: { id: message.threadId },
      })),
      tx ? { db: fromDrizzle(tx, sql) } : {},
    );
  }
}

/**
 * Puts inbound messages whose file is still to be fetched on their sessions' media queues
 * (`media.<sessionId>`, one insert per session), each payload validated. With `tx`, the jobs are
 * part of that transaction (ingest's).
 */
export async function enqueueMediaReceives(
  boss: PgBoss,
  items: readonly { messageId: string; sessionId: string }[],
  tx?: TTx,
): Promise<void> {
  const bySession = Map.groupBy(items, (item) => item.sessionId);
  for (const [sessionId, list] of bySession) {
    await boss.insert(
      mediaQueueName(sessionId),
      list.map((item) => ({ data: MEDIA_QUEUE.payload.parse({ messageId: item.messageId }) })),
      tx ? { db: fromDrizzle(tx, sql) } : {},
    );
  }
}
