"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTimeZone, useTranslations } from "next-intl";
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import { AttachmentPreview, type TAttachment } from "~/components/media/attachment-preview";
import {
  ATTACHABLE_KINDS,
  likelyKind,
  sendableKinds,
  singleFile,
  uploadMedia,
  UploadFailedError,
  UploadRefusedError,
} from "~/components/media/upload";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import { Select } from "~/components/ui/input";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { CannedRepliesDialog } from "./canned-replies";
import { findTrigger, matchesQuery, mentionedIn, type TTrigger } from "./composer-suggest";
import { useShortcut } from "./thread-work";
import { readDraft, sessionDrafts, writeDraft } from "./drafts";
import { OPTED_OUT_REPLY_HOURS } from "~/server/inbox/reply-window";
import { type TInboxThread, useInboxFormat, useNow } from "./inbox-labels";
import { ScheduledMessages, wallTimeIn } from "./scheduled-messages";
import { TemplatePicker } from "./template-picker";

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
 * (variables filled in for this contact) and an AI suggestion to start from. A reply may carry
 * one file (the attach button, dropped onto the composer, or a pasted screenshot), the text
 * then its caption; only kinds the number's engine can send are accepted. Nothing is sent
 * until Send (the file is uploaded then); until then the text is kept as this thread's draft.
 * Where the number's engine holds it to WhatsApp's 24-hour window and the window is closed, the
 * reply is a template (the picker) and the composer says why; inside it, "Template" opens the same picker.
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
  const tAttach = useTranslations("media.attach");
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
  const fileInput = useRef<HTMLInputElement>(null);
  const attachHintId = useId();
  const [attachment, setAttachmentState] = useState<TAttachment | null>(null);
  const [uploadProgress, setUploadProgress] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const canSend = sendableKinds(data.capabilities);
  const tTemplates = useTranslations("inbox.templates");
  const inboxFormat = useInboxFormat();
  const now = useNow();
  const canTemplates = engineCan(data.capabilities, "templates");
  // The same query the picker reads: the button shows only where there is a template to send.
  const templates = useQuery({ ...trpc.inbox.templates.queryOptions({ threadId }), enabled: canTemplates });
  const hasTemplates = (templates.data?.length ?? 0) > 0;
  // Outside the 24-hour window (where the engine holds the number to it) only templates go.
  const windowClosed = data.window.applies && !data.window.open;
  const [picking, setPicking] = useState(false);
  const showPicker = mode === "reply" && (windowClosed || picking);
  const canned = useQuery(trpc.inbox.canned.queryOptions());
  const reply = useMutation(trpc.inbox.reply.mutationOptions());
  const note = useMutation(trpc.inbox.note.mutationOptions());
  const suggest = useMutation(trpc.inbox.suggest.mutationOptions());
  // "Schedule": the reply goes at a chosen time, in the org's time zone (Settings), shown beside it.
  const tSchedule = useTranslations("domain.scheduled.ui");
  const timeZone = useTimeZone() ?? "UTC";
  const schedule = useMutation(trpc.scheduled.create.mutationOptions());
  const [scheduling, setScheduling] = useState(false);
  const [sendAt, setSendAt] = useState("");
  const sendAtId = useId();
  const timeZoneId = useId();
  const [inserting, setInserting] = useState(false);
  // "/" (saved replies) and "@" (teammates, in notes) suggestions while typing.
  const tWork = useTranslations("domain.inboxWork.ui");
  const suggestId = useId();
  const [trigger, setTrigger] = useState<TTrigger | null>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const [picked, setPicked] = useState<{ id: string; name: string }[]>([]);
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    if (caret === null) return;
    pendingCaret.current = null;
    textarea.current?.focus();
    textarea.current?.setSelectionRange(caret, caret);
  }, [text]);
  const agents = useQuery({ ...trpc.inbox.agents.queryOptions(), enabled: mode === "note" });
  const formatLatency = (ms: number) =>
    ms < 1000
      ? format.number(Math.round(ms), { style: "unit", unit: "millisecond", unitDisplay: "short" })
      : format.number(ms / 1000, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 1 });
  const sending = reply.isPending || note.isPending || schedule.isPending || uploadProgress !== null;
  const isNoteMode = mode === "note";
  const isScheduling = scheduling && !isNoteMode && attachment === null;
  const [scheduleNotice, setScheduleNotice] = useState<string | null>(null);
  // Why the attach button is off, in words (null: it is on).
  const attachBlocked = isNoteMode ? tAttach("notInNotes") : canSend.length === 0 ? tAttach("cannotSendAny") : null;
  // Kinds this number cannot send while it can send others: said up front, not only once picked.
  const unsendable = ATTACHABLE_KINDS.filter((kind) => !canSend.includes(kind));
  const partialHint =
    !attachBlocked && unsendable.length > 0
      ? tAttach("cannotSend", {
          kind: format.list(
            unsendable.map((kind) => tAttach(`kinds.${kind}`)),
            { type: "conjunction" },
          ),
        })
      : null;
  // The picker offers what the number can send (anything, when it can send documents).
  const accept = canSend.includes("document")
    ? undefined
    : canSend.map((kind) => (kind === "image" ? "image/*" : kind === "video" ? "video/*" : "audio/*")).join(",");

  const setAttachment = (next: TAttachment | null) => {
    setAttachmentState((previous) => {
      if (previous?.previewUrl) URL.revokeObjectURL(previous.previewUrl);
      return next;
    });
  };
  // The preview's object URL goes with the composer.
  const latestAttachment = useRef(attachment);
  useEffect(() => {
    latestAttachment.current = attachment;
  }, [attachment]);
  useEffect(
    () => () => {
      if (latestAttachment.current?.previewUrl) URL.revokeObjectURL(latestAttachment.current.previewUrl);
    },
    [],
  );

  /** Takes a picked, dropped or pasted file, if the number can send its kind. */
  const attach = (files: FileList | readonly File[] | null | undefined) => {
    const file = singleFile(files);
    if (!file) return;
    if (file === "many") {
      setError(tAttach("oneFile"));
      return;
    }
    if (attachBlocked) {
      setError(attachBlocked);
      return;
    }
    const kind = likelyKind(file.type);
    if (!canSend.includes(kind)) {
      setError(tAttach("cannotSend", { kind: tAttach(`kinds.${kind}`) }));
      return;
    }
    setError(null);
    setAttachment({
      file,
      kind,
      previewUrl: kind === "document" ? undefined : URL.createObjectURL(file),
    });
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    // A screenshot from the clipboard arrives as a file; text pastes as text.
    const files = Array.from(event.clipboardData.files);
    if (files.length === 0) return;
    event.preventDefault();
    attach(files);
  };

  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes("Files");
  const onDragOver = (event: DragEvent<HTMLFormElement>) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = attachBlocked ? "none" : "copy";
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent<HTMLFormElement>) => {
    if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
    setDragging(false);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    attach(event.dataTransfer.files);
  };

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
    const file = mode === "reply" ? attachment : null;
    if ((!body && !file) || sending) return;
    setError(null);
    try {
      if (isScheduling) {
        if (!sendAt) {
          setError(tSchedule("pickTime"));
          return;
        }
        const scheduled = await schedule.mutateAsync({ threadId, body, sendAt });
        await queryClient.invalidateQueries({ queryKey: trpc.scheduled.list.queryKey({ threadId }) });
        setScheduleNotice(
          tSchedule("scheduledToast", {
            time: format.dateTime(scheduled.sendAt, { dateStyle: "medium", timeStyle: "short" }),
          }),
        );
        setScheduling(false);
        setText("");
        return;
      }
      if (file) {
        setUploadProgress(0);
        let uploaded;
        try {
          uploaded = await uploadMedia(file.file, "auto", { onProgress: setUploadProgress });
        } finally {
          setUploadProgress(null);
        }
        if (!canSend.includes(uploaded.kind)) {
          setError(tAttach("cannotSend", { kind: tAttach(`kinds.${uploaded.kind}`) }));
          return;
        }
        await reply.mutateAsync({
          threadId,
          ...(body ? { body } : {}),
          attachment: { sha256: uploaded.sha256, kind: uploaded.kind, fileName: file.file.name || undefined },
        });
        setAttachment(null);
      } else if (mode === "reply") await reply.mutateAsync({ threadId, body });
      else await note.mutateAsync({ threadId, body, mentions: mentionedIn(body, picked) });
      setText("");
      setPicked([]);
      setAiNote(null);
      onSent();
    } catch (caught) {
      if (caught instanceof UploadRefusedError) {
        setError(caught.message || tAttach("failed"));
        return;
      }
      if (caught instanceof UploadFailedError) {
        setError(tAttach("failed"));
        return;
      }
      const described = describeError(caught);
      setError(
        described.fieldErrors.body ??
          described.fieldErrors.attachment ??
          described.fieldErrors.sendAt ??
          described.message,
      );
    }
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (trigger && suggestions.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActiveIndex((index) => (index + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        void choose(suggestions[Math.min(activeIndex, suggestions.length - 1)]!);
        return;
      }
    }
    if (trigger && event.key === "Escape") {
      event.preventDefault();
      setTrigger(null);
      return;
    }
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

  type TSuggestion = { id: string; label: string; detail?: string };
  const suggestions: TSuggestion[] = !trigger
    ? []
    : trigger.kind === "slash"
      ? (canned.data ?? [])
          .filter((reply) => matchesQuery(reply.title, trigger.query))
          .slice(0, 8)
          .map((reply) => ({ id: reply.id, label: reply.title, detail: reply.body }))
      : (agents.data ?? [])
          .filter((agent) => agent.id !== currentUserId && matchesQuery(agent.name, trigger.query))
          .slice(0, 8)
          .map((agent) => ({ id: agent.id, label: agent.name }));
  const onTextChange = (value: string, caret: number) => {
    setText(value);
    const next = findTrigger(value, caret, { mentions: mode === "note" });
    if (next?.kind !== trigger?.kind || next?.query !== trigger?.query) setActiveIndex(0);
    setTrigger(next);
  };
  /** Puts the chosen suggestion in place of the "/…" or "@…" typed. */
  const choose = async (item: TSuggestion) => {
    if (!trigger) return;
    const { start, end, kind } = trigger;
    setTrigger(null);
    let snippet: string;
    if (kind === "mention") {
      snippet = `@${item.label} `;
      setPicked((list) => [...list, { id: item.id, name: item.label }]);
    } else {
      setError(null);
      setInserting(true);
      try {
        const rendered = await queryClient.fetchQuery({
          ...trpc.inbox.renderCanned.queryOptions({ id: item.id, threadId }),
          staleTime: 0,
        });
        snippet = rendered.text;
      } catch (caught) {
        setError(describeError(caught).message);
        return;
      } finally {
        setInserting(false);
      }
    }
    const current = textarea.current?.value ?? text;
    // The caret goes after the snippet in the same commit (keys typed right after land there).
    pendingCaret.current = start + snippet.length;
    setText(current.slice(0, start) + snippet + current.slice(end));
  };
  useShortcut("reply", () => {
    setMode("reply");
    requestAnimationFrame(() => textarea.current?.focus());
  });
  useShortcut("note", () => {
    setMode("note");
    requestAnimationFrame(() => textarea.current?.focus());
  });
  useShortcut("saved", () => {
    const element = textarea.current;
    if (!element) return;
    const caret = element.selectionStart;
    const before = text.slice(0, caret);
    const slash = before === "" || /\s$/.test(before) ? "/" : " /";
    const value = before + slash + text.slice(caret);
    onTextChange(value, caret + slash.length);
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange(caret + slash.length, caret + slash.length);
    });
  });

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

  const isNote = isNoteMode;
  const withFile = !isNote && attachment !== null;
  const contactName = data.contact.name ?? data.contact.waId;
  const modeToggle = (
    <div role="group" aria-label={t("modeGroup")} className="inline-flex rounded-md border border-border bg-card p-0.5">
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
  );
  if (showPicker) {
    const why = !windowClosed
      ? null
      : !canTemplates
        ? tTemplates("noTemplatesWhy", { contact: contactName })
        : data.window.closesAt
          ? tTemplates("closedWhy", { ago: inboxFormat.duration(data.window.closesAt, now), contact: contactName })
          : tTemplates("neverWhy", { contact: contactName });
    return (
      // Scrolls within the thread (a template has many fields), its Send row kept in view.
      <div
        className="max-h-[min(45dvh,36rem)] min-w-0 shrink-0 space-y-2 overflow-y-auto border-t border-border p-3 pb-0"
        data-testid="composer"
      >
        <div className="flex flex-wrap items-center justify-between gap-2">{modeToggle}</div>
        {why ? (
          <div data-testid="window-closed-reason">
            <Alert tone="warning">{why}</Alert>
          </div>
        ) : null}
        {canTemplates ? (
          <TemplatePicker
            threadId={threadId}
            onSent={() => {
              setPicking(false);
              onSent();
            }}
            onCancel={windowClosed ? undefined : () => setPicking(false)}
          />
        ) : null}
      </div>
    );
  }
  return (
    <>
      <ScheduledMessages threadId={threadId} />
      <form
        onSubmit={onSubmit}
        onDragOver={onDragOver}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
        className={cn(
          "relative min-w-0 space-y-2 border-t border-border p-3",
          isNote && "bg-warning/10",
          dragging && "outline-2 -outline-offset-4 outline-primary outline-dashed",
        )}
        aria-label={t("form")}
        data-testid="composer"
      >
        {dragging ? (
          <p
            className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center bg-card/90 text-sm font-medium"
            aria-hidden="true"
          >
            {tAttach("drop")}
          </p>
        ) : null}
        <div className="flex flex-wrap items-center justify-between gap-2">
          {modeToggle}
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
          onChange={(event) => onTextChange(event.target.value, event.target.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setTrigger(null)}
          aria-controls={trigger ? suggestId : undefined}
          aria-activedescendant={
            trigger && suggestions.length > 0
              ? `${suggestId}-${Math.min(activeIndex, suggestions.length - 1)}`
              : undefined
          }
          onPaste={onPaste}
          aria-describedby={hintId}
          aria-keyshortcuts="Alt+R"
          data-inbox-composer=""
          aria-invalid={Boolean(error)}
          maxLength={4096}
          rows={2}
          placeholder={isNote ? t("notePlaceholder") : withFile ? tAttach("captionPlaceholder") : t("replyPlaceholder")}
          className="block max-h-60 min-h-16 w-full resize-y rounded-md border border-border bg-card px-3 py-2 text-sm placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive"
        />
        {trigger ? (
          <div className="rounded-md border border-border bg-card shadow-lg" data-testid="composer-suggestions">
            <p className="border-b border-border px-3 py-1 text-xs font-medium text-muted-foreground">
              {trigger.kind === "slash" ? tWork("slash.label") : tWork("mentions.suggestions")}
            </p>
            {suggestions.length === 0 ? (
              <p className="px-3 py-2 text-xs text-muted-foreground">{tWork("slash.none")}</p>
            ) : (
              <ul
                id={suggestId}
                role="listbox"
                aria-label={trigger.kind === "slash" ? tWork("slash.label") : tWork("mentions.suggestions")}
                className="max-h-48 overflow-y-auto py-1"
              >
                {suggestions.map((item, index) => (
                  <li
                    key={item.id}
                    id={`${suggestId}-${index}`}
                    role="option"
                    aria-selected={index === Math.min(activeIndex, suggestions.length - 1)}
                    className="cursor-pointer px-3 py-1.5 text-sm aria-selected:bg-primary/10"
                    // Chosen before the textarea's blur closes the list.
                    onMouseDown={(event) => {
                      event.preventDefault();
                      void choose(item);
                    }}
                  >
                    <span className="font-medium" translate="no">
                      {item.label}
                    </span>
                    {item.detail ? (
                      <span className="block truncate text-xs text-muted-foreground" translate="no">
                        {item.detail}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ) : null}
        {withFile ? (
          <AttachmentPreview
            attachment={attachment}
            progress={uploadProgress}
            onRemove={() => {
              setAttachment(null);
              textarea.current?.focus();
            }}
            disabled={sending}
          />
        ) : null}
        {isScheduling ? (
          <div className="flex flex-wrap items-center gap-2" data-testid="schedule-time">
            <label htmlFor={sendAtId} className="text-sm font-medium">
              {tSchedule("scheduleAt")}
            </label>
            <input
              id={sendAtId}
              type="datetime-local"
              value={sendAt}
              min={wallTimeIn(new Date(now), timeZone)}
              onChange={(event) => setSendAt(event.target.value)}
              aria-describedby={timeZoneId}
              className="h-8 rounded-md border border-border bg-card px-2 text-sm focus-visible:outline-2 focus-visible:outline-primary"
            />
            <span id={timeZoneId} className="text-xs text-foreground/70" translate="no">
              {tSchedule("timeZone", { timeZone })}
            </span>
          </div>
        ) : null}
        {aiNote ? <Alert tone={aiNote.tone}>{aiNote.text}</Alert> : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <p role="status" className={scheduleNotice ? "text-xs text-foreground/70" : "sr-only"}>
          {scheduleNotice}
        </p>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div className="flex min-w-0 flex-1 items-center gap-2">
            <input
              ref={fileInput}
              type="file"
              accept={accept}
              className="hidden"
              tabIndex={-1}
              aria-hidden="true"
              data-testid="attach-file"
              onChange={(event) => {
                attach(event.target.files);
                event.target.value = "";
              }}
            />
            <Button
              size="sm"
              variant="secondary"
              aria-describedby={attachBlocked || partialHint ? attachHintId : undefined}
              disabled={Boolean(attachBlocked) || sending}
              onClick={() => fileInput.current?.click()}
              title={attachBlocked ?? tAttach("label")}
              data-testid="attach"
            >
              <span aria-hidden="true">📎</span>
              <span className="sr-only sm:not-sr-only">{tAttach("button")}</span>
            </Button>
            {!isNote ? (
              <Button
                size="sm"
                variant={isScheduling ? "primary" : "secondary"}
                disabled={sending || withFile}
                aria-pressed={isScheduling}
                onClick={() => {
                  if (!scheduling && !sendAt) setSendAt(wallTimeIn(new Date(Date.now() + 3_600_000), timeZone));
                  setScheduling(!scheduling);
                }}
                title={tSchedule("schedule")}
                data-testid="schedule-toggle"
              >
                <span aria-hidden="true">⏰</span>
                <span className="sr-only sm:not-sr-only">{tSchedule("schedule")}</span>
              </Button>
            ) : null}
            {hasTemplates && !isNote ? (
              <Button
                size="sm"
                variant="secondary"
                disabled={sending}
                onClick={() => setPicking(true)}
                title={tTemplates("buttonLabel")}
                data-testid="open-templates"
              >
                <span aria-hidden="true">🧾</span>
                <span className="sr-only sm:not-sr-only">{tTemplates("button")}</span>
              </Button>
            ) : null}
            <p id={hintId} className="min-w-0 text-xs text-foreground/70">
              {isNote
                ? t("noteHint")
                : isScheduling
                  ? tSchedule("hint")
                  : replyHint(t, data.thread, data.contact, currentUserId)}{" "}
              <span className="hidden sm:inline">{isNote ? tWork("mentions.hint") : tWork("slash.hint")}</span>
              {attachBlocked || partialHint ? (
                <span id={attachHintId} className={isNote ? "sr-only" : "block"} data-testid="attach-hint">
                  {attachBlocked ?? partialHint}
                </span>
              ) : null}
            </p>
          </div>
          <Button type="submit" disabled={sending || (!text.trim() && !withFile)}>
            {uploadProgress !== null
              ? tAttach("uploadingPercent", { percent: Math.round(uploadProgress * 100) })
              : sending
                ? t("sending")
                : isNote
                  ? t("addNote")
                  : isScheduling
                    ? tSchedule("confirm")
                    : t("send")}
          </Button>
        </div>
      </form>
      {managing ? <CannedRepliesDialog onClose={() => setManaging(false)} /> : null}
    </>
  );
}
