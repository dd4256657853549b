"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import type { AppRouter } from "~/server/api/root";
import type { TInboxFilter } from "~/server/inbox/list";

type TInboxOutputs = inferRouterOutputs<AppRouter>["inbox"];
export type TInboxThreadRow = TInboxOutputs["list"]["threads"][number];
export type TInboxThread = TInboxOutputs["thread"];
/** An approved template the thread's number can send, with its parts and variables. */
export type TInboxTemplate = TInboxOutputs["templates"][number];
export type TInboxMessage = TInboxThread["messages"][number];
export type TInboxNote = TInboxThread["notes"][number];
export type TInboxActivity = TInboxThread["activity"][number];
export type TInboxCounts = TInboxOutputs["counts"];
export type TCannedReply = TInboxOutputs["canned"][number];

/** The filter tabs, in order, and which count (if any) each shows (labels: `inbox.tabs.<filter>`). */
export const INBOX_TABS: readonly {
  filter: Exclude<TInboxFilter, "snoozed">;
  count?: Exclude<keyof TInboxCounts, "queues">;
}[] = [
  { filter: "needs_human", count: "needsHuman" },
  { filter: "mine", count: "mine" },
  { filter: "unassigned", count: "unassigned" },
  { filter: "bot" },
  { filter: "closed" },
  { filter: "all" },
];

export function isInboxFilter(value: string | null): value is TInboxFilter {
  return value === "snoozed" || INBOX_TABS.some((tab) => tab.filter === value);
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

export type TOwner = { kind: "bot" | "closed" | "unassigned" | "me" | "person"; label: string };

/**
 * The Inbox's words for times and owners, in the reader's language and the organisation's time
 * zone: durations ("12 min", "2 h 5 min", "3 d"), list times ("14:05" today, "3 Mar" before),
 * message stamps ("14:05" today, "3 Mar, 14:05" before) and who has a thread.
 */
export function useInboxFormat() {
  const t = useTranslations("inbox");
  const format = useFormatter();
  const unit = (value: number, name: "minute" | "hour" | "day") =>
    format.number(value, { style: "unit", unit: name, unitDisplay: "short", maximumFractionDigits: 0 });
  const sameDay = (a: Date, b: Date) => format.dateTime(a, "date") === format.dateTime(b, "date");
  const dayMonth = (date: Date) => format.dateTime(date, { day: "numeric", month: "short" });
  return {
    /** How long since `since`. */
    duration(since: Date | string, now: number): string {
      const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
      if (minutes < 1) return t("duration.underMinute");
      if (minutes < 60) return unit(minutes, "minute");
      const hours = Math.floor(minutes / 60);
      if (hours < 24) {
        return minutes % 60
          ? t("duration.hoursMinutes", { hours: unit(hours, "hour"), minutes: unit(minutes % 60, "minute") })
          : unit(hours, "hour");
      }
      return unit(Math.floor(hours / 24), "day");
    },
    /** Today's times as "14:05", older ones as "3 Mar". */
    listTime(at: Date | string, now: number): string {
      const date = new Date(at);
      return sameDay(date, new Date(now)) ? format.dateTime(date, "time") : dayMonth(date);
    },
    /** A message or note's time: "14:05" today, "3 Mar, 14:05" otherwise. */
    stamp(at: Date | string, now: number): string {
      const date = new Date(at);
      return sameDay(date, new Date(now))
        ? format.dateTime(date, "time")
        : format.dateTime(date, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
    },
    /** Who has the thread, in words: Bot, Closed, Unassigned, You, or the person's name. */
    owner(
      thread: { mode: "bot" | "human" | "closed"; assignedUserId: string | null; assigneeName: string | null },
      currentUserId: string,
    ): TOwner {
      if (thread.mode === "bot") return { kind: "bot", label: t("owner.bot") };
      if (thread.mode === "closed") return { kind: "closed", label: t("owner.closed") };
      if (!thread.assignedUserId) return { kind: "unassigned", label: t("owner.unassigned") };
      if (thread.assignedUserId === currentUserId) return { kind: "me", label: t("owner.me") };
      return { kind: "person", label: thread.assigneeName ?? t("owner.someone") };
    },
  };
}

/** Unread counts arrive capped just past 99. */
export function formatUnread(unread: number): string {
  return unread > 99 ? "99+" : String(unread);
}
