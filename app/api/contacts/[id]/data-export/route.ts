import { z } from "zod";
import { canAccess } from "~/server/auth/roles";
import { getCurrentUser } from "~/server/auth/session";
import { exportContactData } from "~/server/data-rights/export";
import { getDb } from "~/server/db";
import { AppError } from "~/server/errors";
import { webMediaStore } from "~/server/media/web-store";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";

export const dynamic = "force-dynamic";

const ZParams = z.object({ id: z.uuid() });

/**
 * GET /api/contacts/:id/data-export: everything held about one contact as a ZIP (contact.json and
 * their media files; docs/data-rights.md), streamed. Admins only (the `users` area's write, as
 * erasure): it is the whole of a person's data. Audited.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
  if (!canAccess(user.role, "users", "write")) return new Response("Not allowed.", { status: 403 });
  const parsed = ZParams.safeParse({ id: (await params).id });
  if (!parsed.success) return new Response("Not a contact.", { status: 404 });
  let exported;
  try {
    // The database is read before the answer starts: a missing contact is a 404, not a broken download.
    exported = await exportContactData(getDb(), webMediaStore(), user, { contactId: parsed.data.id });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return new Response(error.message, { status: 404 });
    throw error;
  }
  const { chunks, filename } = exported;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
