"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { TEMPLATE_VARIABLES, type TTemplateVariable } from "~/server/rules/templates";
import type { TCannedReply } from "./inbox-labels";

/**
 * Saved replies, managed in a modal dialog: the list (edit, delete) and a form for a new or
 * changed one, with the variables a reply may use. The server checks the variables.
 */
export function CannedRepliesDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.canned");
  const common = useTranslations("common");
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const canned = useQuery(trpc.inbox.canned.queryOptions());
  const [editing, setEditing] = useState<TCannedReply | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const remove = useMutation(trpc.inbox.deleteCanned.mutationOptions());

  // Modal from the start: the browser traps focus, closes on Escape and gives focus back after.
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.inbox.canned.queryKey() });

  const onDelete = async (reply: TCannedReply) => {
    if (!window.confirm(t("confirmDelete", { title: reply.title }))) return;
    setListError(null);
    setNotice(null);
    try {
      await remove.mutateAsync({ id: reply.id });
      if (editing?.id === reply.id) setEditing(null);
      setNotice(t("deleted", { title: reply.title }));
      await refresh();
    } catch (caught) {
      setListError(describeError(caught).message);
    }
  };

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      className="m-auto w-[min(56rem,calc(100vw-2rem))] rounded-lg border border-border bg-card p-0 text-foreground shadow-xl backdrop:bg-black/40"
    >
      <div className="flex items-center justify-between gap-4 border-b border-border p-4">
        <h2 id={titleId} className="font-semibold">
          {t("title")}
        </h2>
        <Button size="sm" variant="ghost" onClick={() => dialog.current?.close()}>
          {common("close")}
        </Button>
      </div>
      <div className="grid gap-4 p-4 md:grid-cols-[1fr_1.3fr]">
        <section aria-label={t("all")} className="min-w-0 space-y-2">
          {notice ? <Alert tone="success">{notice}</Alert> : null}
          {listError ? <Alert tone="error">{listError}</Alert> : null}
          {canned.error ? <Alert tone="error">{describeError(canned.error).message}</Alert> : null}
          {canned.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("none")}</p> : null}
          <ul className="max-h-96 divide-y divide-border overflow-y-auto rounded-md border border-border">
            {canned.data?.map((reply) => (
              <li key={reply.id} className="p-3 text-sm">
                <div className="flex items-start justify-between gap-2">
                  <span className="min-w-0 font-medium break-words">{reply.title}</span>
                  <div className="flex shrink-0 gap-1">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={t("editLabel", { title: reply.title })}
                      onClick={() => {
                        setNotice(null);
                        setEditing(reply);
                      }}
                    >
                      {common("edit")}
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={t("deleteLabel", { title: reply.title })}
                      disabled={remove.isPending}
                      onClick={() => void onDelete(reply)}
                    >
                      {common("delete")}
                    </Button>
                  </div>
                </div>
                <p className="mt-1 line-clamp-2 text-xs break-words whitespace-pre-wrap text-muted-foreground">
                  {reply.body}
                </p>
              </li>
            ))}
          </ul>
        </section>
        <CannedReplyForm
          key={editing?.id ?? "new"}
          reply={editing}
          onSaved={(title) => {
            setEditing(null);
            setNotice(t("saved", { title }));
            void refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      </div>
    </dialog>
  );
}

function CannedReplyForm({
  reply,
  onSaved,
  onCancel,
}: {
  reply: TCannedReply | null;
  onSaved: (title: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.canned");
  const common = useTranslations("common");
  const formId = useId();
  const body = useRef<HTMLTextAreaElement>(null);
  const [title, setTitle] = useState(reply?.title ?? "");
  const [text, setText] = useState(reply?.body ?? "");
  const [errors, setErrors] = useState<{ title?: string; body?: string; other?: string }>({});
  const save = useMutation(trpc.inbox.saveCanned.mutationOptions());

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    try {
      const saved = await save.mutateAsync({ id: reply?.id ?? null, reply: { title, body: text } });
      onSaved(saved.title);
    } catch (caught) {
      const { message, fieldErrors } = describeError(caught);
      const titleError = fieldErrors["reply.title"] ?? fieldErrors.title;
      const bodyError = fieldErrors["reply.body"] ?? fieldErrors.body;
      setErrors({ title: titleError, body: bodyError, other: titleError || bodyError ? undefined : message });
    }
  };

  const insertVariable = (name: string) => {
    const element = body.current;
    const placeholder = `{{${name}}}`;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + placeholder + text.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + placeholder.length, start + placeholder.length);
    });
  };

  return (
    <form onSubmit={(event) => void submit(event)} className="min-w-0 space-y-3" noValidate>
      <h3 className="text-sm font-semibold">{reply ? t("editHeading", { title: reply.title }) : t("newHeading")}</h3>
      <Field label={t("titleLabel")} htmlFor={`${formId}-title`} error={errors.title}>
        <Input
          id={`${formId}-title`}
          value={title}
          maxLength={80}
          aria-invalid={Boolean(errors.title)}
          onChange={(event) => setTitle(event.target.value)}
        />
      </Field>
      <Field
        label={t("textLabel")}
        htmlFor={`${formId}-body`}
        error={errors.body}
        hint={t("textHint", { example: "{{name | fallback}}" })}
      >
        <textarea
          id={`${formId}-body`}
          ref={body}
          value={text}
          rows={5}
          maxLength={4096}
          aria-invalid={Boolean(errors.body)}
          onChange={(event) => setText(event.target.value)}
          placeholder={t("textPlaceholder", { variable: `{{contact.firstName | ${t("placeholderFallback")}}}` })}
          className="w-full rounded-md border border-border bg-card px-3 py-2 text-sm placeholder:text-muted-foreground focus-visible:outline-2 focus-visible:outline-primary aria-[invalid=true]:border-destructive"
        />
      </Field>
      <details open className="rounded-md border border-border text-sm">
        <summary className="cursor-pointer px-3 py-2 font-medium">{t("variables")}</summary>
        <ul className="max-h-48 space-y-1 overflow-y-auto px-3 pb-3">
          {(Object.keys(TEMPLATE_VARIABLES) as TTemplateVariable[]).map((name) => (
            <li key={name} className="flex flex-wrap items-baseline gap-x-2">
              <button
                type="button"
                className="shrink-0 rounded bg-muted px-1.5 font-mono text-xs text-foreground hover:bg-primary/10 focus-visible:outline-2 focus-visible:outline-primary"
                aria-label={t("insertVariable", { variable: `{{${name}}}` })}
                onClick={() => insertVariable(name)}
              >
                {`{{${name}}}`}
              </button>
              <span className="min-w-0 text-xs text-muted-foreground">{t(`variable.${name}`)}</span>
            </li>
          ))}
        </ul>
      </details>
      {errors.other ? <Alert tone="error">{errors.other}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? common("saving") : reply ? t("saveChanges") : t("add")}
        </Button>
        {reply ? (
          <Button variant="ghost" onClick={onCancel}>
            {common("cancel")}
          </Button>
        ) : null}
      </div>
    </form>
  );
}
