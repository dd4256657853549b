import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { mediaLimitsFromEnv } from "~/server/media/limits";
import { createMediaStore } from "~/server/media/store-env";
import type { TMediaStore } from "~/server/media/store";
import { handleRestRequest } from "~/server/rest/handler";
import { createRestMedia } from "~/server/rest/media-deps";

export const dynamic = "force-dynamic";

const log = webLogger("rest-api");

let store: TMediaStore | undefined;

/** The whole download of a `media.url` (a 100 MB document on a slow link needs more than a webhook's 10 s). */
const MEDIA_FETCH_TIMEOUT_MS = 60_000;

/**
 * The REST API (server/rest): `/api/v1/*`, authenticated by API key; /api/v1/openapi.json is
 * public. The handler reads the path from the request's URL itself, decoding it once: Next's
 * `params` are decoded already, and decoding them again would turn `%2525` into `%`.
 */
function handle(request: Request) {
  const env = webEnv();
  const db = getDb();
  store ??= createMediaStore(env);
  return handleRestRequest(request, {
    db,
    boss: getWebBoss,
    ratePerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    log,
    media: createRestMedia({
      db,
      store,
      limits: mediaLimitsFromEnv(env),
      secret: env.APP_SECRET,
      ttlS: env.MEDIA_URL_TTL_S,
      ...(env.NEXTAUTH_URL ? { publicOrigin: env.NEXTAUTH_URL } : {}),
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      fetchTimeoutMs: MEDIA_FETCH_TIMEOUT_MS,
    }),
  });
}

export { handle as GET, handle as POST, handle as PUT };
