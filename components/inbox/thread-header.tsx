"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, type MouseEvent, useEffect, useRef, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import { Select } from "~/components/ui/input";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { ContactPanelButton } from "./contact-panel";
import { ContactPresence } from "./contact-presence";
import { type TInboxThread, useInboxFormat } from "./inbox-labels";
import { AgentAvailabilityDot, AgentOption } from "~/components/teams/availability";
import { MoodBadge, OwnerBadge } from "./thread-badges";
import { PriorityAndLabels, SnoozeControl, useShortcut } from "./thread-work";

/**
 * The top of an open conversation: who the contact is (with a link to their page) and, where the
 * number's engine reports it, whether they are typing, recording or online right now; their
 * profile, mood and topics, who owns the thread, and, for people who may answer, the ownership
 * actions. A refused action (someone else was faster) shows the server's words.
 */
export function ThreadHeader({
  data,
  now,
  currentUserId,
  canWrite,
  onChanged,
  backHref,
  onBack,
  focusOnOpen,
}: {
  data: TInboxThread;
  now: number;
  currentUserId: string;
  canWrite: boolean;
  onChanged: () => void;
  backHref: string;
  onBack: () => void;
  focusOnOpen: boolean;
}) {
  const t = useTranslations("inbox");
  const common = useTranslations("common");
  const format = useFormatter();
  const inboxFormat = useInboxFormat();
  const { thread, contact } = data;
  const owner = inboxFormat.owner(thread, currentUserId);
  const headingId = `thread-${thread.id}-title`;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusOnOpen) heading.current?.focus();
  }, [focusOnOpen]);
  const back = (event: MouseEvent<HTMLAnchorElement>) => {
    // A plain click goes back in place; a middle or modified click opens the link as usual.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onBack();
  };
  return (
    <div className="border-b border-border">
      <div className="flex flex-wrap items-start justify-between gap-3 p-4">
        <div className="flex min-w-0 items-start gap-2">
          <a
            href={backHref}
            onClick={back}
            className="-ml-1 inline-flex h-8 shrink-0 items-center rounded-md px-2 text-sm font-medium text-primary hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary md:hidden"
            aria-label={t("thread.back")}
          >
            <span aria-hidden="true">←&nbsp;</span>
            {common("back")}
          </a>
          <div className="min-w-0">
            <div className="flex flex-wrap items-baseline gap-x-2">
              <h2
                id={headingId}
                ref={heading}
                tabIndex={-1}
                className="min-w-0 text-lg font-semibold [overflow-wrap:anywhere] focus-visible:outline-2 focus-visible:outline-primary"
              >
                {contact.name ?? contact.waId}
              </h2>
              <ContactPresence threadId={thread.id} enabled={engineCan(data.capabilities, "contactPresence")} />
            </div>
            <div className="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
              {contact.name ? <span className="font-mono break-all">{contact.waId}</span> : null}
              <span>{t("header.profile", { name: contact.profileName ?? t("header.defaultProfile") })}</span>
              <Link href={`/contacts/${contact.id}`} className="text-primary underline-offset-2 hover:underline">
                {t("header.contactPage")}
              </Link>
              <ContactPanelButton contactId={contact.id} canWrite={canWrite} onClosed={onChanged} />
            </div>
          </div>
        </div>
        {canWrite ? <ThreadActions data={data} currentUserId={currentUserId} onChanged={onChanged} /> : null}
      </div>
      <div className="border-t border-border px-4 py-2 text-xs">
        <PriorityAndLabels data={data} canWrite={canWrite} onChanged={onChanged} />
      </div>
      <div
        className="flex flex-wrap items-center gap-2 border-t border-border px-4 py-2 text-xs"
        role="group"
        aria-label={t("header.about")}
      >
        <span className="text-muted-foreground">{t("header.owner")}</span>
        {thread.assignedUserId ? <AgentAvailabilityDot userId={thread.assignedUserId} /> : null}
        <OwnerBadge owner={owner} />
        {thread.awaitingSince ? (
          thread.mode === "human" ? (
            <Badge tone="warning">{t("waiting", { duration: inboxFormat.duration(thread.awaitingSince, now) })}</Badge>
          ) : (
            <span>{t("waiting", { duration: inboxFormat.duration(thread.awaitingSince, now) })}</span>
          )
        ) : null}
        {contact.optedOut ? <Badge tone="danger">{t("header.optedOut")}</Badge> : null}
        {contact.blocked ? <Badge tone="danger">{t("header.blocked")}</Badge> : null}
        {thread.botPausedUntil && new Date(thread.botPausedUntil).getTime() > now ? (
          <Badge tone="warning">
            {t("header.botPaused", { time: format.dateTime(new Date(thread.botPausedUntil), "time") })}
          </Badge>
        ) : null}
        <ServiceWindowBadge window={data.window} now={now} />
        <span className="ml-2 text-muted-foreground">{t("header.mood")}</span>
        <MoodBadge sentiment={thread.sentiment} />
        {thread.sentiment === null || thread.sentiment === "neutral" ? (
          <span>{thread.sentiment ? t("mood.neutral") : t("mood.unknown")}</span>
        ) : null}
        <span className="ml-2 text-muted-foreground">{t("header.topics")}</span>
        {thread.topics.length > 0 ? (
          thread.topics.map((topic) => <Badge key={topic}>{topic}</Badge>)
        ) : (
          <span>{t("header.noTopics")}</span>
        )}
      </div>
    </div>
  );
}

