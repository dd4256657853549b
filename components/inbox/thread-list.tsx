"use client";

import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type MouseEvent, useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card } from "~/components/ui/card";
import { cn } from "~/components/ui/cn";
import { Input, Select } from "~/components/ui/input";
import { AvailabilityDot } from "~/components/teams/availability";
import { QueueChips } from "~/components/teams/queue-chips";
import { NewConversation } from "./new-conversation";
import { SlaTimers } from "~/components/teams/sla-timers";
import type { TInboxFilter } from "~/server/inbox/list";
import { formatUnread, INBOX_TABS, type TInboxThreadRow, useInboxFormat, useNow } from "./inbox-labels";
import { BulkActions } from "./bulk-actions";
import { LabelBadges, MoodBadge, OwnerBadge, PriorityBadge } from "./thread-badges";

/** `value`, once it has stopped changing for `delayMs` (search as you type, one request). */
function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** The left column: filter tabs with counts, search, and the conversations (keyset pages). */
export function ThreadList({
  filter,
  queue = null,
  onQueueChange = () => undefined,
  selectedThreadId,
  currentUserId,
  canWrite,
  hrefFor,
  onFilterChange,
  onSelect,
  className,
}: {
  filter: TInboxFilter;
  /** The queue the list is narrowed to: a team's id, "shared", or null for every queue. */
  queue?: string | null;
  onQueueChange?: (queue: string | null) => void;
  selectedThreadId: string | null;
  currentUserId: string;
  /** Whether the user can own threads (a manager has no "Mine"). */
  canWrite: boolean;
  hrefFor: (threadId: string) => string;
  onFilterChange: (filter: TInboxFilter) => void;
  onSelect: (threadId: string) => void;
  className?: string;
}) {
  const trpc = useTRPC();
  const t = useTranslations("inbox");
  const tWork = useTranslations("domain.inboxWork.ui");
  const common = useTranslations("common");
  const queryClient = useQueryClient();
  const [searchText, setSearchText] = useState("");
  const search = useDebounced(searchText.trim(), 300);
  const [label, setLabel] = useState("");
  const labels = useQuery(trpc.inbox.labels.queryOptions());
  // Conversations ticked for a bulk action (kept across refetches; cleared on a change of filter).
  const selectionKey = `${filter}|${label}`;
  const [checkedState, setCheckedState] = useState<{ key: string; ids: ReadonlySet<string> }>({
    key: selectionKey,
    ids: new Set(),
  });
  const checked = checkedState.key === selectionKey ? checkedState.ids : new Set<string>();
  const setChecked = (ids: ReadonlySet<string>) => setCheckedState({ key: selectionKey, ids });
  const counts = useQuery(trpc.inbox.counts.queryOptions());
  const list = useInfiniteQuery(
    trpc.inbox.list.infiniteQueryOptions(
      { filter, search, limit: 50, queue, ...(label ? { label } : {}) },
      { getNextPageParam: (page) => page.nextCursor ?? undefined, initialCursor: null },
    ),
  );
  const now = useNow();
  const rows = list.data?.pages.flatMap((page) => page.threads) ?? [];
  const truncated = list.data?.pages.some((page) => page.truncated) ?? false;

  const select = (event: MouseEvent<HTMLAnchorElement>, threadId: string) => {
    // A plain click selects in place; a middle or modified click opens the link as usual.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onSelect(threadId);
  };

  return (
    <Card className={cn("flex min-h-0 flex-col", className)}>
      <div className="space-y-3 border-b border-border p-3">
        {canWrite ? (
          <div className="flex justify-end">
            <NewConversation onStarted={onSelect} />
          </div>
        ) : null}
        <div role="group" aria-label={t("list.filterGroup")} className="flex flex-wrap gap-1">
          {INBOX_TABS.filter((tab) => canWrite || tab.filter !== "mine").map((tab) => {
            const count = tab.count ? counts.data?.[tab.count] : undefined;
            const active = tab.filter === filter;
            // Yours with a contact waiting for your answer: the one count that asks for action.
            const mineWaiting = counts.data?.mineWaiting ?? 0;
            const urgent = tab.filter === "mine" && mineWaiting > 0;
            return (
              <button
                key={tab.filter}
                type="button"
                aria-pressed={active}
                onClick={() => onFilterChange(tab.filter)}
                className={cn(
                  "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary",
                  active
                    ? "border-primary bg-primary text-primary-foreground"
                    : "border-border bg-card text-foreground hover:bg-muted",
                )}
              >
                {t(`tabs.${tab.filter}`)}
                {count ? (
                  <span
                    className={cn(
                      "rounded-full px-1.5 text-[11px] font-semibold",
                      active
                        ? "bg-primary-foreground text-primary"
                        : urgent
                          ? "bg-warning/25 text-foreground"
                          : "bg-muted text-foreground",
                    )}
                  >
                    {formatUnread(count)}
                    {urgent ? (
                      <span className="sr-only">, {t("list.waitingForYou", { count: mineWaiting })}</span>
                    ) : null}
                  </span>
                ) : null}
              </button>
            );
          })}
          <button
            type="button"
            aria-pressed={filter === "snoozed"}
            onClick={() => onFilterChange("snoozed")}
            className={cn(
              "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-primary",
              filter === "snoozed"
                ? "border-primary bg-primary text-primary-foreground"
                : "border-border bg-card text-foreground hover:bg-muted",
            )}
          >
            {tWork("snoozedTab")}
          </button>
        </div>
        {labels.data && labels.data.length > 0 ? (
          <Select
            aria-label={tWork("labelFilter")}
            className="h-8 w-full"
            value={label}
            onChange={(event) => setLabel(event.target.value)}
            data-testid="label-filter"
          >
            <option value="">{tWork("anyLabel")}</option>
            {labels.data.map((option) => (
              <option key={option.label} value={option.label} translate="no">
                {option.label}
              </option>
            ))}
          </Select>
        ) : null}
        <QueueChips queue={queue} onChange={onQueueChange} />
        <Input
          type="search"
          data-inbox-search=""
          aria-label={t("list.searchLabel")}
          placeholder={t("list.searchPlaceholder")}
          maxLength={100}
          value={searchText}
          onChange={(event) => setSearchText(event.target.value)}
        />
      </div>
      {canWrite && checked.size > 0 ? (
        <BulkActions
          selected={[...checked]}
          onClear={() => setChecked(new Set())}
          onDone={() => {
            setChecked(new Set());
            void queryClient.invalidateQueries({ queryKey: trpc.inbox.list.pathKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.inbox.counts.queryKey() });
            void queryClient.invalidateQueries({ queryKey: trpc.inbox.labels.queryKey() });
          }}
        />
      ) : null}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {list.error ? (
          <Alert tone="error" className="m-3">
            {describeError(list.error).message}
          </Alert>
        ) : null}
        {list.isPending ? <p className="p-4 text-sm text-muted-foreground">{common("loading")}</p> : null}
        {!list.isPending && rows.length === 0 && !list.error ? (
          <p className="p-4 text-sm text-muted-foreground">
            {search ? t("list.noMatch") : filter === "snoozed" ? tWork("snoozedEmpty") : t(`list.empty.${filter}`)}
          </p>
        ) : null}
        <ul
          aria-label={t("list.listLabel", { tab: filter === "snoozed" ? tWork("snoozedTab") : t(`tabs.${filter}`) })}
          className="divide-y divide-border"
          data-inbox-list=""
        >
          {rows.map((row) => (
            <li key={row.threadId} className="flex items-stretch">
              {canWrite ? (
                <label className="flex shrink-0 items-start pt-3 pl-2">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    checked={checked.has(row.threadId)}
                    data-testid="thread-check"
                    aria-label={tWork("bulk.select", { name: row.name ?? row.waId })}
                    onChange={(event) => {
                      const next = new Set(checked);
                      if (event.target.checked) next.add(row.threadId);
                      else next.delete(row.threadId);
                      setChecked(next);
                    }}
                  />
                </label>
              ) : null}
              <ThreadRow
                row={row}
                now={now}
                currentUserId={currentUserId}
                selected={row.threadId === selectedThreadId}
                href={hrefFor(row.threadId)}
                onClick={(event) => select(event, row.threadId)}
              />
            </li>
          ))}
        </ul>
        {truncated ? <p className="p-3 text-xs text-muted-foreground">{t("list.truncated")}</p> : null}
        {list.hasNextPage ? (
          <div className="p-3">
            <Button
              variant="secondary"
              size="sm"
              className="w-full"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? common("loading") : t("list.loadMore")}
            </Button>
          </div>
        ) : null}
      </div>
    </Card>
  );
}

