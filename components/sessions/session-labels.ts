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

export const KIND_LABEL: Record<TSession["kind"], string> = { simulator: "Simulator", wwebjs: "WhatsApp" };

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
