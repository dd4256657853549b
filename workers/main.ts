import { createDb } from "~/db/client";
import { geminiConfig } from "~/server/ai/status";
import { defaultWebhookConfig } from "~/server/webhooks/deliver";
import { ConfigError } from "~/server/env";
import { createBoss } from "~/server/jobs/boss";
import { createLogger } from "~/server/logger";
import { mediaLimitsFromEnv } from "~/server/media/limits";
import { createMediaStore } from "~/server/media/store-env";
import { signedMediaLinks } from "~/server/media/urls";
import { startMetricsServer, type TMetricsServer } from "~/server/metrics/http";
import { watchWorker } from "~/server/metrics/sources";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { workerEnv } from "./env";
import { JOB_HANDLERS } from "./handlers/registry";
import { startWorker, type TRunningWorker } from "./runtime";

/** How long closing the database pool may take once jobs are done (a stuck query must not hang the exit). */
const POOL_END_TIMEOUT_MS = 3_000;

function fail(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchboard worker: ${message}\n`);
  process.exit(1);
}

/**
 * Set once a signal asks the worker to stop: start-up steps still under way then fail (their
 * pool is ending), and those failures are the stop, not a crash (exit 0, not 1).
 */
let stopping = false;

/** The worker process: `npm run worker`, or started by `npm start`. */
async function main() {
  const env = workerEnv();
  const log = createLogger("worker", env.LOG_LEVEL);
  // Webhook payloads link media under the app's public address; without one they say so (docs/webhooks.md).
  const publicOrigin = env.NEXTAUTH_URL ? new URL(env.NEXTAUTH_URL).origin : null;
  const { db, pool } = createDb(env.DATABASE_URL, {
    applicationName: "switchboard-worker",
    max: 10,
    settings: { synchronous_commit: "off" },
  });
  let worker: TRunningWorker | null = null;
  let metricsServer: TMetricsServer | null = null;

  // Installed before anything starts, so a SIGTERM during start-up also ends in a clean exit 0.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    try {
      const { drained } = worker ? await worker.stop(env.WORKER_SHUTDOWN_TIMEOUT_MS) : { drained: true };
      await metricsServer?.stop();
      await Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, POOL_END_TIMEOUT_MS))]);
      log.info({ drained }, "worker stopped");
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "worker did not stop cleanly");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await prepareDatabase(
    {
      pool,
      db,
      url: env.DATABASE_URL,
      admin: env,
    },
    log,
  );
  if (stopping) return;
  const boss = createBoss(env.DATABASE_URL, "worker", (error) => log.error({ err: error }, "pg-boss error"));
  await boss.start();
  if (stopping) return void (await boss.stop({ graceful: false }));
  watchWorker(db, pool, boss);
  if (env.WORKER_METRICS_PORT !== undefined && env.METRICS_TOKEN) {
    metricsServer = await startMetricsServer({
      host: env.METRICS_HOST,
      port: env.WORKER_METRICS_PORT,
      token: env.METRICS_TOKEN,
      log,
    });
  } else if (env.WORKER_METRICS_PORT !== undefined) {
    log.warn("WORKER_METRICS_PORT is set but METRICS_TOKEN is not: metrics stay off");
  }
  worker = await startWorker({
    db,
    boss,
    log,
    workerId: env.WORKER_ID,
    handlers: JOB_HANDLERS,
    mediaStore: createMediaStore(env),
    mediaLimits: mediaLimitsFromEnv(env),
    ai: {
      gemini: geminiConfig(env),
      policy: { deadlineMs: env.AI_DEADLINE_MS },
      tools: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS, appSecret: env.APP_SECRET },
    },
    webhooks: {
      databaseUrl: env.DATABASE_URL,
      config: defaultWebhookConfig(env.APP_SECRET, {
        allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        timeoutMs: env.WEBHOOK_TIMEOUT_MS,
        disableAfterMs: env.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
        ...(env.WEBHOOK_RETRY_SCHEDULE ? { scheduleS: env.WEBHOOK_RETRY_SCHEDULE } : {}),
        mediaLinks: publicOrigin
          ? (media) =>
              signedMediaLinks(media, { secret: env.APP_SECRET, ttlS: env.MEDIA_URL_TTL_S, origin: publicOrigin })
          : null,
      }),
    },
    cloudApi: { appSecret: env.APP_SECRET, baseUrl: env.CLOUD_API_BASE_URL },
    version: env.npm_package_version,
    heartbeatIntervalMs: env.WORKER_HEARTBEAT_INTERVAL_MS,
    sessions: {
      databaseUrl: env.DATABASE_URL,
      leaseTtlS: env.WORKER_SESSION_LEASE_TTL_S,
      sendConcurrency: env.WORKER_SEND_CONCURRENCY,
      engines: env.engines,
    },
  });
}

main().catch((error: unknown) => {
  if (!stopping) fail(error);
});
