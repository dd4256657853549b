"use client";

import { useTranslations } from "next-intl";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";
import { Card, CardBody } from "~/components/ui/card";
import { cn } from "~/components/ui/cn";
import type { TInboxFilter } from "~/server/inbox/list";
import { isInboxFilter } from "./inbox-labels";
import { ShortcutsSheet, useShortcutsSheet } from "./shortcuts";
import { ThreadList } from "./thread-list";
import { ThreadView } from "./thread-view";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Inbox page: conversations on the left, the open one on the right (on phones, one at a
 * time: the list, or the conversation with a Back link). The filter and the
 * open thread live in the URL (`?filter=…&thread=…`), so a reload or a shared link keeps them;
 * live events keep the list, the counts and the open thread current.
 */
export function InboxWorkspace({ currentUserId, canWrite }: { currentUserId: string; canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.workspace");
  const tWork = useTranslations("domain.inboxWork.ui.shortcuts");
  const searchParams = useSearchParams();
  const filterParam = searchParams.get("filter");
  const filter: TInboxFilter = isInboxFilter(filterParam) ? filterParam : "needs_human";
  const threadParam = searchParams.get("thread");
  const threadId = threadParam && UUID.test(threadParam) ? threadParam : null;
  // The queue (a team's id, or "shared") narrows the filter; the URL keeps it too.
  const queueParam = searchParams.get("queue");
  const queue = queueParam === "shared" || (queueParam && UUID.test(queueParam)) ? queueParam : null;

  useLiveInvalidation((event) => {
    const isThreadEvent = event.type.startsWith("thread.") || event.type.startsWith("message.");
    if (!isThreadEvent && event.type !== "contact.updated") return [];
    return [
      trpc.inbox.list.pathKey(),
      ...(isThreadEvent ? [trpc.inbox.counts.queryKey()] : []),
      ...(threadId && event.threadId === threadId ? [trpc.inbox.thread.queryKey({ threadId })] : []),
    ];
  });

  const hrefFor = (next: { filter: TInboxFilter; thread: string | null; queue?: string | null }) => {
    const params = new URLSearchParams({ filter: next.filter });
    const nextQueue = next.queue === undefined ? queue : next.queue;
    if (nextQueue) params.set("queue", nextQueue);
    if (next.thread) params.set("thread", next.thread);
    return `/inbox?${params.toString()}`;
  };
  // Focus follows the person: to the conversation they opened, back to its row when they return.
  const [openedByPerson, setOpenedByPerson] = useState(false);
  const workspace = useRef<HTMLDivElement>(null);
  const focusList = useCallback((preferThreadId?: string | null) => {
    const root = workspace.current;
    if (!root) return;
    const rows = [...root.querySelectorAll<HTMLAnchorElement>("[data-inbox-list] a")];
    const target =
      rows.find((row) => preferThreadId && row.href.includes(`thread=${preferThreadId}`)) ??
      rows.find((row) => row.getAttribute("aria-current") === "true") ??
      rows[0] ??
      root.querySelector<HTMLInputElement>("[data-inbox-search]");
    target?.focus();
  }, []);
  // Client-side only: Next.js syncs useSearchParams with the History API, no server round trip.
  const selectThread = (thread: string) => {
    setOpenedByPerson(true);
    window.history.pushState(null, "", hrefFor({ filter, thread }));
  };
  const selectFilter = (next: TInboxFilter) =>
    window.history.replaceState(null, "", hrefFor({ filter: next, thread: threadId }));
  const selectQueue = (next: string | null) =>
    window.history.replaceState(null, "", hrefFor({ filter, thread: threadId, queue: next }));
  // Back (phones): the list comes back with the row of the conversation just left focused.
  const returningFrom = useRef<string | null>(null);
  const backToList = () => {
    returningFrom.current = threadId;
    window.history.pushState(null, "", hrefFor({ filter, thread: null }));
  };
  useEffect(() => {
    if (threadId || !returningFrom.current) return;
    focusList(returningFrom.current);
    returningFrom.current = null;
  }, [threadId, focusList]);

  // Alt+L: the conversations; Alt+R: the reply box (by the key's place, so macOS's Option letters work too).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (event.code === "KeyL") {
        event.preventDefault();
        focusList();
      } else if (event.code === "KeyR") {
        const composer = workspace.current?.querySelector<HTMLTextAreaElement>("[data-inbox-composer]");
        if (!composer) return;
        event.preventDefault();
        composer.focus();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [focusList]);

  // j / k: the next or previous conversation of the list as shown; the others: ./shortcuts.tsx.
  const sheet = useShortcutsSheet((direction) => {
    const rows = [
      ...(workspace.current?.querySelectorAll<HTMLAnchorElement>("[data-inbox-list] a[data-thread-id]") ?? []),
    ];
    if (rows.length === 0) return;
    const current = rows.findIndex((row) => row.dataset.threadId === threadId);
    const next = rows[current < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, current + direction))];
    const id = next?.dataset.threadId;
    if (id && id !== threadId) {
      window.history.pushState(null, "", hrefFor({ filter, thread: id }));
      next.scrollIntoView({ block: "nearest" });
    }
  });

  return (
    <div ref={workspace}>
      <p className="mb-2 hidden text-xs text-muted-foreground md:block">
        {t("shortcuts")}{" "}
        <button
          type="button"
          className="text-primary underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-primary"
          onClick={sheet.show}
          aria-keyshortcuts="?"
        >
          {tWork("hint")}
        </button>
      </p>
      {sheet.open ? <ShortcutsSheet onClose={sheet.hide} /> : null}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4 md:h-[calc(100dvh-12rem)] md:min-h-[34rem] md:grid-cols-[18rem_minmax(0,1fr)] lg:grid-cols-[22rem_minmax(0,1fr)]">
        {/* Phones show one pane at a time: the list, or the open conversation with a Back link. */}
        <ThreadList
          className={threadId ? "hidden md:flex" : undefined}
          filter={filter}
          queue={queue}
          onQueueChange={selectQueue}
          selectedThreadId={threadId}
          currentUserId={currentUserId}
          canWrite={canWrite}
          hrefFor={(thread) => hrefFor({ filter, thread })}
          onFilterChange={selectFilter}
          onSelect={selectThread}
        />
        {threadId ? (
          <ThreadView
            key={threadId}
            threadId={threadId}
            currentUserId={currentUserId}
            canWrite={canWrite}
            backHref={hrefFor({ filter, thread: null })}
            onBack={backToList}
            focusOnOpen={openedByPerson}
          />
        ) : (
          <Card className={cn("items-center justify-center md:flex", threadParam ? "flex" : "hidden")}>
            <CardBody className="text-center text-sm text-muted-foreground">
              {threadParam ? t("badLink") : t("pick")}
            </CardBody>
          </Card>
        )}
      </div>
    </div>
  );
}
