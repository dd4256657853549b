import { eq } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { threads } from "~/db/schema";
import { AppError } from "~/server/errors";
import type { EventHub } from "~/server/events/hub";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { engineOfThread } from "~/server/sessions/engines";
import type { TPresenceState } from "~/server/sessions/presence";
import { notifySessionRequest } from "~/server/sessions/requests";

/** One presence report of a contact, as the worker announced it (live, never stored). */
export type TPresenceReport = { contactId: string; state: TPresenceState; lastSeen: string | null; at: string };

/**
 * Where presence reports arrive: `listen` resolves once reports are being heard (so a request
 * announced after it cannot be answered unheard), and returns how to stop listening.
 */
export type TPresenceFeed = (listener: (report: TPresenceReport) => void) => Promise<() => void>;

/** The web process's event hub (server/events/hub.ts) as a presence feed: its `contact.presence` events. */
export function presenceFeedOf(hub: EventHub): TPresenceFeed {
  return async (listener) => {
    const stop = hub.subscribe((notice) => {
      if (notice.type !== "contact.presence" || !notice.presence || !notice.contactId) return;
      listener({ contactId: notice.contactId, ...notice.presence, at: notice.at });
    });
    await hub.ensureConnected();
    return stop;
  };
}

/** The longest an agent may wait for a contact's presence in one call. */
export const PRESENCE_MAX_WAIT_S = 15;

export type TContactPresence =
  | { supported: false; state: "unknown"; lastSeen: null; at: null }
  | { supported: true; state: TPresenceState | "unknown"; lastSeen: string | null; at: string | null };

/**
 * A conversation's contact's presence ("typing", "recording", "online", "offline", "paused")
 * for an AI agent. Presence is live and never stored, so this asks the number's worker for it
 * (the same request the Inbox sends while a conversation is open) and listens for up to `waitMs`:
 * the first report for the contact answers; none in time answers `unknown`. A number whose
 * engine does not report presence (`contactPresence`) answers `supported: false` at once.
 */
export async function readContactPresence(
  db: TDbOrTx,
  feed: TPresenceFeed,
  threadId: string,
  waitMs: number,
): Promise<TContactPresence> {
  const engine = await engineOfThread(db, threadId);
  const [thread] = await db.select({ contactId: threads.contactId }).from(threads).where(eq(threads.id, threadId));
  if (!engine || !thread) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  if (!engineCan(engine.capabilities, "contactPresence")) {
    return { supported: false, state: "unknown", lastSeen: null, at: null };
  }
  let answer: (report: TPresenceReport | null) => void = () => undefined;
  const reported = new Promise<TPresenceReport | null>((resolve) => (answer = resolve));
  const stop = await feed((report) => {
    if (report.contactId === thread.contactId) answer(report);
  });
  const timer = setTimeout(() => answer(null), waitMs);
  try {
    await notifySessionRequest(db, { sessionId: engine.sessionId, request: "presence", to: engine.address });
    const report = await reported;
    return report
      ? { supported: true, state: report.state, lastSeen: report.lastSeen, at: report.at }
      : { supported: true, state: "unknown", lastSeen: null, at: null };
  } finally {
    clearTimeout(timer);
    stop();
  }
}
