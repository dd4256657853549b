import { z } from "zod";
import type { TEngineCommonEnv } from "../types";
import type { TBaileysLifecycleOptions } from "./lifecycle";
import { createRealBaileysSocket } from "./socket";

/** How the worker runs Baileys sessions (the socket factory, watchdog, backoff). */
export type TBaileysEngineOptions = Omit<TBaileysLifecycleOptions, "db" | "sessionId" | "log">;

/** The environment variables of the Baileys engine (all optional: it runs on every worker). */
export const ZBaileysEnv = z.object({
  /** A socket that neither shows a QR nor opens within this long is replaced. */
  BAILEYS_READY_TIMEOUT_MS: z.coerce.number().int().min(5_000).default(60_000),
  /** The first reconnect's delay; it doubles up to BAILEYS_MAX_BACKOFF_MS. */
  BAILEYS_MIN_BACKOFF_MS: z.coerce.number().int().min(100).default(1_000),
  BAILEYS_MAX_BACKOFF_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** What the library itself logs (it is chatty below `error`). */
  BAILEYS_LOG_LEVEL: z.enum(["silent", "fatal", "error", "warn", "info", "debug", "trace"]).default("error"),
});

/** The real library, configured from the environment. */
export function baileysOptionsFromEnv(
  env: z.infer<typeof ZBaileysEnv>,
  common: TEngineCommonEnv,
): TBaileysEngineOptions {
  return {
    createSocket: createRealBaileysSocket,
    appSecret: common.APP_SECRET,
    readyTimeoutMs: env.BAILEYS_READY_TIMEOUT_MS,
    minBackoffMs: env.BAILEYS_MIN_BACKOFF_MS,
    maxBackoffMs: Math.max(env.BAILEYS_MIN_BACKOFF_MS, env.BAILEYS_MAX_BACKOFF_MS),
    libraryLogLevel: env.BAILEYS_LOG_LEVEL,
  };
}
