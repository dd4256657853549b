import { getCurrentUser } from "~/server/auth/session";
import { canSeeEvent } from "~/server/events/visibility";
import { getEventHub } from "~/server/events/web-hub";
import { refuseCrossSiteRequest } from "~/server/security/same-origin";

export const dynamic = "force-dynamic";

const KEEP_ALIVE_MS = 25_000;

/**
 * GET /api/events: Server-Sent Events for signed-in users. Each domain event the user's role
 * may see arrives as one `data:` line of JSON ({ id, type, sessionId, threadId, messageId… }).
 */
export async function GET(request: Request) {
  const refused = refuseCrossSiteRequest(request);
  if (refused) return refused;
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.", { status: 401 });
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
        if (canSeeEvent(user.role, notice.type)) write(`data: ${JSON.stringify(notice)}\n\n`);
      });
      const keepAlive = setInterval(() => write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      cleanup = () => {
        clearInterval(keepAlive);
        unsubscribe();
      };
      request.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
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
