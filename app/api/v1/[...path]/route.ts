import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import { createLogger } from "~/server/logger";
import { handleRestRequest } from "~/server/rest/handler";

export const dynamic = "force-dynamic";

const log = createLogger("rest-api");

/** The REST API (server/rest): `/api/v1/*`, authenticated by API key; /api/v1/openapi.json is public. */
async function handle(request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  return handleRestRequest(request, path, {
    db: getDb(),
    boss: getWebBoss,
    ratePerMinute: webEnv().API_RATE_LIMIT_PER_MINUTE,
    log,
  });
}

export { handle as GET, handle as POST, handle as PUT };
