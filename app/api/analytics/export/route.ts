import { z, ZodError } from "zod";
import { EXPORT_KINDS, isCalendarDay, rangeProblem } from "~/components/analytics/analytics-range";
import { canAccess, isScopedToOwn } from "~/server/auth/roles";
import { getCurrentUser } from "~/server/auth/session";
import { getDb } from "~/server/db";
import { AppError } from "~/server/errors";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";
import { analyticsCsv } from "./analytics-csv";
import { csvHeaders } from "~/server/lib/csv-download";

export const dynamic = "force-dynamic";

const ZDay = z.string().refine(isCalendarDay, "Use a real day written YYYY-MM-DD");

const ZExportQuery = z.object({
  kind: z.enum(EXPORT_KINDS, { error: `kind must be one of ${EXPORT_KINDS.join(", ")}` }),
  from: ZDay,
  to: ZDay,
  session: z.uuid("session must be a session id").optional(),
  bucket: z.enum(["hour", "day"], { error: "bucket must be hour or day" }).optional(),
});

/**
 * GET /api/analytics/export?kind=…&from=YYYY-MM-DD&to=YYYY-MM-DD[&session=<id>][&bucket=hour|day]:
 * one table or series of the Analytics page, as CSV, for whoever may read the page.
 */
export async function GET(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
  if (!canAccess(user.role, "insights", "read")) return new Response("Not allowed.", { status: 403 });
  const parsed = ZExportQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    return new Response(parsed.error.issues.map((issue) => issue.message).join("; "), { status: 400 });
  }
  const { kind, from, to, session, bucket } = parsed.data;
  const problem = rangeProblem(from, to);
  if (problem) return new Response(problem, { status: 400 });
  let csv: string;
  try {
    csv = await analyticsCsv(
      getDb(),
      kind,
      { from, to, sessionId: session ?? null },
      bucket,
      isScopedToOwn(user.role, "insights") ? user.id : null,
    );
  } catch (error) {
    // The domain's own range checks, should they ever be stricter than rangeProblem's.
    if (error instanceof AppError && error.code === "BAD_REQUEST") return new Response(error.message, { status: 400 });
    if (error instanceof ZodError)
      return new Response(error.issues.map((issue) => issue.message).join("; "), { status: 400 });
    throw error;
  }
  return new Response(csv, { headers: csvHeaders(`${kind}-${from}-${to}.csv`) });
}
