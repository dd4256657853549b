"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { notifyNeedsPerson } from "~/components/inbox/notifications";
import { useLiveEvents } from "~/components/live/use-live-events";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";

/** Events that can change who needs a person: ownership, a contact writing, a person replying. */
function changesCounts(type: string): boolean {
  return type.startsWith("thread.") || type === "message.received" || type === "message.queued";
}

/**
 * The Inbox item's badge: how many conversations need a person, kept live. It is on every page,
 * so it also raises the browser notification when one arrives while the tab is in the background
 * (only the instance with `notify`: the phone's top bar and menu show the count without it).
 */
export function InboxNavBadge({ notify = true }: { notify?: boolean }) {
  const t = useTranslations("shell");
  const trpc = useTRPC();
  const router = useRouter();
  const counts = useQuery(trpc.inbox.counts.queryOptions());
  useLiveInvalidation((event) => (changesCounts(event.type) ? [trpc.inbox.counts.queryKey()] : []));
  useLiveEvents((event) => {
    if (notify && (event.type === "thread.handoff" || event.type === "thread.awaiting_human"))
      notifyNeedsPerson(event.threadId, (href) => router.push(href));
  });
  const waiting = counts.data?.needsHuman ?? 0;
  if (waiting === 0) return null;
  return (
    <span
      className="ml-auto inline-flex min-w-5 items-center justify-center rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground"
      data-testid="inbox-badge"
    >
      <span aria-hidden="true">{waiting > 99 ? "99+" : waiting}</span>
      <span className="sr-only"> ({t("needsPerson", { count: waiting })})</span>
    </span>
  );
}
