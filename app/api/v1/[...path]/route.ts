import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { handleRestRequest } from "~/server/rest/handler";

export const dynamic = "force-dynamic";

const log = webLogger("rest-api");

/**
 * The REST API (server/rest): `/api/v1/*`, authenticated by API key; /api/v1/openapi.json is
 * public. The handler reads the path from the request's URL itself, decoding it once: Next's
 * `params` are decoded already, and decoding them again would turn `%2525` into `%`.
 */
function handle(request: Request) {
  return handleRestRequest(request, {
    db: getDb(),
    boss: getWebBoss,
    ratePerMinute: webEnv().API_RATE_LIMIT_PER_MINUTE,
    log,
  });
}

export { handle as GET, handle as POST, handle as PUT };
