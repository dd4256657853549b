"use client";

import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { ToolCallsTrace } from "~/components/tools/tool-calls-trace";
import { Card, CardBody } from "~/components/ui/card";
import { Composer } from "./composer";
import { FlowTrace } from "./flow-trace";
import { ActivityLine } from "./activity-line";
import { type TInboxActivity, type TInboxMessage, type TInboxNote, type TInboxThread, useNow } from "./inbox-labels";
import { MessageBubble, NoteCard, type TBubbleContext } from "./message-bubble";
import { reactionsByTarget } from "./message-content";
import { Satisfaction } from "./satisfaction";
import { ThreadHeader } from "./thread-header";

type TTimelineItem =
  | { kind: "message"; message: TInboxMessage }
  | { kind: "note"; note: TInboxNote }
  | { kind: "activity"; activity: TInboxActivity };
type TAside = Extract<TTimelineItem, { kind: "note" | "activity" }>;
const asideAt = (item: TAside) => +new Date(item.kind === "note" ? item.note.createdAt : item.activity.at);

/** Messages (by seq), notes and activity (by time) of every loaded page, as one timeline, oldest first. */
function buildTimeline(pages: readonly TInboxThread[]): TTimelineItem[] {
  const messages = new Map<string, TInboxMessage>();
  const asides = new Map<string, TAside>();
  for (const page of pages) {
    for (const message of page.messages) messages.set(message.id, message);
    for (const note of page.notes) asides.set(note.id, { kind: "note", note });
    for (const activity of page.activity) asides.set(activity.id, { kind: "activity", activity });
  }
  const sortedMessages = [...messages.values()].sort((a, b) => a.seq - b.seq);
  const sortedNotes = [...asides.values()].sort((a, b) => asideAt(a) - asideAt(b));
  const timeline: TTimelineItem[] = [];
  let next = 0;
  for (const message of sortedMessages) {
    while (next < sortedNotes.length && asideAt(sortedNotes[next]!) < +new Date(message.createdAt)) {
      timeline.push(sortedNotes[next++]!);
    }
    timeline.push({ kind: "message", message });
  }
  for (; next < sortedNotes.length; next++) timeline.push(sortedNotes[next]!);
  return timeline;
}

/**
 * The right column: one conversation with its header and actions, the messages and internal
 * notes (older pages on demand), and the composer for people who may answer. Marks the thread
 * read up to its newest message while it is on screen.
 */