const PREVIEW_SOURCES = ["rule", "ai", "agent", "phone", "api"] as const;
function isPreviewSource(source: string): source is (typeof PREVIEW_SOURCES)[number] {
  return (PREVIEW_SOURCES as readonly string[]).includes(source);
}

function ThreadRow({
  row,
  now,
  currentUserId,
  selected,
  href,
  onClick,
}: {
  row: TInboxThreadRow;
  now: number;
  currentUserId: string;
  selected: boolean;
  href: string;
  onClick: (event: MouseEvent<HTMLAnchorElement>) => void;
}) {
  const t = useTranslations("inbox");
  const tSnooze = useTranslations("domain.inboxWork.ui.snooze");
  const format = useFormatter();
  const inboxFormat = useInboxFormat();
  const owner = inboxFormat.owner(row, currentUserId);
  const at = row.last?.at ?? row.lastMessageAt;
  const waitingForPerson = row.mode === "human" && row.awaitingSince;
  return (
    <a
      href={href}
      onClick={onClick}
      aria-current={selected ? "true" : undefined}
      data-testid="inbox-thread"
      data-thread-id={row.threadId}
      className={cn(
        "block min-w-0 flex-1 border-l-4 px-3 py-2.5 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-primary",
        selected ? "border-l-primary bg-primary/10" : "border-l-transparent hover:bg-muted",
      )}
    >
      <div className="flex items-baseline justify-between gap-2">
        <span className={cn("min-w-0 [overflow-wrap:anywhere]", row.unread > 0 ? "font-semibold" : "font-medium")}>
          {row.name ?? row.waId}
        </span>
        {at ? <span className="shrink-0 text-xs text-foreground/70">{inboxFormat.listTime(at, now)}</span> : null}
      </div>
      {row.name ? <div className="font-mono text-xs break-all text-foreground/70">{row.waId}</div> : null}
      <p className="mt-0.5 truncate text-foreground/70">
        {row.last ? (
          <>
            {row.last.direction === "out" && isPreviewSource(row.last.source)
              ? t(`list.prefix.${row.last.source}`)
              : ""}
            {row.last.body ? <span translate="no">{row.last.body}</span> : t("list.noText")}
          </>
        ) : (
          t("list.noMessages")
        )}
      </p>
      <div className="mt-1.5 flex flex-wrap items-center gap-1">
        <span className="inline-flex items-center gap-1">
          {row.assignedUserId ? (
            <AvailabilityDot userId={row.assignedUserId} availability={row.assigneeAvailability} />
          ) : null}
          <OwnerBadge owner={owner} />
        </span>
        {row.awaitingSince ? (
          waitingForPerson ? (
            <Badge tone="warning">{t("waiting", { duration: inboxFormat.duration(row.awaitingSince, now) })}</Badge>
          ) : (
            <span className="text-xs text-foreground/70">
              {t("waiting", { duration: inboxFormat.duration(row.awaitingSince, now) })}
            </span>
          )
        ) : null}
        <SlaTimers row={row} now={now} />
        <MoodBadge sentiment={row.sentiment} />
        <PriorityBadge priority={row.priority} />
        <LabelBadges labels={row.labels} />
        {row.snoozedAt ? (
          <Badge tone="primary" data-testid="row-snoozed">
            {row.snoozedUntil
              ? tSnooze("until", { time: format.dateTime(new Date(row.snoozedUntil), "short") })
              : tSnooze("untilContact")}
          </Badge>
        ) : null}
        {row.unread > 0 ? (
          <span className="ml-auto rounded-full bg-primary px-1.5 text-xs font-semibold text-primary-foreground">
            {formatUnread(row.unread)}
            <span className="sr-only"> {t("list.unread", { count: row.unread })}</span>
          </span>
        ) : null}
      </div>
    </a>
  );
}
