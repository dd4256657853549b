import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/api/root";

export type TSession = inferRouterOutputs<AppRouter>["sessions"]["list"][number];
export type TSessionStatus = TSession["status"];

/** Each status in words, and the badge tone that goes with it (the word carries the meaning, not the colour). */
export const SESSION_STATUS: Record<TSessionStatus, { label: string; tone: "success" | "warning" | "danger" }> = {
  new: { label: "Starting", tone: "warning" },
  qr: { label: "Waiting for a scan", tone: "warning" },
  connecting: { label: "Connecting", tone: "warning" },
  ready: { label: "Connected", tone: "success" },
  disconnected: { label: "Disconnected", tone: "danger" },
  logged_out: { label: "Logged out", tone: "danger" },
  failed: { label: "Failed", tone: "danger" },
};

/** Statuses on their way somewhere: the page polls as a backstop to the live stream while one shows. */
export const SETTLING_STATUSES: readonly TSessionStatus[] = ["new", "qr", "connecting"];

/** "a few seconds", "12 s", "4 min", "2 h 5 min", "3 d": how long since `since`. Seconds matter here: statuses flip quickly. */
export function formatSince(since: Date | string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  if (seconds < 5) return "a few seconds";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** "32 s", "4 min 10 s", "1 h 5 min": how long until a retry. */
export function formatCountdown(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`;
}

/** Statuses of a session that keeps failing, while the worker retries on its backoff. */
const RETRYING_STATUSES: readonly TSessionStatus[] = ["failed", "disconnected", "connecting"];

/**
 * A session that keeps failing: "retrying in 32 s (attempt 6)" while it waits, "retrying now
 * (attempt 7)" while it tries; null for one that is not in a retry cycle.
 */
export function describeRetry(
  session: Pick<TSession, "status" | "reconnectAttempt" | "nextRetryAt">,
  now: number,
): string | null {
  if (session.reconnectAttempt === null || !RETRYING_STATUSES.includes(session.status)) return null;
  const dueInS = session.nextRetryAt ? Math.ceil((new Date(session.nextRetryAt).getTime() - now) / 1000) : 0;
  const when = dueInS > 0 ? `in ${formatCountdown(dueInS)}` : "now";
  return `retrying ${when} (attempt ${session.reconnectAttempt})`;
}

/** The badge of a session: a retry cycle's connecting phase reads "Reconnecting", not "Connecting". */
export function statusBadgeOf(session: Pick<TSession, "status" | "reconnectAttempt">) {
  if (session.status === "connecting" && session.reconnectAttempt !== null) {
    return { label: "Reconnecting", tone: "danger" as const };
  }
  return SESSION_STATUS[session.status];
}
