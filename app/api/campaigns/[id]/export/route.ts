import { z } from "zod";
import { canAccess } from "~/server/auth/roles";
import { getCurrentUser } from "~/server/auth/session";
import { exportCampaignRecipientsCsv, RECIPIENT_FILTERS } from "~/server/campaigns/results";
import { getDb } from "~/server/db";
import { AppError } from "~/server/errors";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";
import { csvDownload } from "~/server/lib/csv-download";

export const dynamic = "force-dynamic";

const ZParams = z.object({ id: z.uuid(), status: z.enum(RECIPIENT_FILTERS).default("all") });

/**
 * GET /api/campaigns/:id/export?status=…: the campaign's recipients and what became of each
 * one's message, as CSV, streamed page by page. The same access as reading the campaign in
 * the dashboard (config, read).
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
  if (!canAccess(user.role, "config", "read")) return new Response("Not allowed.", { status: 403 });
  const parsed = ZParams.safeParse({
    id: (await params).id,
    status: new URL(request.url).searchParams.get("status") ?? undefined,
  });
  if (!parsed.success) return new Response("Not a campaign.", { status: 404 });
  const rows = exportCampaignRecipientsCsv(getDb(), parsed.data.id, parsed.data.status);
  let first: IteratorResult<string>;
  try {
    // The first chunk finds the campaign: a missing one is a 404, not a broken download.
    first = await rows.next();
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return new Response(error.message, { status: 404 });
    throw error;
  }
  return csvDownload(rows, `campaign-${parsed.data.id}-recipients.csv`, first);
}
