"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import type { TInboxThread } from "./inbox-labels";

/** Asked of the open conversation by a keyboard shortcut (components/inbox/shortcuts.tsx). */
export const SHORTCUT_EVENT = "switchboard:inbox-shortcut";
export type TShortcutAction = "close" | "assign-me" | "snooze" | "reply" | "note" | "saved";

/** Listens for the shortcut `action` while mounted. */
export function useShortcut(action: TShortcutAction, run: () => void) {
  const handler = useRef(run);
  useEffect(() => {
    handler.current = run;
  });
  useEffect(() => {
    const listener = (event: Event) => {
      if ((event as CustomEvent<TShortcutAction>).detail === action) handler.current();
    };
    window.addEventListener(SHORTCUT_EVENT, listener);
    return () => window.removeEventListener(SHORTCUT_EVENT, listener);
  }, [action]);
}

const PRESETS = ["1h", "tomorrow", "next_week"] as const;

/**
 * Snooze: a menu of presets (in an hour, tomorrow 9:00 and next Monday 9:00 in the organisation's
 * time zone, reckoned by the server), "until the contact writes", or a time picked here; when
 * snoozed, until when and a Wake button.
 */
export function SnoozeControl({ data, onChanged }: { data: TInboxThread; onChanged: () => void }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.inboxWork.ui.snooze");
  const format = useFormatter();
  const { thread } = data;
  const menu = useRef<HTMLDetailsElement>(null);
  const customId = useId();
  const [error, setError] = useState<string | null>(null);
  const onSuccess = () => {
    setError(null);
    onChanged();
  };
  const onError = (caught: unknown) => setError(describeError(caught).message);
  // The menu goes away with the snooze (a snoozed thread shows its badge instead).
  const snooze = useMutation(trpc.inbox.snooze.mutationOptions({ onSuccess, onError }));
  const wake = useMutation(trpc.inbox.wake.mutationOptions({ onSuccess, onError }));
  useShortcut("snooze", () => {
    const element = menu.current;
    if (!element) return;
    element.open = true;
    element.querySelector<HTMLButtonElement>("button")?.focus();
  });
  if (thread.mode === "closed") return null;
  const busy = snooze.isPending || wake.isPending;
  const submitCustom = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get("until");
    if (typeof value !== "string" || !value) return;
    snooze.mutate({ threadId: thread.id, until: { kind: "at", at: new Date(value) } });
  };
  return (
    <div className="flex flex-col items-end gap-1">
      {thread.snoozedAt ? (
        <div className="flex items-center gap-2">
          <Badge tone="primary" data-testid="snoozed-badge">
            {thread.snoozedUntil
              ? t("until", { time: format.dateTime(new Date(thread.snoozedUntil), "short") })
              : t("untilContact")}
          </Badge>
          <Button size="sm" variant="secondary" disabled={busy} onClick={() => wake.mutate({ threadId: thread.id })}>
            {t("wake")}
          </Button>
        </div>
      ) : (
        <details ref={menu} className="relative">
          <summary
            className="inline-flex h-8 cursor-pointer list-none items-center rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
            aria-keyshortcuts="S"
            data-testid="snooze-menu"
          >
            {t("button")}
          </summary>
          <div
            className="absolute right-0 z-20 mt-1 w-64 space-y-1 rounded-md border border-border bg-card p-2 shadow-lg"
            role="group"
            aria-label={t("menu")}
          >
            {PRESETS.map((preset) => (
              <Button
                key={preset}
                size="sm"
                variant="ghost"
                className="w-full justify-start"
                disabled={busy}
                onClick={() => snooze.mutate({ threadId: thread.id, until: { kind: "preset", preset } })}
              >
                {t(preset)}
              </Button>
            ))}
            <Button
              size="sm"
              variant="ghost"
              className="w-full justify-start"
              disabled={busy}
              onClick={() => snooze.mutate({ threadId: thread.id, until: { kind: "contact" } })}
            >
              {t("contact")}
            </Button>
            <form className="space-y-1 border-t border-border pt-2" onSubmit={submitCustom}>
              <label htmlFor={customId} className="block text-xs text-muted-foreground">
                {t("customLabel")}
              </label>
              <div className="flex gap-1">
                <Input id={customId} name="until" type="datetime-local" className="h-8 min-w-0 flex-1" required />
                <Button type="submit" size="sm" disabled={busy}>
                  {t("apply")}
                </Button>
              </div>
            </form>
          </div>
        </details>
      )}
      {error ? <Alert tone="error">{error}</Alert> : null}
    </div>
  );
}

const PRIORITIES = ["none", "low", "medium", "high", "urgent"] as const;

/** Priority and labels, set from the thread header (suggestions: the labels in use). */
export function PriorityAndLabels({
  data,
  canWrite,
  onChanged,
}: {
  data: TInboxThread;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("domain.inboxWork.ui");
  const queryClient = useQueryClient();
  const { thread } = data;
  const listId = useId();
  const [error, setError] = useState<string | null>(null);
  const labelsInUse = useQuery({ ...trpc.inbox.labels.queryOptions(), enabled: canWrite });
  const tag = useMutation(
    trpc.inbox.tag.mutationOptions({
      onSuccess: () => {
        setError(null);
        void queryClient.invalidateQueries({ queryKey: trpc.inbox.labels.queryKey() });
        onChanged();
      },
      onError: (caught) => setError(describeError(caught).message),
    }),
  );
  const setLabels = (labels: string[]) => tag.mutate({ threadId: thread.id, labels });
  const addLabel = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const value = new FormData(form).get("label");
    if (typeof value !== "string" || !value.trim()) return;
    setLabels([...thread.labels, value]);
    form.reset();
  };
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="priority-labels">
      <span className="text-muted-foreground">{t("priority.label")}</span>
      {canWrite ? (
        <Select
          aria-label={t("priority.label")}
          className="h-7 w-auto text-xs"
          value={thread.priority}
          disabled={tag.isPending}
          onChange={(event) =>
            tag.mutate({ threadId: thread.id, priority: event.target.value as (typeof PRIORITIES)[number] })
          }
        >
          {PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {t(`priority.${priority}`)}
            </option>
          ))}
        </Select>
      ) : (
        <span>{t(`priority.${thread.priority}`)}</span>
      )}
      <span className="ml-2 text-muted-foreground">{t("labels.label")}</span>
      {thread.labels.map((label) => (
        <Badge key={label} className="gap-1" data-testid="thread-label">
          <span translate="no">#{label}</span>
          {canWrite ? (
            <button
              type="button"
              className="rounded-full px-1 hover:bg-foreground/10 focus-visible:outline-2 focus-visible:outline-primary"
              aria-label={t("labels.remove", { label })}
              disabled={tag.isPending}
              onClick={() => setLabels(thread.labels.filter((one) => one !== label))}
            >
              ×
            </button>
          ) : null}
        </Badge>
      ))}
      {canWrite ? (
        <form className="flex items-center gap-1" onSubmit={addLabel}>
          <Input
            name="label"
            aria-label={t("labels.add")}
            placeholder={t("labels.add")}
            list={listId}
            maxLength={40}
            className="h-7 w-32 text-xs"
          />
          <datalist id={listId}>
            {labelsInUse.data
              ?.filter((option) => !thread.labels.includes(option.label))
              .map((option) => (
                <option key={option.label} value={option.label} />
              ))}
          </datalist>
          <Button type="submit" size="sm" variant="secondary" className="h-7" disabled={tag.isPending}>
            {t("labels.addButton")}
          </Button>
        </form>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
    </div>
  );
}
