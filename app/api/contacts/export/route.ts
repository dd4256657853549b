import { canAccess } from "~/server/auth/roles";
import { getCurrentUser } from "~/server/auth/session";
import { exportContactsCsv, readExportFilters } from "~/server/contacts/export";
import { getDb } from "~/server/db";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";
import { AppError } from "~/server/errors";
import { csvDownload } from "~/server/lib/csv-download";

export const dynamic = "force-dynamic";

/** GET /api/contacts/export?search=…&tag=…: the contacts the list shows with these filters, as CSV. */
export async function GET(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
  if (!canAccess(user.role, "contacts", "read")) return new Response("Not allowed.", { status: 403 });
  let filters;
  try {
    filters = readExportFilters(new URL(request.url).searchParams);
  } catch (error) {
    if (error instanceof AppError) return new Response(error.message, { status: 400 });
    throw error;
  }
  const rows = exportContactsCsv(getDb(), filters);
  return csvDownload(rows, `contacts-${new Date().toISOString().slice(0, 10)}.csv`);
}
