import { ZodError } from "zod";
import { canAccess } from "~/server/auth/roles";
import { getCurrentUser } from "~/server/auth/session";
import { ZListContactsInput } from "~/server/contacts/contacts";
import { exportContactsCsv } from "~/server/contacts/export";
import { getDb } from "~/server/db";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";

export const dynamic = "force-dynamic";

/** GET /api/contacts/export?search=…&tag=…: the contacts the list shows with these filters, as CSV. */
export async function GET(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
  if (!canAccess(user.role, "contacts", "read")) return new Response("Not allowed.", { status: 403 });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  let filters;
  try {
    filters = ZListContactsInput.omit({ cursor: true, limit: true }).parse({
      ...params,
      ...(params.optedOut ? { optedOut: params.optedOut === "true" } : {}),
      ...(params.minPriority ? { minPriority: Number(params.minPriority) } : {}),
    });
  } catch (error) {
    const message = error instanceof ZodError ? error.issues.map((issue) => issue.message).join("; ") : "Bad filters";
    return new Response(message, { status: 400 });
  }
  const encoder = new TextEncoder();
  const rows = exportContactsCsv(getDb(), filters);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="contacts-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
