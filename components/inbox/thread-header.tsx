"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Select } from "~/components/ui/input";
import { describeOwner, formatDuration, type TInboxThread } from "./inbox-labels";
import { MoodBadge, OwnerBadge } from "./thread-badges";

/**
 * The top of an open conversation: who the contact is (with a link to their page), their
 * profile, mood and topics, who owns the thread, and, for people who may answer, the ownership
 * actions. A refused action (someone else was faster) shows the server's words.
 */
export function ThreadHeader({
  data,
  now,
  currentUserId,
  canWrite,
  onChanged,
}: {
  data: TInboxThread;
  now: number;
  currentUserId: string;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const { thread, contact } = data;
  const owner = describeOwner(thread, currentUserId);
  const headingId = `thread-${thread.id}-title`;
  return (
    <div className="border-b border-border">
      <div className="flex flex-wrap items-start justify-between gap-3 p-4">
        <div className="min-w-0">
          <h2 id={headingId} className="truncate text-lg font-semibold">
            {contact.name ?? contact.waId}
          </h2>
          <div className="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
            {contact.name ? <span className="font-mono">{contact.waId}</span> : null}
            <span>Profile: {contact.profileName ?? "default"}</span>
            <Link href={`/contacts/${contact.id}`} className="text-primary underline-offset-2 hover:underline">
              Contact page
            </Link>
          </div>
        </div>
        {canWrite ? <ThreadActions data={data} currentUserId={currentUserId} onChanged={onChanged} /> : null}
      </div>
      <div
        className="flex flex-wrap items-center gap-2 border-t border-border px-4 py-2 text-xs"
        role="group"
        aria-label="About this conversation"
      >
        <span className="text-muted-foreground">Owner</span>
        <OwnerBadge owner={owner} />
        {thread.awaitingSince ? (
          thread.mode === "human" ? (
            <Badge tone="warning">waiting {formatDuration(thread.awaitingSince, now)}</Badge>
          ) : (
            <span>waiting {formatDuration(thread.awaitingSince, now)}</span>
          )
        ) : null}
        {contact.optedOut ? <Badge tone="danger">opted out</Badge> : null}
        {contact.blocked ? <Badge tone="danger">blocked</Badge> : null}
        {thread.botPausedUntil && new Date(thread.botPausedUntil).getTime() > now ? (
          <Badge tone="warning">
            bot paused (reply cap) until{" "}
            {new Date(thread.botPausedUntil).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}
          </Badge>
        ) : null}
        <span className="ml-2 text-muted-foreground">Mood</span>
        <MoodBadge sentiment={thread.sentiment} />
        {thread.sentiment === null || thread.sentiment === "neutral" ? (
          <span>{thread.sentiment ?? "not known yet"}</span>
        ) : null}
        <span className="ml-2 text-muted-foreground">Topics</span>
        {thread.topics.length > 0 ? (
          thread.topics.map((topic) => <Badge key={topic}>{topic}</Badge>)
        ) : (
          <span>none yet</span>
        )}
      </div>
    </div>
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
  const input = { threadId: thread.id };
  const isClosed = thread.mode === "closed";
  const canTakeOver = thread.mode === "bot" || (thread.mode === "human" && !thread.assignedUserId);

  const submitAssign = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const userId = formText(new FormData(event.currentTarget), "userId");
    if (userId) assign.mutate({ threadId: thread.id, userId });
  };

  return (
    <div className="ml-auto flex max-w-full flex-col items-end gap-2" role="group" aria-label="Conversation actions">
      <div className="flex flex-wrap items-center justify-end gap-2">
        {canTakeOver ? (
          <Button size="sm" disabled={busy} onClick={() => takeOver.mutate(input)}>
            Take over
          </Button>
        ) : null}
        {!isClosed ? (
          <form className="flex items-center gap-1" onSubmit={submitAssign}>
            <Select
              name="userId"
              aria-label="Assign to"
              className="h-8 w-40"
              defaultValue=""
              key={thread.assignedUserId ?? "none"}
            >
              <option value="" disabled>
                Assign to…
              </option>
              {agents.data?.map((agent) => (
                <option key={agent.id} value={agent.id} disabled={agent.id === thread.assignedUserId}>
                  {agent.id === currentUserId ? `${agent.name} (you)` : agent.name}
                </option>
              ))}
            </Select>
            <Button type="submit" size="sm" variant="secondary" disabled={busy}>
              Assign
            </Button>
          </form>
        ) : null}
        {thread.mode === "human" ? (
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => release.mutate(input)}>
            Release to bot
          </Button>
        ) : null}
        {isClosed ? (
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => reopen.mutate(input)}>
            Reopen
          </Button>
        ) : (
          <Button size="sm" variant="ghost" disabled={busy} onClick={() => close.mutate(input)}>
            Close
          </Button>
        )}
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
    </div>
  );
}
