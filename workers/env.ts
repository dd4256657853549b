import { z } from "zod";
import { parseEnv, ZAiEnv, ZWebhookEnv, ZAppSecret, ZLogLevel, ZPostgresUrl } from "~/server/env";

const ZWorkerEnv = z.object({
  DATABASE_URL: ZPostgresUrl,
  APP_SECRET: ZAppSecret,
  LOG_LEVEL: ZLogLevel.default("info"),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10).optional(),
  ADMIN_NAME: z.string().default("Administrator"),
  /** How long SIGTERM waits for jobs in flight before the worker exits anyway. */
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(7_000),
  WORKER_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  /** A killed worker's WhatsApp sessions move to another worker after this many seconds. */
  WORKER_SESSION_LEASE_TTL_S: z.coerce.number().int().min(2).max(600).default(30),
  /**
   * This worker's identity (its heartbeat and the owner of its session leases). `npm start`
   * gives its worker one that survives restarts, so a worker restarted after a crash takes its
   * WhatsApp sessions back at once instead of waiting for their leases to expire. Unset: a new
   * one per process. Two running workers must never share one.
   */
  WORKER_ID: z.string().trim().min(1).max(200).optional(),
  /** Parallel sends per session (always one at a time per conversation). */
  WORKER_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  ...ZAiEnv.shape,
  ...ZWebhookEnv.shape,
  /** The whole AI reply, retries included, must finish within this; then the fallback is sent. */
  AI_DEADLINE_MS: z.coerce.number().int().min(500).max(60_000).default(8_000),
  /** The Chromium whatsapp-web.js drives (never downloaded). */
  CHROMIUM_PATH: z.string().min(1).default("/usr/bin/chromium"),
  /** Where running WhatsApp sessions unpack their browser profile (the lasting copy is in Postgres). */
  WWEBJS_DATA_DIR: z.string().min(1).default(".data/wwebjs"),
  /** Pin WhatsApp Web to this version (cached under the data folder); unset: the current one. */
  WWEBJS_WEB_VERSION: z.string().trim().min(1).optional(),
  /** A client showing neither a QR nor `ready` within this long is restarted. */
  WWEBJS_READY_TIMEOUT_MS: z.coerce.number().int().min(5_000).default(120_000),
  /** A client whose Chromium uses more resident memory than this (MB) is restarted. */
  WWEBJS_MEMORY_LIMIT_MB: z.coerce.number().int().min(128).default(1_024),
  /** Set by npm for scripts; shown in the heartbeat. */
  npm_package_version: z.string().default("dev"),
});
export type TWorkerEnv = z.infer<typeof ZWorkerEnv>;

/** The worker's configuration; the only place in workers/ that reads process.env. */
export function workerEnv(): TWorkerEnv {
  return parseEnv(ZWorkerEnv, process.env);
}
