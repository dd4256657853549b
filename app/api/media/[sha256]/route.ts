import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { serveMedia } from "~/server/media/serve";
import { mediaRouteHeaders, webMediaStore } from "~/server/media/web-store";

export const dynamic = "force-dynamic";

/** GET /api/media/<sha256>?e=…&s=…: a stored file, for whoever holds its signed URL (server/media/serve.ts). */
export async function GET(request: Request, { params }: { params: Promise<{ sha256: string }> }) {
  const { sha256 } = await params;
  return serveMedia(request, sha256, {
    db: getDb(),
    store: webMediaStore(),
    secret: webEnv().APP_SECRET,
    baseHeaders: mediaRouteHeaders(request),
  });
}

export const HEAD = GET;