export function ThreadView({
  threadId,
  currentUserId,
  canWrite,
  backHref,
  onBack,
  focusOnOpen,
}: {
  threadId: string;
  currentUserId: string;
  canWrite: boolean;
  /** The list without a thread (phones show one pane at a time; Back leads there). */
  backHref: string;
  onBack: () => void;
  /** Move focus to the conversation's name once it has loaded (the person just opened it). */
  focusOnOpen: boolean;
}) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.thread");
  const common = useTranslations("common");
  const queryClient = useQueryClient();
  const now = useNow();
  const latest = useQuery(trpc.inbox.thread.queryOptions({ threadId }));
  const [olderCursors, setOlderCursors] = useState<number[]>([]);
  const older = useQueries({
    queries: olderCursors.map((before) => trpc.inbox.thread.queryOptions({ threadId, before })),
  });
  const olderPages = older.flatMap((query) => (query.data ? [query.data] : []));
  const pages = latest.data ? [...olderPages, latest.data] : olderPages;
  const timeline = buildTimeline(pages);
  const loaded = timeline.flatMap((item) => (item.kind === "message" ? [item.message] : []));
  const bubbleContext: TBubbleContext = {
    byWaId: new Map(loaded.flatMap((message) => (message.waMessageId ? [[message.waMessageId, message]] : []))),
    reactions: reactionsByTarget(loaded),
  };
  const lastOlder = older.at(-1);
  const hasOlder = olderCursors.length === 0 ? Boolean(latest.data?.hasOlder) : Boolean(lastOlder?.data?.hasOlder);
  const loadingOlder = older.some((query) => query.isPending);
  const oldestSeq = timeline.find((item) => item.kind === "message")?.message.seq;
  const newestSeq = latest.data?.messages.at(-1)?.seq ?? 0;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.inbox.thread.queryKey({ threadId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.inbox.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.inbox.counts.queryKey() });
  };

  // Read up to the newest message, now and whenever one arrives, but only while someone can see it.
  const { mutate: markRead } = useMutation(
    trpc.inbox.markRead.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.inbox.list.pathKey() }),
    }),
  );
  const markedSeq = useRef(0);
  useEffect(() => {
    if (newestSeq === 0) return;
    const mark = () => {
      if (document.visibilityState !== "visible" || newestSeq <= markedSeq.current) return;
      markedSeq.current = newestSeq;
      markRead({ threadId, seq: newestSeq });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [threadId, newestSeq, markRead]);

  // Follow new messages while the reader is at the bottom; leave them be when they scrolled up.
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastItem = timeline.at(-1);
  const lastKey = lastItem
    ? lastItem.kind === "message"
      ? lastItem.message.id
      : lastItem.kind === "note"
        ? lastItem.note.id
        : lastItem.activity.id
    : "";
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [lastKey]);
  // After "Load older", keep the message that was at the top where it was (the page grows above it).
  const keepFromBottom = useRef<number | null>(null);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || keepFromBottom.current === null) return;
    element.scrollTop = element.scrollHeight - keepFromBottom.current;
    keepFromBottom.current = null;
  }, [oldestSeq]);
  const loadOlder = () => {
    const element = scroller.current;
    if (oldestSeq === undefined) return;
    if (element) keepFromBottom.current = element.scrollHeight - element.scrollTop;
    setOlderCursors((cursors) => [...cursors, oldestSeq]);
  };

  if (latest.error) {
    return (
      <Card>
        <CardBody>
          <Alert tone="error">{describeError(latest.error).message}</Alert>
          <a
            href={backHref}
            onClick={(event) => {
              event.preventDefault();
              onBack();
            }}
            className="mt-3 inline-block text-sm font-medium text-primary underline-offset-2 hover:underline md:hidden"
          >
            {t("back")}
          </a>
        </CardBody>
      </Card>
    );
  }
  if (!latest.data) {
    return (
      <Card>
        <CardBody className="text-sm text-muted-foreground">{t("loading")}</CardBody>
      </Card>
    );
  }
  const data = latest.data;
  const titleId = `thread-${data.thread.id}-title`;
  return (
    <Card
      className="flex h-[calc(100dvh-7rem)] min-h-[26rem] flex-col md:h-auto md:min-h-0"
      aria-labelledby={titleId}
      role="region"
    >
      <ThreadHeader
        data={data}
        now={now}
        currentUserId={currentUserId}
        canWrite={canWrite}
        onChanged={refresh}
        backHref={backHref}
        onBack={onBack}
        focusOnOpen={focusOnOpen}
      />
      <FlowTrace threadId={data.thread.id} />
      <ToolCallsTrace threadId={data.thread.id} />
      <Satisfaction satisfaction={data.satisfaction} now={now} />
      <div
        ref={scroller}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 64;
        }}
        className="min-h-0 flex-1 space-y-2 overflow-y-auto bg-background/60 p-4 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-primary"
        role="log"
        aria-label={t("log")}
        tabIndex={0}
      >
        {hasOlder ? (
          <div className="flex justify-center">
            <Button
              variant="secondary"
              size="sm"
              disabled={loadingOlder || oldestSeq === undefined}
              onClick={loadOlder}
            >
              {loadingOlder ? common("loading") : t("loadOlder")}
            </Button>
          </div>
        ) : null}
        {older.map((query, index) =>
          query.error ? (
            <Alert key={olderCursors[index]} tone="error">
              {describeError(query.error).message}
            </Alert>
          ) : null,
        )}
        {timeline.length === 0 ? <p className="text-sm text-muted-foreground">{t("noMessages")}</p> : null}
        {timeline.map((item) =>
          item.kind === "message" ? (
            <MessageBubble key={item.message.id} message={item.message} now={now} context={bubbleContext} />
          ) : item.kind === "note" ? (
            <NoteCard key={item.note.id} note={item.note} now={now} />
          ) : (
            <ActivityLine key={item.activity.id} item={item.activity} now={now} />
          ),
        )}
      </div>
      {canWrite ? (
        <Composer data={data} currentUserId={currentUserId} onSent={refresh} />
      ) : (
        <p className="border-t border-border p-3 text-sm text-muted-foreground">{t("readOnly")}</p>
      )}
    </Card>
  );
}
