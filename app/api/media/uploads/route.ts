import { getCurrentUser } from "~/server/auth/session";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { requestLocale } from "~/server/i18n/request";
import { webLogger } from "~/server/logger";
import { handleMediaUpload } from "~/server/media/upload";
import { mediaRouteHeaders, webMediaLimits, webMediaStore } from "~/server/media/web-store";

export const dynamic = "force-dynamic";

/** POST /api/media/uploads?kind=<kind|auto>: a signed-in staff member's file as the raw body (server/media/upload.ts). */
export async function POST(request: Request) {
  const env = webEnv();
  return handleMediaUpload(request, {
    db: getDb(),
    store: webMediaStore(),
    limits: webMediaLimits(),
    secret: env.APP_SECRET,
    ttlS: env.MEDIA_URL_TTL_S,
    originConfig: { trustedProxyHops: env.TRUSTED_PROXY_HOPS, publicUrl: env.NEXTAUTH_URL },
    currentUser: getCurrentUser,
    locale: requestLocale,
    logger: webLogger("media"),
    baseHeaders: mediaRouteHeaders(request),
  });
}
