import { webEnv } from "~/server/env";
import { createNonce, securityHeaders } from "~/server/security/headers";
import { isHttpsRequest } from "~/server/security/request-origin";
import { mediaLimitsFromEnv, type TMediaLimits } from "./limits";
import { createMediaStore } from "./store-env";
import type { TMediaStore } from "./store";

const globalForMedia = globalThis as unknown as { switchboardMediaStore?: TMediaStore };

/** The web process's media store (uploads, serving), made once from its settings. */
export function webMediaStore(): TMediaStore {
  globalForMedia.switchboardMediaStore ??= createMediaStore(webEnv());
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
