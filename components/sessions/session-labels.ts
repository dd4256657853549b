import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/api/root";

export type TSession = inferRouterOutputs<AppRouter>["sessions"]["list"][number];
export type TSessionStatus = TSession["status"];

/** What a badge says: a session status, or `retrying` for one in a retry cycle (a key of `sessions.status`). */
export type TStatusLabel = TSessionStatus | "retrying";
type TTone = "success" | "warning" | "danger";

/** Each status's badge tone (the word carries the meaning, not the colour). */
export const SESSION_STATUS_TONE: Record<TSessionStatus, TTone> = {
  new: "warning",
  qr: "warning",
  connecting: "warning",
  ready: "success",
  disconnected: "danger",
  logged_out: "danger",
  failed: "danger",
};

/** Statuses on their way somewhere: the page polls as a backstop to the live stream while one shows. */
export const SETTLING_STATUSES: readonly TSessionStatus[] = ["new", "qr", "connecting"];

/** Statuses of a session that keeps failing, while the worker retries on its backoff. */
const RETRYING_STATUSES: readonly TSessionStatus[] = ["failed", "disconnected", "connecting"];

type TRetryFields = Pick<TSession, "status" | "reconnectAttempt" | "nextRetryAt" | "worker">;

/**
 * Where a session that keeps failing stands in its retry cycle: which attempt comes (or runs),
 * and when (null once due, i.e. trying now). Null for a session not in a retry cycle: connected,
 * waiting for a scan, logged out, or with no worker left to retry it.
 */
export function retryOf(session: TRetryFields, now: number): { attempt: number; at: Date | null } | null {
  if (session.reconnectAttempt === null || !RETRYING_STATUSES.includes(session.status) || !session.worker) return null;
  const at = session.nextRetryAt ? new Date(session.nextRetryAt) : null;
  return { attempt: session.reconnectAttempt, at: at && at.getTime() > now ? at : null };
}

/**
 * The badge of a session. A retry cycle flips failed → connecting → failed with each attempt;
 * the badge holds one steady "Reconnecting" through it, and the retry line says when the next try is.
 */
export function statusBadgeOf(session: TRetryFields): { label: TStatusLabel; tone: TTone } {
  if (retryOf(session, 0) !== null) return { label: "retrying", tone: "danger" };
  return { label: session.status, tone: SESSION_STATUS_TONE[session.status] };
}

/**
 * A pairing code as the phone shows it and people read it: WhatsApp's 8 characters split in two
 * (`K7QX-9M2P`), upper case. A code of another length is shown as it came (without spaces).
 */
export function formatPairingCode(code: string): string {
  const plain = code.replace(/[^0-9a-z]/gi, "").toUpperCase();
  return plain.length === 8 ? `${plain.slice(0, 4)}-${plain.slice(4)}` : plain;
}

/** Bytes as whole megabytes (1 MB = 1,000,000 bytes, as the worker's own figures are given). */
export function megabytesOf(bytes: number): number {
  return Math.round(bytes / 1e6);
}
