"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
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

type TInboxT = ReturnType<typeof useTranslations<"inbox.composer">>;

/** What sending will do, said before it happens. */
function replyHint(
  t: TInboxT,
  thread: TInboxThread["thread"],
  contact: TInboxThread["contact"],
  currentUserId: string,
): string {
  if (contact.blocked) return t("hint.blocked");
  if (contact.optedOut) return t("hint.optedOut", { hours: OPTED_OUT_REPLY_HOURS });
  if (thread.mode === "bot") return t("hint.bot");
  if (thread.mode === "closed") return t("hint.closed");
  if (!thread.assignedUserId) return t("hint.unassigned");
  if (thread.assignedUserId !== currentUserId) {
    return t("hint.othersThread", { name: thread.assigneeName ?? t("hint.someoneElse") });
  }
  return t("hint.send");
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
  const t = useTranslations("inbox.composer");
  const format = useFormatter();
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
  const formatLatency = (ms: number) =>
    ms < 1000
      ? format.number(Math.round(ms), { style: "unit", unit: "millisecond", unitDisplay: "short" })
      : format.number(ms / 1000, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 1 });
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
    if (text.trim() && !window.confirm(t("confirmReplace"))) return;
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
              text: t("fallback", { reason: suggestion.reason ?? t("noReason") }),
            }
          : {
              tone: "info",
              text: t("suggested", {
                model:
                  suggestion.provider === "offline" ? t("offlineModel") : `${suggestion.provider} ${suggestion.model}`,
                latency: formatLatency(suggestion.latencyMs),
              }),
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
        aria-label={t("form")}
      >
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div
            role="group"
            aria-label={t("modeGroup")}
            className="inline-flex rounded-md border border-border bg-card p-0.5"
          >
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
                {option === "reply" ? t("reply") : t("note")}
              </button>
            ))}
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-2">
            <Select
              aria-label={t("insertSaved")}
              className="h-8 w-auto max-w-48 min-w-0"
              value=""
              disabled={inserting || !canned.data?.length}
              onChange={(event) => void insertCanned(event.target.value)}
            >
              <option value="">{canned.data?.length ? t("savedReplies") : t("noSavedReplies")}</option>
              {canned.data?.map((cannedReply) => (
                <option key={cannedReply.id} value={cannedReply.id}>
                  {cannedReply.title}
                </option>
              ))}
            </Select>
            <Button size="sm" variant="ghost" aria-label={t("manageLabel")} onClick={() => setManaging(true)}>
              {t("manage")}
            </Button>
            <Button size="sm" variant="secondary" disabled={suggest.isPending} onClick={() => void askAi()}>
              {suggest.isPending ? t("asking") : t("suggest")}
            </Button>
          </div>
        </div>
        <label htmlFor={textareaId} className="sr-only">
          {isNote ? t("note") : t("reply")}
        </label>
        <textarea
          id={textareaId}
          ref={textarea}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby={hintId}
          aria-keyshortcuts="Alt+R"
          data-inbox-composer=""
          aria-invalid={Boolean(error)}
          maxLength={4096}
          rows={2}
          placeholder={isNote ? t("notePlaceholder") : t("replyPlaceholder")}
          className="block max-h-60 min-h-16 w-full resize-y rounded-md border border-border bg-card px-3 py-2 text-sm placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive"
        />
        {aiNote ? <Alert tone={aiNote.tone}>{aiNote.text}</Alert> : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p id={hintId} className="text-xs text-foreground/70">
            {isNote ? t("noteHint") : replyHint(t, data.thread, data.contact, currentUserId)}
          </p>
          <Button type="submit" disabled={sending || !text.trim()}>
            {sending ? t("sending") : isNote ? t("addNote") : t("send")}
          </Button>
        </div>
      </form>
      {managing ? <CannedRepliesDialog onClose={() => setManaging(false)} /> : null}
    </>
  );
}
