"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState } from "react";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";
import { cn } from "~/components/ui/cn";
import { useInboxFormat, useNow } from "./inbox-labels";

/**
 * The bell in the shell: the user's notifications (a teammate mentioned them in a note, a
 * conversation was given to them) with the unread count, kept live by `notification.created`
 * (sent to this user's streams only). Opening one marks it read and opens its conversation.
 */
export function NotificationBell({ className }: { className?: string }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.inboxWork.ui.bell");
  const queryClient = useQueryClient();
  const inboxFormat = useInboxFormat();
  const now = useNow();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const list = useQuery(trpc.inbox.notifications.queryOptions());
  useLiveInvalidation((event) => (event.type === "notification.created" ? [trpc.inbox.notifications.queryKey()] : []));
  const read = useMutation(
    trpc.inbox.readNotifications.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.inbox.notifications.queryKey() }),
    }),
  );
  // Closes on Escape and on a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];
  return (
    <div ref={root} className={cn("relative", className)}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
        data-testid="notification-bell"
        className="relative inline-flex size-9 items-center justify-center rounded-md hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          className="size-5"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        <span className="sr-only">
          {t("label")}
          {unread > 0 ? `, ${t("unread", { count: unread })}` : ""}
        </span>
        {unread > 0 ? (
          <span
            aria-hidden="true"
            data-testid="notification-count"
            className="absolute -top-0.5 -right-0.5 inline-flex min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[10px] font-semibold text-destructive-foreground"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          id={panelId}
          role="region"
          aria-label={t("label")}
          data-testid="notification-panel"
          className="absolute top-full right-0 z-40 mt-1 w-80 max-w-[calc(100vw-2rem)] rounded-md border border-border bg-card text-sm shadow-lg md:right-auto md:left-0"
        >
          <div className="flex items-center justify-between gap-2 border-b border-border px-3 py-2">
            <span className="font-semibold">{t("label")}</span>
            {unread > 0 ? (
              <button
                type="button"
                className="text-xs text-primary underline-offset-2 hover:underline"
                onClick={() => read.mutate({})}
              >
                {t("markAll")}
              </button>
            ) : null}
          </div>
          {items.length === 0 ? <p className="px-3 py-3 text-muted-foreground">{t("empty")}</p> : null}
          <ul className="max-h-96 divide-y divide-border overflow-y-auto">
            {items.map((item) => {
              const contact = item.contactName ?? t("aConversation");
              const actor = item.actorName ?? t("someone");
              const text =
                item.kind === "mention"
                  ? t("mention", { actor, contact })
                  : item.actorName
                    ? t("assigned", { actor, contact })
                    : t("assignedPolicy", { contact });
              const body = (
                <>
                  <span className={cn("block", !item.readAt && "font-semibold")}>{text}</span>
                  <time className="text-xs text-muted-foreground" dateTime={new Date(item.createdAt).toISOString()}>
                    {inboxFormat.stamp(item.createdAt, now)}
                  </time>
                </>
              );
              return (
                <li key={item.id} data-testid="notification-item" data-unread={!item.readAt}>
                  {item.threadId ? (
                    <Link
                      href={`/inbox?filter=all&thread=${item.threadId}`}
                      className="block px-3 py-2 hover:bg-muted focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-primary"
                      onClick={() => {
                        setOpen(false);
                        if (!item.readAt) read.mutate({ ids: [item.id] });
                      }}
                    >
                      {body}
                    </Link>
                  ) : (
                    <div className="px-3 py-2">{body}</div>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