/**
 * The 24-hour window, where the number's engine holds it to one: open until when (a time today,
 * a date and time otherwise), or closed how long ago and so templates only.
 */
function ServiceWindowBadge({ window, now }: { window: TInboxThread["window"]; now: number }) {
  const t = useTranslations("inbox.window");
  const format = useFormatter();
  const inboxFormat = useInboxFormat();
  if (!window.applies) return null;
  const closesAt = window.closesAt ? new Date(window.closesAt) : null;
  const isOpen = window.open && closesAt !== null && closesAt.getTime() > now;
  const sameDay = closesAt !== null && format.dateTime(closesAt, "date") === format.dateTime(new Date(now), "date");
  return (
    <span title={t("help")} data-testid="service-window" data-open={isOpen}>
      {isOpen ? (
        <Badge tone="success">{t("open", { time: format.dateTime(closesAt, sameDay ? "time" : "short") })}</Badge>
      ) : (
        <Badge tone="warning">
          {closesAt ? t("closed", { ago: inboxFormat.duration(closesAt, now) }) : t("never")}
        </Badge>
      )}
      <span className="sr-only">{t("help")}</span>
    </span>
  );
}

/** Take over, assign, release, close and reopen, as the thread's state allows. */
function ThreadActions({
  data,
  currentUserId,
  onChanged,
}: {
  data: TInboxThread;
  currentUserId: string;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.actions");
  const { thread } = data;
  const [error, setError] = useState<string | null>(null);
  const agents = useQuery(trpc.inbox.agents.queryOptions());
  const options = {
    onSuccess: () => {
      setError(null);
      onChanged();
    },
    onError: (caught: unknown) => setError(describeError(caught).message),
  };
  const takeOver = useMutation(trpc.inbox.takeOver.mutationOptions(options));
  const assign = useMutation(trpc.inbox.assign.mutationOptions(options));
  const release = useMutation(trpc.inbox.release.mutationOptions(options));
  const close = useMutation(trpc.inbox.close.mutationOptions(options));
  const reopen = useMutation(trpc.inbox.reopen.mutationOptions(options));
  const busy = takeOver.isPending || assign.isPending || release.isPending || close.isPending || reopen.isPending;
  const [confirmingClose, setConfirmingClose] = useState(false);
  const tWork = useTranslations("domain.inboxWork.ui.close");
  const input = { threadId: thread.id };
  const isClosed = thread.mode === "closed";
  const canTakeOver = thread.mode === "bot" || (thread.mode === "human" && !thread.assignedUserId);
  useShortcut("close", () => {
    if (!isClosed && !busy) setConfirmingClose(true);
  });
  useShortcut("assign-me", () => {
    if (busy || isClosed || (thread.mode === "human" && thread.assignedUserId === currentUserId)) return;
    if (canTakeOver) takeOver.mutate(input);
    else assign.mutate({ threadId: thread.id, userId: currentUserId });
  });

  const submitAssign = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const userId = formText(new FormData(event.currentTarget), "userId");
    if (userId) assign.mutate({ threadId: thread.id, userId });
  };

  return (
    <div className="ml-auto flex max-w-full flex-col items-end gap-2" role="group" aria-label={t("group")}>
      <div className="flex flex-wrap items-center justify-end gap-2">
        {canTakeOver ? (
          <Button size="sm" disabled={busy} onClick={() => takeOver.mutate(input)}>
            {t("takeOver")}
          </Button>
        ) : null}
        {!isClosed ? (
          <form className="flex items-center gap-1" onSubmit={submitAssign}>
            <Select
              name="userId"
              aria-label={t("assignTo")}
              className="h-8 w-40 max-w-full"
              defaultValue=""
              key={thread.assignedUserId ?? "none"}
            >
              <option value="" disabled>
                {t("assignToPlaceholder")}
              </option>
              {agents.data?.map((agent) => (
                <AgentOption
                  key={agent.id}
                  agent={agent}
                  disabled={agent.id === thread.assignedUserId}
                  label={agent.id === currentUserId ? t("you", { name: agent.name }) : agent.name}
                />
              ))}
            </Select>
            <Button type="submit" size="sm" variant="secondary" disabled={busy}>
              {t("assign")}
            </Button>
          </form>
        ) : null}
        {thread.mode === "human" ? (
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => release.mutate(input)}>
            {t("release")}
          </Button>
        ) : null}
        {isClosed ? (
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => reopen.mutate(input)}>
            {t("reopen")}
          </Button>
        ) : (
          <Button
            size="sm"
            variant="ghost"
            disabled={busy}
            onClick={() => setConfirmingClose(true)}
            aria-keyshortcuts="E"
          >
            {t("close")}
          </Button>
        )}
        <SnoozeControl data={data} onChanged={onChanged} />
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {confirmingClose ? (
        <ConfirmDialog
          title={tWork("title")}
          confirmLabel={tWork("confirm")}
          onCancel={() => setConfirmingClose(false)}
          onConfirm={() => {
            setConfirmingClose(false);
            close.mutate(input);
          }}
        >
          {tWork("body", { name: data.contact.name ?? data.contact.waId })}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
