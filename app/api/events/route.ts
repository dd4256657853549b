import { getCurrentSession } from "~/server/auth/session";
import { loadUserSession } from "~/server/auth/user-sessions";
import { getDb } from "~/server/db";
import { canSeeEvent } from "~/server/events/visibility";
import { getEventHub } from "~/server/events/web-hub";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";

export const dynamic = "force-dynamic";

const KEEP_ALIVE_MS = 25_000;
/** An open stream ends within this long after its session does (sign-out, disable…). */
const SESSION_RECHECK_MS = 10_000;

/**
 * GET /api/events: Server-Sent Events for signed-in users. Each domain event the user's role
 * may see arrives as one `data:` line of JSON ({ id, type, sessionId, threadId, messageId… }),
 * and so does each live-only `contact.presence` (with `presence: { state, lastSeen }`), which is
 * never stored: a stream that was down meanwhile does not get it later.
 */
export async function GET(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const current = await getCurrentSession();
  if (!current || current.needsTwoFactorEnrolment) return new Response("Sign in first.", { status: 401 });
  const { user, sessionId } = current;
  // Re-read with the session below: a role change narrows (or widens) the stream too.
  let role = user.role;
  const hub = getEventHub();
  await hub.ensureConnected();
  const encoder = new TextEncoder();
  let cleanup = () => undefined as void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      write(": connected\n\nretry: 2000\n\n");
      const unsubscribe = hub.subscribe((notice) => {
        // A notification is for one person only.
        if (notice.userId !== undefined && notice.userId !== user.id) return;
        if (canSeeEvent(role, notice.type)) write(`data: ${JSON.stringify(notice)}\n\n`);
      });
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      const close = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      const recheck = setInterval(() => {
        loadUserSession(getDb(), { sessionId, userId: user.id }).then(
          (still) => {
            if (still) role = still.user.role;
            else close();
          },
          () => undefined, // the database did not answer: keep the stream, ask again later
        );
      }, SESSION_RECHECK_MS);
      cleanup = () => {
        clearInterval(keepAlive);
        clearInterval(recheck);
        unsubscribe();
      };
      request.signal.addEventListener("abort", close);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
