"use client";

import { useSearchParams } from "next/navigation";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";
import { Card, CardBody } from "~/components/ui/card";
import type { TInboxFilter } from "~/server/inbox/list";
import { isInboxFilter } from "./inbox-labels";
import { ThreadList } from "./thread-list";
import { ThreadView } from "./thread-view";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Inbox page: conversations on the left, the open one on the right. The filter and the
 * open thread live in the URL (`?filter=…&thread=…`), so a reload or a shared link keeps them;
 * live events keep the list, the counts and the open thread current.
 */
export function InboxWorkspace({ currentUserId, canWrite }: { currentUserId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  const filterParam = searchParams.get("filter");
  const filter: TInboxFilter = isInboxFilter(filterParam) ? filterParam : "needs_human";
  const threadParam = searchParams.get("thread");
  const threadId = threadParam && UUID.test(threadParam) ? threadParam : null;

  useLiveInvalidation((event) => {
    const isThreadEvent = event.type.startsWith("thread.") || event.type.startsWith("message.");
    if (!isThreadEvent && event.type !== "contact.updated") return [];
    return [
      trpc.inbox.list.pathKey(),
      ...(isThreadEvent ? [trpc.inbox.counts.queryKey()] : []),
      ...(threadId && event.threadId === threadId ? [trpc.inbox.thread.queryKey({ threadId })] : []),
    ];
  });

  const hrefFor = (next: { filter: TInboxFilter; thread: string | null }) => {
    const params = new URLSearchParams({ filter: next.filter });
    if (next.thread) params.set("thread", next.thread);
    return `/inbox?${params.toString()}`;
  };
  // Client-side only: Next.js syncs useSearchParams with the History API, no server round trip.
  const selectThread = (thread: string) => window.history.pushState(null, "", hrefFor({ filter, thread }));
  const selectFilter = (next: TInboxFilter) =>
    window.history.replaceState(null, "", hrefFor({ filter: next, thread: threadId }));

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4 lg:h-[calc(100dvh-10.5rem)] lg:min-h-[34rem] lg:grid-cols-[22rem_minmax(0,1fr)]">
      <ThreadList
        filter={filter}
        selectedThreadId={threadId}
        currentUserId={currentUserId}
        canWrite={canWrite}
        hrefFor={(thread) => hrefFor({ filter, thread })}
        onFilterChange={selectFilter}
        onSelect={selectThread}
      />
      {threadId ? (
        <ThreadView key={threadId} threadId={threadId} currentUserId={currentUserId} canWrite={canWrite} />
      ) : (
        <Card className="flex items-center justify-center">
          <CardBody className="text-center text-sm text-muted-foreground">
            {threadParam ? "That link does not point to a conversation." : "Pick a conversation on the left."}
          </CardBody>
        </Card>
      )}
    </div>
  );
}
