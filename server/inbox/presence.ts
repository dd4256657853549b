import type { TDbOrTx } from "~/db/client";
import { canAccess, type TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { engineOfThread } from "~/server/sessions/engines";
import { notifySessionRequest } from "~/server/sessions/requests";

/**
 * How often one web process asks a session's worker to watch the same conversation's contact,
 * at most. The Inbox asks on open and every 20 s while the conversation stays open and visible;
 * several people (or tabs) with it open would otherwise each announce it. WhatsApp keeps
 * reporting a subscribed contact for a while, so one request per 10 s per thread is plenty.
 */
export const PRESENCE_WATCH_MIN_INTERVAL_MS = 10_000;

/** When this process last announced a watch request per thread (pruned as it grows). */
const lastWatchRequest = new Map<string, number>();
/** Past this many remembered threads, entries older than the interval are dropped. */
const MAX_REMEMBERED_THREADS = 1_000;

function rememberWatchRequest(threadId: string, now: number): void {
  lastWatchRequest.set(threadId, now);
  if (lastWatchRequest.size <= MAX_REMEMBERED_THREADS) return;
  for (const [id, at] of lastWatchRequest) {
    if (now - at >= PRESENCE_WATCH_MIN_INTERVAL_MS) lastWatchRequest.delete(id);
  }
}

/** Forgets every remembered watch request (tests: each starts with a process that asked nothing). */
export function forgetPresenceWatches(): void {
  lastWatchRequest.clear();
}

/**
 * Staff have a conversation open: asks the worker that runs its number to watch the contact's
 * presence ("typing…", "recording audio…", "online"), which then arrives live as
 * `contact.presence` events (server/sessions/presence.ts → server/events/hub.ts). Only where the
 * number's engine reports presence (`contactPresence`); elsewhere it answers `watching: false`
 * and the Inbox simply shows nothing. Nothing is stored: the request is a NOTIFY to the worker
 * (server/sessions/requests.ts), repeated by the Inbox while the conversation stays open, and
 * announced at most once per `PRESENCE_WATCH_MIN_INTERVAL_MS` per thread by this process.
 * Refused like the inbox's other reads: without inbox access, or for a thread that is not there.
 */
export async function watchContactPresence(
  db: TDbOrTx,
  user: TSessionUser,
  threadId: string,
  now: number = Date.now(),
): Promise<{ watching: boolean }> {
  if (!canAccess(user.role, "inbox", "read")) {
    throw new AppError("FORBIDDEN", serverText("inboxPresence.notAllowed"));
  }
  const row = await engineOfThread(db, threadId);
  if (!row) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  if (!engineCan(row.capabilities, "contactPresence")) return { watching: false };
  const last = lastWatchRequest.get(threadId);
  if (last !== undefined && now - last < PRESENCE_WATCH_MIN_INTERVAL_MS) return { watching: true };
  rememberWatchRequest(threadId, now);
  await notifySessionRequest(db, { sessionId: row.sessionId, request: "presence", to: row.address });
  return { watching: true };
}
