import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Job, PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import type { TAiConfig } from "~/server/ai/ai-reply";
import { createQueues } from "~/server/jobs/boss";
import { DEAD_LETTER_QUEUE, QUEUES, type TDeadLetter, type TQueueName, type TQueuePayload } from "~/server/jobs/queues";
import type { Logger } from "~/server/logger";
import type { TMediaLimits } from "~/server/media/limits";
import type { TMediaStore } from "~/server/media/store";
import { defaultWebhookConfig, type TWebhookConfig } from "~/server/webhooks/deliver";
import { startHeartbeat } from "./heartbeat";
import { createSessionRunner, type TSessionRunnerOptions } from "./sessions/runner";
import { startWebhookDispatcher } from "./webhook-dispatcher";
import { workBatched, workInBatches } from "./work";

export type TJobContext = {
  db: TDb;
  boss: PgBoss;
  log: Logger;
  job: Job<unknown>;
  ai: TAiConfig;
  webhooks: TWebhookConfig;
  /** The media store (null when the worker was started without one: tests of the runtime alone). */
  mediaStore: TMediaStore | null;
  /** Meta's Graph API (CLOUD_API_BASE_URL; unset: Meta's) and APP_SECRET, for jobs that call it with a number's sealed token. */
  cloudApi: { appSecret: string; baseUrl?: string } | null;
};
/** A job handler: thin, it validates nothing itself (the runtime did) and calls domain code. */
export type TJobHandler<N extends TQueueName> = (payload: TQueuePayload<N>, context: TJobContext) => Promise<void>;
/**
 * A handler of a whole fetched batch (one transaction for many jobs). Throwing fails the batch,
 * whose jobs are then run one by one (see workInBatches).
 */
export type TBatchJobHandler<N extends TQueueName> = (
  payloads: TQueuePayload<N>[],
  context: Omit<TJobContext, "job">,
) => Promise<void>;
/** One handler per declared queue (a queue without one does not compile): per job, or per batch. */
export type THandlerMap = { [N in TQueueName]: TJobHandler<N> | { batch: TBatchJobHandler<N> } };

export type TWorkerOptions = {
  db: TDb;
  boss: PgBoss;
  log: Logger;
  handlers: THandlerMap;
  version: string;
  heartbeatIntervalMs: number;
  /** Run the WhatsApp sessions (leases, transports, send queues). Off in tests of the runtime alone. */
  sessions?: Omit<TSessionRunnerOptions, "db" | "boss" | "log" | "owner" | "transcribe">;
  /** Which model writes AI replies (default: the offline provider). */
  ai?: TAiConfig;
  /** Webhook delivery; with `databaseUrl`, the worker also dispatches new deliveries to the queue. */
  webhooks?: { config: TWebhookConfig; databaseUrl: string };
  /** The media store (createMediaStore from workerEnv in workers/main.ts). */
  mediaStore?: TMediaStore;
  /** Size limits per kind of inbound files (`mediaLimitsFromEnv`); WhatsApp's own without. */
  mediaLimits?: TMediaLimits;
  /** Extra queues (tests): created and worked like declared ones. */
  extraQueues?: Record<string, (data: unknown, context: TJobContext) => Promise<void>>;
  /** A stable identity (WORKER_ID); default: a new one for this process. */
  workerId?: string;
  /** Meta's Graph API for jobs that call it (template sync); without it they skip, saying so. */
  cloudApi?: { appSecret: string; baseUrl?: string };
};

export type TRunningWorker = {
  workerId: string;
  /** Stops taking jobs, waits up to `timeoutMs` for those in flight, then stops beating. */
  stop: (timeoutMs: number) => Promise<{ drained: boolean }>;
};

/**
 * Runs the worker on a started pg-boss: creates every queue from `server/jobs/queues`,
 * schedules the cron ones, works them all, and beats a heartbeat the web can read.
 */
