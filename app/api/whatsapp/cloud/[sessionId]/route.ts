import { handleCloudWebhookGet, handleCloudWebhookPost, type TCloudWebhookDeps } from "~/server/cloud/webhook";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { mediaRouteHeaders } from "~/server/media/web-store";

export const dynamic = "force-dynamic";

type TContext = { params: Promise<{ sessionId: string }> };

/** Meta calls these, not a signed-in person: no session, no CSRF; the signature is the check (server/cloud/webhook.ts). */
function deps(request: Request): TCloudWebhookDeps {
  return {
    db: getDb(),
    boss: getWebBoss,
    secret: webEnv().APP_SECRET,
    logger: webLogger("cloud-webhook"),
    // The page proxy leaves /api/whatsapp/ alone (proxy.ts): the same security headers, set here.
    baseHeaders: mediaRouteHeaders(request),
  };
}

/** GET /api/whatsapp/cloud/<sessionId>?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…: Meta's subscription check. */
export async function GET(request: Request, { params }: TContext) {
  const { sessionId } = await params;
  return handleCloudWebhookGet(request, sessionId, deps(request));
}

/** POST /api/whatsapp/cloud/<sessionId>: a notification signed with the Meta app's secret (X-Hub-Signature-256). */
export async function POST(request: Request, { params }: TContext) {
  const { sessionId } = await params;
  return handleCloudWebhookPost(request, sessionId, deps(request));
}
