"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { useEffect, useState } from "react";
import type { AppRouter } from "~/server/api/root";
import type { TInboxFilter } from "~/server/inbox/list";

type TInboxOutputs = inferRouterOutputs<AppRouter>["inbox"];
export type TInboxThreadRow = TInboxOutputs["list"]["threads"][number];
export type TInboxThread = TInboxOutputs["thread"];
export type TInboxMessage = TInboxThread["messages"][number];
export type TInboxNote = TInboxThread["notes"][number];
export type TInboxCounts = TInboxOutputs["counts"];
export type TCannedReply = TInboxOutputs["canned"][number];

/** The filter tabs, in order, and which count (if any) each shows. */
export const INBOX_TABS: readonly { filter: TInboxFilter; label: string; count?: keyof TInboxCounts }[] = [
  { filter: "needs_human", label: "Needs a human", count: "needsHuman" },
  { filter: "mine", label: "Mine", count: "mine" },
  { filter: "unassigned", label: "Unassigned", count: "unassigned" },
  { filter: "bot", label: "Bot" },
  { filter: "closed", label: "Closed" },
  { filter: "all", label: "All" },
];

export function isInboxFilter(value: string | null): value is TInboxFilter {
  return INBOX_TABS.some((tab) => tab.filter === value);
}

/** The current time, refreshed every `intervalMs`, so "waiting 12 min" keeps counting. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "12 min", "2 h 5 min", "3 d": how long since `since`. */
export function formatDuration(since: Date | string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** Today's times as "14:05", older ones as "3 Mar". */
export function formatListTime(at: Date | string, now: number): string {
  const date = new Date(at);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

/** A message or note's time: "14:05" today, "3 Mar, 14:05" otherwise. */
export function formatStamp(at: Date | string, now: number): string {
  const date = new Date(at);
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return new Date(now).toDateString() === date.toDateString()
    ? time
    : `${date.toLocaleDateString(undefined, { day: "numeric", month: "short" })}, ${time}`;
}

export type TOwner = { kind: "bot" | "closed" | "unassigned" | "me" | "person"; label: string };

/** Who has the thread, in words: Bot, Closed, Unassigned, You, or the person's name. */
export function describeOwner(
  thread: { mode: "bot" | "human" | "closed"; assignedUserId: string | null; assigneeName: string | null },
  currentUserId: string,
): TOwner {
  if (thread.mode === "bot") return { kind: "bot", label: "Bot" };
  if (thread.mode === "closed") return { kind: "closed", label: "Closed" };
  if (!thread.assignedUserId) return { kind: "unassigned", label: "Unassigned" };
  if (thread.assignedUserId === currentUserId) return { kind: "me", label: "You" };
  return { kind: "person", label: thread.assigneeName ?? "Someone" };
}

/** Unread counts arrive capped just past 99. */
export function formatUnread(unread: number): string {
  return unread > 99 ? "99+" : String(unread);
}