export async function startWorker(options: TWorkerOptions): Promise<TRunningWorker> {
  const { db, boss, log } = options;
  const ai: TAiConfig = options.ai ?? { gemini: null };
  const webhooks = options.webhooks?.config ?? defaultWebhookConfig("");
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  await createQueues(boss);
  let inFlight = 0;

  const run = async (queue: string, job: Job<unknown>, handle: (context: TJobContext) => Promise<void>) => {
    inFlight += 1;
    const jobLog = log.child({ queue, jobId: job.id });
    try {
      await handle({
        db,
        boss,
        log: jobLog,
        job,
        ai,
        webhooks,
        mediaStore: options.mediaStore ?? null,
        cloudApi: options.cloudApi ?? null,
      });
    } catch (error) {
      jobLog.warn({ err: error }, "job failed; pg-boss retries it per the queue's policy");
      throw error;
    } finally {
      inFlight -= 1;
    }
  };

  /** Validates a job's payload; a bad one never becomes valid by retrying: it is parked, with the reason. */
  const validPayload = async <N extends TQueueName>(name: N, job: Job<unknown>) => {
    const parsed = QUEUES[name].payload.safeParse(job.data);
    if (parsed.success) return parsed.data as TQueuePayload<N>;
    const dead: TDeadLetter = { queue: name, jobId: job.id, data: job.data, error: parsed.error.message };
    await boss.send(DEAD_LETTER_QUEUE, dead);
    log.error(
      { queue: name, jobId: job.id, error: parsed.error.message },
      "invalid job payload sent to the dead-letter queue",
    );
    return null;
  };

  for (const name of Object.keys(QUEUES) as TQueueName[]) {
    const declaration = QUEUES[name];
    const handler: TJobHandler<TQueueName> | { batch: TBatchJobHandler<TQueueName> } = options.handlers[name];
    if (declaration.cron) await boss.schedule(name, declaration.cron, {});
    const concurrency = declaration.concurrency ?? 1;
    if (typeof handler === "function") {
      await workBatched(boss, name, { batchSize: concurrency * 4, localConcurrency: concurrency }, async (job) => {
        const payload = await validPayload(name, job);
        if (payload) await run(name, job, (context) => handler(payload, context));
      });
    } else {
      await workInBatches(
        boss,
        name,
        { batchSize: declaration.batchSize ?? 20, localConcurrency: concurrency },
        async (jobs) => {
          const payloads: TQueuePayload<TQueueName>[] = [];
          for (const job of jobs) {
            const payload = await validPayload(name, job);
            if (payload) payloads.push(payload);
          }
          if (payloads.length > 0)
            await run(name, jobs[0]!, ({ job: _job, ...context }) => handler.batch(payloads, context));
        },
      );
    }
  }
  for (const [name, handle] of Object.entries(options.extraQueues ?? {})) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, { notify: true });
    await workBatched(boss, name, { batchSize: 1, localConcurrency: 1 }, (job) =>
      run(name, job, (context) => handle(job.data, context)),
    );
  }

  const dispatcher = options.webhooks
    ? startWebhookDispatcher({ db, boss, log, databaseUrl: options.webhooks.databaseUrl })
    : null;

  const runner = options.sessions
    ? createSessionRunner({
        db,
        boss,
        log,
        owner: workerId,
        mediaStore: options.mediaStore,
        mediaLimits: options.mediaLimits,
        // Voice notes go to transcription first only where a model can write them out.
        transcribe: ai.gemini !== null,
        ...options.sessions,
      })
    : null;
  await runner?.start();

  const heartbeat = await startHeartbeat(db, {
    workerId,
    intervalMs: options.heartbeatIntervalMs,
    version: options.version,
    onError: (error) => log.warn({ err: error }, "heartbeat failed"),
  });
  log.info({ workerId, queues: Object.keys(QUEUES) }, "worker started");

  return {
    workerId,
    async stop(timeoutMs) {
      log.info({ inFlight, timeoutMs }, "stopping: no new jobs, waiting for jobs in flight");
      await dispatcher?.stop();
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
      await runner?.release();
      const drained = inFlight === 0;
      if (!drained)
        log.warn({ inFlight }, "jobs still running at the deadline; pg-boss will retry them after they expire");
      await heartbeat.stop().catch((error: unknown) => log.warn({ err: error }, "could not mark heartbeat stopped"));
      return { drained };
    },
  };
}
