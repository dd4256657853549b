"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useId, useRef, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import { Select } from "~/components/ui/input";
import { CannedRepliesDialog } from "./canned-replies";
import { readDraft, sessionDrafts, writeDraft } from "./drafts";
import { OPTED_OUT_REPLY_HOURS } from "~/server/inbox/reply-window";
import type { TInboxThread } from "./inbox-labels";

type TMode = "reply" | "note";

/** "Gemini gemini-3.8-flash", or what the offline stand-in is. */
function describeModel(suggestion: { provider: string; model: string }): string {
  if (suggestion.provider === "offline") return "the offline stand-in (no Gemini key is set)";
  return `${suggestion.provider} ${suggestion.model}`;
}

function formatLatency(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What sending will do, said before it happens. */
function replyHint(thread: TInboxThread["thread"], contact: TInboxThread["contact"], currentUserId: string): string {
  if (contact.blocked) return "This contact is blocked: unblock them on their contact page to reply.";
  if (contact.optedOut) {
    return `This contact opted out: you can answer only within ${OPTED_OUT_REPLY_HOURS} hours of their last message.`;
  }
  if (thread.mode === "bot") return "Sending takes this conversation over from the bot.";
  if (thread.mode === "closed") return "Sending reopens this conversation and makes it yours.";
  if (!thread.assignedUserId) return "Sending makes this conversation yours.";
  if (thread.assignedUserId !== currentUserId) {
    return `${thread.assigneeName ?? "Someone else"} owns this conversation; only they can reply until it is assigned to you.`;
  }
  return "Ctrl+Enter (⌘+Enter) sends.";
}

/**
 * Where a person answers: a reply to the contact or an internal note, with saved replies
 * (variables filled in for this contact) and an AI suggestion to start from. Nothing is sent
 * until Send; until then the text is kept as this thread's draft.
 */
export function Composer({
  data,
  currentUserId,
  onSent,
}: {
  data: TInboxThread;
  currentUserId: string;
  onSent: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const threadId = data.thread.id;
  const textareaId = useId();
  const hintId = useId();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [mode, setMode] = useState<TMode>("reply");
  // The draft survives switching threads and reloading (per person and thread, this tab only).
  const [text, setTextState] = useState(() => readDraft(sessionDrafts(), currentUserId, threadId));
  const setText = (value: string) => {
    setTextState(value);
    writeDraft(sessionDrafts(), currentUserId, threadId, value);
  };
  const [error, setError] = useState<string | null>(null);
  const [aiNote, setAiNote] = useState<{ tone: "info" | "warning"; text: string } | null>(null);
  const [managing, setManaging] = useState(false);
  const canned = useQuery(trpc.inbox.canned.queryOptions());
  const reply = useMutation(trpc.inbox.reply.mutationOptions());
  const note = useMutation(trpc.inbox.note.mutationOptions());
  const suggest = useMutation(trpc.inbox.suggest.mutationOptions());
  const [inserting, setInserting] = useState(false);
  const sending = reply.isPending || note.isPending;

  /** Puts `snippet` where the cursor is (or over the selection), ready to edit. */
  const insert = (snippet: string) => {
    const element = textarea.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + snippet + text.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + snippet.length, start + snippet.length);
    });
  };

  const send = async () => {
    const body = text.trim();
    if (!body || sending) return;
    setError(null);
    try {
      if (mode === "reply") await reply.mutateAsync({ threadId, body });
      else await note.mutateAsync({ threadId, body });
      setText("");
      setAiNote(null);
      onSent();
    } catch (caught) {
      const described = describeError(caught);
      setError(described.fieldErrors.body ?? described.message);
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  };

  const insertCanned = async (id: string) => {
    if (!id) return;
    setError(null);
    setInserting(true);
    try {
      const rendered = await queryClient.fetchQuery({
        ...trpc.inbox.renderCanned.queryOptions({ id, threadId }),
        staleTime: 0,
      });
      insert(rendered.text);
    } catch (caught) {
      setError(describeError(caught).message);
    } finally {
      setInserting(false);
    }
  };

  const askAi = async () => {
    if (text.trim() && !window.confirm("Replace what you have written with the AI's suggestion?")) return;
    setError(null);
    setAiNote(null);
    try {
      const suggestion = await suggest.mutateAsync({ threadId });
      setMode("reply");
      setText(suggestion.text);
      setAiNote(
        suggestion.outcome === "fallback"
          ? {
              tone: "warning",
              text: `The AI could not write a suggestion (${suggestion.reason ?? "no reason given"}); this is the fallback reply.`,
            }
          : {
              tone: "info",
              text: `Suggested by ${describeModel(suggestion)} in ${formatLatency(suggestion.latencyMs)}. Check it before sending.`,
            },
      );
      requestAnimationFrame(() => textarea.current?.focus());
    } catch (caught) {
      setError(describeError(caught).message);
    }
  };

  const isNote = mode === "note";
  return (
    <>
      <form
        onSubmit={onSubmit}
        className={cn("space-y-2 border-t border-border p-3", isNote && "bg-warning/10")}
        aria-label="Write to the conversation"
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div role="group" aria-label="Write" className="inline-flex rounded-md border border-border bg-card p-0.5">
            {(["reply", "note"] as const).map((option) => (
              <button
                key={option}
                type="button"
                aria-pressed={mode === option}
                onClick={() => setMode(option)}
                className={cn(
                  "h-7 rounded px-3 text-xs font-medium focus-visible:outline-2 focus-visible:outline-primary",
                  mode === option ? "bg-primary text-primary-foreground" : "text-foreground hover:bg-muted",
                )}
              >
                {option === "reply" ? "Reply" : "Internal note"}
              </button>
            ))}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <Select
              aria-label="Insert a saved reply"
              className="h-8 w-auto max-w-48"
              value=""
              disabled={inserting || !canned.data?.length}
              onChange={(event) => void insertCanned(event.target.value)}
            >
              <option value="">{canned.data?.length ? "Saved replies…" : "No saved replies"}</option>
              {canned.data?.map((cannedReply) => (
                <option key={cannedReply.id} value={cannedReply.id}>
                  {cannedReply.title}
                </option>
              ))}
            </Select>
            <Button size="sm" variant="ghost" aria-label="Manage saved replies" onClick={() => setManaging(true)}>
              Manage
            </Button>
            <Button size="sm" variant="secondary" disabled={suggest.isPending} onClick={() => void askAi()}>
              {suggest.isPending ? "Asking the AI…" : "Suggest with AI"}
            </Button>
          </div>
        </div>
        <label htmlFor={textareaId} className="sr-only">
          {isNote ? "Internal note" : "Reply"}
        </label>
        <textarea
          id={textareaId}
          ref={textarea}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={hintId}
          aria-invalid={Boolean(error)}
          maxLength={4096}
          rows={2}
          placeholder={isNote ? "A note for the team; the contact never sees it" : "Write a reply"}
          className="block max-h-60 min-h-16 w-full resize-y rounded-md border border-border bg-card px-3 py-2 text-sm placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive"
        />
        {aiNote ? <Alert tone={aiNote.tone}>{aiNote.text}</Alert> : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p id={hintId} className="text-xs text-foreground/70">
            {isNote
              ? "Only staff see internal notes. Ctrl+Enter (⌘+Enter) saves."
              : replyHint(data.thread, data.contact, currentUserId)}
          </p>
          <Button type="submit" disabled={sending || !text.trim()}>
            {sending ? "Sending…" : isNote ? "Add note" : "Send"}
          </Button>
        </div>
      </form>
      {managing ? <CannedRepliesDialog onClose={() => setManaging(false)} /> : null}
    </>
  );
}
