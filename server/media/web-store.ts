import path from "node:path";
import { webEnv } from "~/server/env";
import { createNonce, securityHeaders } from "~/server/security/headers";
import { isHttpsRequest } from "~/server/security/request-origin";
import type { TMediaEnv } from "./env";
import { mediaLimitsFromEnv, type TMediaLimits } from "./limits";
import { createFsMediaStore } from "./store-fs";
import type { TMediaStore } from "./store";

const globalForMedia = globalThis as unknown as { switchboardMediaStore?: TMediaStore };

/**
 * The store as the settings name it. Until the S3 store is wired here (store-env.ts's
 * `createMediaStore`), the web refuses to start serving media from the filesystem while
 * the worker writes to a bucket: both must use the same store.
 */
function storeOf(env: TMediaEnv): TMediaStore {
  if (env.MEDIA_S3_BUCKET) throw new Error("MEDIA_S3_BUCKET is set, but this build of the web has no S3 media store");
  return createFsMediaStore(env.MEDIA_DIR ?? path.join(env.DATA_DIR, "media"));
}

/** The web process's media store (uploads, serving), made once from its settings. */
export function webMediaStore(): TMediaStore {
  globalForMedia.switchboardMediaStore ??= storeOf(webEnv());
  return globalForMedia.switchboardMediaStore;
}

/** The web process's size limits per kind (`MEDIA_MAX_*_MB`). */
export function webMediaLimits(): TMediaLimits {
  return mediaLimitsFromEnv(webEnv());
}

/**
 * The app's security headers for the media routes, which the page proxy (proxy.ts) leaves alone:
 * it would hold a whole upload in memory (and cut it at 10 MB) before the route could stream it.
 */
export function mediaRouteHeaders(request: Request): Record<string, string> {
  const env = webEnv();
  const isHttps = isHttpsRequest(request.headers, {
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    publicUrl: env.NEXTAUTH_URL,
  });
  return securityHeaders({ nonce: createNonce(), isHttps, isDev: env.NODE_ENV === "development" });
}
