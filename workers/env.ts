import { z } from "zod";
import { checkMediaS3Env, ZMediaEnv } from "~/server/media/env";
import {
  parseEnv,
  ZAiEnv,
  ZCloudEnv,
  ZWebhookEnv,
  ZMetricsEnv,
  ZAppSecret,
  ZLogLevel,
  ZPostgresUrl,
  ZPublicUrl,
} from "~/server/env";
import { engineOptionsFromEnv, type TEngineOptions } from "./engines/registry";

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
  ...ZMediaEnv.shape,
  ...ZAiEnv.shape,
  ...ZCloudEnv.shape,
  ...ZWebhookEnv.shape,
  ...ZMetricsEnv.shape,
  /**
   * The worker's own metrics port (with METRICS_TOKEN): unset, no listener. Several workers on
   * one host each need their own port, or 0: a free port, which the worker logs.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Where the worker's metrics listener binds (default loopback: a Prometheus on the same host or a tunnel). */
  METRICS_HOST: z.string().trim().min(1).default("127.0.0.1"),
  /**
   * The address people open the app at (the web's NEXTAUTH_URL): the origin of the signed media
   * links in webhook payloads. Unset: payloads say `linkUnavailable: "no_public_url"`.
   */
  NEXTAUTH_URL: ZPublicUrl.optional(),
  /** The whole AI reply, retries included, must finish within this; then the fallback is sent. */
  AI_DEADLINE_MS: z.coerce.number().int().min(500).max(60_000).default(8_000),
  /** Set by npm for scripts; shown in the heartbeat. */
  npm_package_version: z.string().default("dev"),
});
/** The worker's configuration, with each engine's options from the variables it declares (CHROMIUM_PATH, WWEBJS_*…). */
export type TWorkerEnv = z.infer<typeof ZWorkerEnv> & { engines: TEngineOptions };

/** The worker's configuration; the only place in workers/ that reads process.env. */
export function workerEnv(): TWorkerEnv {
  const env = parseEnv(ZWorkerEnv.superRefine(checkMediaS3Env), process.env);
  return { ...env, engines: engineOptionsFromEnv(process.env, env) };
}
