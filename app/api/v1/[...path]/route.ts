import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { mediaRouteHeaders, webMediaLimits, webMediaStore } from "~/server/media/web-store";
import { handleRestRequest } from "~/server/rest/handler";
import { createRestMedia } from "~/server/rest/media-deps";
import { isHttpsRequest, requestHost } from "~/server/security/request-origin";

export const dynamic = "force-dynamic";

const log = webLogger("rest-api");

/** The whole download of a `media.url` (a 100 MB document on a slow link needs more than a webhook's 10 s). */
const MEDIA_FETCH_TIMEOUT_MS = 60_000;

/**
 * The origin of media links in an answer: NEXTAUTH_URL when set; else the address the client
 * used, as a trusted proxy reports it (X-Forwarded-Proto/Host, TRUSTED_PROXY_HOPS) or the Host.
 */
function publicOrigin(request: Request): string | undefined {
  const env = webEnv();
  if (env.NEXTAUTH_URL) return env.NEXTAUTH_URL;
  const config = { trustedProxyHops: env.TRUSTED_PROXY_HOPS, publicUrl: env.NEXTAUTH_URL };
  const host = requestHost(request.headers, config);
  if (!host || !URL.canParse(`http://${host}`)) return undefined;
  return `${isHttpsRequest(request.headers, config) ? "https" : "http"}://${host}`;
}

/**
 * The REST API (server/rest): `/api/v1/*`, authenticated by API key; /api/v1/openapi.json is
 * public. The handler reads the path from the request's URL itself, decoding it once: Next's
 * `params` are decoded already, and decoding them again would turn `%2525` into `%`. The page
 * proxy (proxy.ts) leaves these routes alone, as it does the media routes: it would hold a whole
 * upload in memory and cut it at 10 MB; the security headers are set here instead.
 */
async function handle(request: Request) {
  const env = webEnv();
  const db = getDb();
  const origin = publicOrigin(request);
  const response = await handleRestRequest(request, {
    db,
    boss: getWebBoss,
    ratePerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    log,
    media: createRestMedia({
      db,
      store: webMediaStore(),
      limits: webMediaLimits(),
      secret: env.APP_SECRET,
      ttlS: env.MEDIA_URL_TTL_S,
      ...(origin ? { publicOrigin: origin } : {}),
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      fetchTimeoutMs: MEDIA_FETCH_TIMEOUT_MS,
    }),
  });
  for (const [name, value] of Object.entries(mediaRouteHeaders(request))) response.headers.set(name, value);
  return response;
}

export { handle as GET, handle as POST, handle as PUT };
