import { z } from "zod";
import { checkMediaS3Env, ZMediaEnv } from "~/server/media/env";
import { DEFAULT_GEMINI_MODEL } from "~/server/ai/models";

/**
 * The web and the stack launcher read configuration only through this module (the worker has
 * `workers/env.ts`). Values are parsed once, on first use, so `next build` needs none of them.
 */

const ZLogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
export type TLogLevel = z.infer<typeof ZLogLevel>;
const ZLogEnv = z.object({ LOG_LEVEL: ZLogLevel.default("info") });

const ZPostgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\/.+/.test(value) && URL.canParse(value), {
    message: "must be a postgres:// URL, e.g. postgres://user:pass@host:5432/db",
  });

const ZAppSecret = z.string().min(32, "must be at least 32 characters (try: openssl rand -hex 32)");

/** The address people open the app at (next-auth's NEXTAUTH_URL): an http(s) URL. */
export const ZPublicUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    message: "must be the http(s) address people open the app at, e.g. https://switchboard.example.com",
  });

/** Gemini, read by the worker (AI replies) and the web (Settings: provider status, "test key"). */
export const ZAiEnv = z.object({
  /** Gemini API key; without one, AI replies come from the offline provider (the profile). */
  GEMINI_API_KEY: z.string().trim().min(1).optional(),
  GEMINI_MODEL: z.string().trim().min(1).default(DEFAULT_GEMINI_MODEL),
  /** Another Gemini endpoint (a proxy; tests point it at a fake server). */
  GEMINI_BASE_URL: z.url().optional(),
});
export type TAiEnv = z.infer<typeof ZAiEnv>;

/** Meta's Graph API (the WhatsApp Cloud API engine), read by the worker (sends) and the web (setup, templates). */
export const ZCloudEnv = z.object({
  /** Another Graph API endpoint than https://graph.facebook.com (tests point it at a fake server on loopback). */
  CLOUD_API_BASE_URL: z.url().optional(),
});

const ZBooleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

/** Webhooks, read by the web (checking endpoint URLs) and the worker (delivering). */
export const ZWebhookEnv = z.object({
  /** Lets endpoints on loopback and private networks through the SSRF check (tests, closed networks). */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: ZBooleanFlag,
  /** Seconds before each attempt, comma-separated (default: the Standard Webhooks schedule). */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, "must be seconds, comma-separated, e.g. 0,5,300")
    .transform((value) => value.split(",").map((part) => Number(part.trim())))
    .optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** An endpoint that has not had a successful delivery for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  /** After a secret rotation, the old secret keeps signing beside the new one this long. */
  WEBHOOK_ROTATION_OVERLAP_HOURS: z.coerce.number().min(0).max(720).default(24),
});
export type TWebhookEnv = z.infer<typeof ZWebhookEnv>;

/**
 * Prometheus metrics (server/metrics, docs/operations.md): /metrics answers only a request with
 * `Authorization: Bearer <METRICS_TOKEN>`; without a token configured, metrics are off (404).
 */
export const ZMetricsEnv = z.object({
  METRICS_TOKEN: z.string().trim().min(16, "must be at least 16 characters (try: openssl rand -hex 24)").optional(),
});

const ZWebEnv = z.object({
  ...ZMediaEnv.shape,
  ...ZMetricsEnv.shape,
  ...ZAiEnv.shape,
  ...ZCloudEnv.shape,
  ...ZWebhookEnv.shape,
  DATABASE_URL: ZPostgresUrl,
  APP_SECRET: ZAppSecret,
  ...ZLogEnv.shape,
  /** Seconds after which a silent worker heartbeat makes /api/health report the worker down. */
  WORKER_HEARTBEAT_MAX_AGE_S: z.coerce.number().positive().default(30),
  /**
   * Reverse proxies in front of the web that append to X-Forwarded-For. 0 (no proxy): the
   * header is the client's own claim, so logins are throttled per email only.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** REST API requests per key per minute; over it, 429 with Retry-After. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  /** Set by the `npm start` supervisor: its children's state, for /api/health (unset under a process manager). */
  SUPERVISOR_STATE_FILE: z.string().min(1).optional(),
  /**
   * The public address (next-auth reads it too). An https one means the app is served over
   * HTTPS whatever the request says: HSTS and Secure cookies; its origin passes the CSRF check.
   */
  NEXTAUTH_URL: ZPublicUrl.optional(),
  /** "development" under `next dev` (the CSP then allows React's dev-only eval). */
  NODE_ENV: z.string().optional(),
});
export type TWebEnv = z.infer<typeof ZWebEnv>;

const ZStackEnv = z.object({
  NODE_ENV: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: ZPostgresUrl.optional(),
  APP_SECRET: ZAppSecret.optional(),
  DATA_DIR: z.string().default(".data"),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_329),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  ADMIN_NAME: z.string().default("Administrator"),
  LOG_LEVEL: ZLogLevel.default("info"),
  /** Logs as JSON lines even on a terminal (for log shippers). */
  LOG_JSON: ZBooleanFlag,
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** A web or worker that exits on its own is restarted after this, doubling each time up to RESTART_BACKOFF_MAX_MS. */
  RESTART_BACKOFF_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
  RESTART_BACKOFF_MAX_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** This many exits of one process within RESTART_CRASH_WINDOW_S is a crash loop: everything stops, exit 1. */
  RESTART_MAX_CRASHES: z.coerce.number().int().min(1).max(1_000).default(5),
  /** Also how long a process must stay up for its backoff to start again from RESTART_BACKOFF_MS. */
  RESTART_CRASH_WINDOW_S: z.coerce.number().positive().max(86_400).default(120),
  NEXTAUTH_URL: ZPublicUrl.optional(),
});
export type TStackEnv = z.infer<typeof ZStackEnv>;

/** Thrown when configuration is invalid; the message is one line naming every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses `source` with `schema`, turning zod issues into one readable line. */
export function parseEnv<T extends z.ZodType>(schema: T, source: Record<string, string | undefined>): z.infer<T> {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "env"} ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
}

let webEnvCache: TWebEnv | undefined;
/** Configuration of the web process. */
export function webEnv(): TWebEnv {
  webEnvCache ??= parseEnv(ZWebEnv.superRefine(checkMediaS3Env), process.env);
  return webEnvCache;
}

/**
 * The web process's LOG_LEVEL, read alone: its loggers are made when their modules load, which
 * `next build` does too, with none of the other variables set.
 */
export function webLogLevel(source: Record<string, string | undefined> = process.env): TLogLevel {
  return parseEnv(ZLogEnv, source).LOG_LEVEL;
}

/** Configuration of `npm start` / `npm run dev`. */
export function stackEnv(source: Record<string, string | undefined> = process.env): TStackEnv {
  return parseEnv(ZStackEnv, source);
}

export { ZAppSecret, ZLogLevel, ZPostgresUrl };
