import path from "node:path";
import { z } from "zod";
import type { TEngineCommonEnv } from "../types";
import { createRealWwebjsClient } from "./client";
import type { TWwebjsLifecycleOptions } from "./lifecycle";

/** How the worker runs whatsapp-web.js clients (Chromium, data folder, watchdogs, backoff). */
export type TWwebjsEngineOptions = Omit<TWwebjsLifecycleOptions, "sessionId" | "log" | "store" | "dataPath"> & {
  /** Encrypts the stored WhatsApp login (RemoteAuth's archive in `wa_session_auth`). */
  appSecret: string;
  /** Each session's browser profile is unpacked under `<dataDir>/<session id>` while it runs. */
  dataDir: string;
};

/** The environment variables of the whatsapp-web.js engine. */
export const ZWwebjsEnv = z.object({
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
});

/** The real client on the system Chromium, configured from the environment. */
export function wwebjsOptionsFromEnv(env: z.infer<typeof ZWwebjsEnv>, common: TEngineCommonEnv): TWwebjsEngineOptions {
  return {
    createClient: createRealWwebjsClient,
    appSecret: common.APP_SECRET,
    dataDir: path.resolve(env.WWEBJS_DATA_DIR),
    chromiumPath: env.CHROMIUM_PATH,
    webVersion: env.WWEBJS_WEB_VERSION ?? null,
    readyTimeoutMs: env.WWEBJS_READY_TIMEOUT_MS,
    memoryLimitMb: env.WWEBJS_MEMORY_LIMIT_MB,
    minBackoffMs: 1_000,
    maxBackoffMs: 300_000,
  };
}
