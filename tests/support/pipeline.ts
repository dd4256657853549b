import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { contacts, events, messages, simulatorDeliveries, threads } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { ZLogLevel } from "~/server/env";
import { createLogger, type Logger } from "~/server/logger";
import type { TMediaStore } from "~/server/media/store";
import { createFsMediaStore } from "~/server/media/store-fs";
import { ingestInbound, type TIngestResult } from "~/server/messaging/ingest";
import { createRule, publishDraft } from "~/server/rules/rules";
import type { TRuleInput } from "~/server/rules/schema";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { JOB_HANDLERS } from "~/workers/handlers/registry";
import type { TWebhookConfig } from "~/server/webhooks/deliver";
import { startWorker, type TRunningWorker, type TWorkerOptions } from "~/workers/runtime";
import { useTestDatabase, type TTestDatabase } from "./database";
import { waitFor } from "./processes";

export const log = createLogger("test-pipeline", ZLogLevel.parse(process.env.TEST_LOG_LEVEL ?? "silent"));

export type TPipeline = TTestDatabase & {
  boss: PgBoss;
  sessionId: string;
  worker: TRunningWorker;
  /** Where the worker stores inbound files. */
  mediaStore: TMediaStore;
};

/** A fresh database prepared as on first start (queues, simulator session, admin). */
export async function usePreparedDatabase(): Promise<TTestDatabase & { sessionId: string }> {
  const database = await useTestDatabase();
  await prepareDatabase(
    {
      pool: database.pool,
      db: database.db,
      url: database.url,
      admin: { ADMIN_NAME: "Admin", ADMIN_PASSWORD: "a-long-password" },
    },
    log,
  );
  return { ...database, sessionId: await getSimulatorSessionId(database.db) };
}

/**
 * A fresh database with an in-process worker running the simulator session (pacing off, instant
 * acks). Inbound files go to `options.mediaStore`, else a filesystem store in a new temporary folder.
 */
export async function startPipeline(
  sessions: Partial<NonNullable<TWorkerOptions["sessions"]>> = {},
  options: Pick<TWorkerOptions, "ai" | "mediaStore" | "mediaLimits"> & {
    webhooks?: TWebhookConfig;
    /** The worker's logger (a test that reads the logs passes its own). */
    log?: Logger;
  } = {},
): Promise<TPipeline> {
  // One store for the whole worker (jobs, sends, inbound files), whichever option names it.
  const mediaStore =
    options.mediaStore ??
    sessions.mediaStore ??
    createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-media-")));
  const { sessionId, ...database } = await usePreparedDatabase();
  await updateSessionSettings(database.db, null, sessionId, {
    pacing: { enabled: false },
    simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
  });
  const boss = createBoss(database.url, "worker");
  await boss.start();
  const worker = await startWorker({
    db: database.db,
    boss,
    log: options.log ?? log,
    version: "test",
    heartbeatIntervalMs: 1_000,
    handlers: JOB_HANDLERS,
    ai: options.ai,
    mediaStore,
    mediaLimits: options.mediaLimits,
    ...(options.webhooks ? { webhooks: { config: options.webhooks, databaseUrl: database.url } } : {}),
    sessions: { databaseUrl: database.url, leaseTtlS: 5, sendConcurrency: 4, ...sessions },
  });
  // Stopped as soon as the test ends: a file of pipeline tests must not hold every test's connections.
  onTestFinished(async () => {
    await worker.stop(5_000).catch(() => undefined);
  });
  return { ...database, boss, sessionId, worker, mediaStore };
}

let counter = 0;
/** Delivers a message from `from` as the transport would. */
export function inbound(pipeline: TPipeline, from: string, body: string, waMessageId = `in-${randomUUID()}`) {
  counter += 1;
  return ingestInbound(pipeline.db, pipeline.boss, {
    sessionId: pipeline.sessionId,
    waMessageId,
    from,
    pushName: `Contact ${counter}`,
    type: "text",
    body,
  });
}

/** Outbound messages of a contact's thread, in decision order. */
export async function repliesTo(db: TDb, waId: string) {
  return db
    .select({
      id: messages.id,
      body: messages.body,
      status: messages.status,
      seq: messages.seq,
      waMessageId: messages.waMessageId,
      replyTo: messages.replyToMessageId,
      error: messages.error,
    })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.waId, waId), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq));
}

/** What the simulated phone of `waId` received, in arrival order. */
export async function deliveriesTo(db: TDb, waId: string) {
  return db
    .select()
    .from(simulatorDeliveries)
    .where(eq(simulatorDeliveries.toWaId, waId))
    .orderBy(asc(simulatorDeliveries.at), asc(sql`ctid`));
}

export function waitForReplies(
  db: TDb,
  waId: string,
  count: number,
  status: "sent" | "read" | "failed" = "sent",
  timeoutMs = 20_000,
) {
  const rank = { sent: ["sent", "delivered", "read"], read: ["read"], failed: ["failed"] }[status];
  return waitFor(
    async () => {
      const replies = await repliesTo(db, waId);
      return replies.length >= count && replies.every((reply) => rank.includes(reply.status)) ? replies : undefined;
    },
    timeoutMs,
    async () => {
      const replies = await repliesTo(db, waId);
      const jobs = await db.execute<{ name: string; state: string; n: number }>(
        sql`select name, state::text, count(*)::int as n from pgboss.job group by 1, 2 order by 1, 2`,
      );
      return (
        `${count} replies to ${waId} to be ${status}; replies: ${JSON.stringify(replies.map((r) => r.status))}; ` +
        `jobs: ${jobs.rows.map((job) => `${job.name.slice(0, 20)}/${job.state}=${job.n}`).join(", ")}`
      );
    },
  );
}

/** The message id of a stored inbound message (fails the test for anything else). */
export function storedId(result: TIngestResult): string {
  if (result.status !== "stored") throw new Error(`expected the message to be stored, got ${JSON.stringify(result)}`);
  return result.messageId;
}

/** Waits until `message.process` has finished with an inbound message; returns its row. */
export function waitForProcessed(db: TDb, result: TIngestResult, timeoutMs = 10_000) {
  const id = storedId(result);
  return waitFor(
    async () => {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row?.processedAt ? row : undefined;
    },
    timeoutMs,
    `message ${id} to be processed`,
  );
}

/** Creates the rules in the draft and publishes them (version n+1), as a builder would. */
export async function publishRules(db: TDb, rules: readonly TRuleInput[]) {
  const created = [];
  for (const rule of rules) created.push(await createRule(db, null, rule));
  await publishDraft(db, null, {});
  return created;
}

/** A contact, their thread and the events about them, by number. */
export async function conversationOf(db: TDb, waId: string) {
  const [row] = await db
    .select({ contact: contacts, thread: threads })
    .from(contacts)
    .innerJoin(threads, eq(threads.contactId, contacts.id))
    .where(eq(contacts.waId, waId));
  if (!row) throw new Error(`no conversation with ${waId}`);
  const recorded = await db
    .select({ type: events.type, messageId: events.messageId, payload: events.payload, id: events.id })
    .from(events)
    .where(eq(events.contactId, row.contact.id))
    .orderBy(asc(events.at), asc(events.id));
  return { ...row, events: recorded };
}
