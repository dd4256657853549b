"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { uploadMedia, UploadFailedError, UploadRefusedError } from "~/components/media/upload";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import type { TTemplateShape } from "~/server/cloud/templates";
import type { TInboxTemplate } from "./inbox-labels";

type TValues = { header: string[]; body: string[]; buttons: Record<string, string> };

const EMPTY: TValues = { header: [], body: [], buttons: {} };

/** `{{n}}` filled with the n-th value (1-based) for the preview; an empty value leaves `{{n}}`. */
export function fillPreview(text: string, values: readonly string[]): string {
  return text.replace(/\{\{\s*(\d{1,2})\s*\}\}/g, (whole, n: string) => values[Number(n) - 1]?.trim() || whole);
}

/** The kind a file header is uploaded as (null: the header is not a file). */
export function headerFileKind(shape: TTemplateShape): "image" | "video" | "document" | null {
  const format = shape.header?.format;
  return format === "IMAGE" ? "image" : format === "VIDEO" ? "video" : format === "DOCUMENT" ? "document" : null;
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index);

/**
 * Choosing and sending one of the number's approved templates: pick it (name · language ·
 * category), fill its variables (header, body, a URL button's end, a copy-code button's code) and,
 * for a file header, choose the file; a live preview shows what the contact will read. Send
 * uploads the file, then queues the template (`inbox.sendTemplate`); the server's refusal
 * (an unapproved template, a missing variable) is shown as it says it.
 */
export function TemplatePicker({
  threadId,
  onSent,
  onCancel,
}: {
  threadId: string;
  onSent: () => void;
  /** Back to the text reply (inside the window); absent when templates are the only way. */
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("inbox.templates");
  const id = useId();
  const templates = useQuery(trpc.inbox.templates.queryOptions({ threadId }));
  const send = useMutation(trpc.inbox.sendTemplate.mutationOptions());
  const [key, setKey] = useState("");
  const [values, setValues] = useState<TValues>(EMPTY);
  const [file, setFile] = useState<File | null>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen: TInboxTemplate | undefined = templates.data?.find(
    (template) => `${template.name}|${template.language}` === key,
  );
  const shape = chosen?.shape;
  const fileKind = shape ? headerFileKind(shape) : null;
  const busy = uploading || send.isPending;

  const choose = (next: string) => {
    setKey(next);
    setValues(EMPTY);
    setFile(null);
    setError(null);
  };
  const setValue = (part: "header" | "body", index: number, value: string) =>
    setValues((previous) => {
      const list = [...previous[part]];
      list[index] = value;
      return { ...previous, [part]: list };
    });
  const setButton = (index: number, value: string) =>
    setValues((previous) => ({ ...previous, buttons: { ...previous.buttons, [String(index)]: value } }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!chosen || busy) return;
    setError(null);
    try {
      let headerAttachment: { sha256: string; fileName?: string } | undefined;
      if (fileKind) {
        if (!file) {
          setError(t("chooseFile"));
          return;
        }
        setUploading(true);
        try {
          const uploaded = await uploadMedia(file, fileKind);
          headerAttachment = { sha256: uploaded.sha256, ...(file.name ? { fileName: file.name } : {}) };
        } finally {
          setUploading(false);
        }
      }
      await send.mutateAsync({
        threadId,
        name: chosen.name,
        language: chosen.language,
        values,
        ...(headerAttachment ? { headerAttachment } : {}),
      });
      choose("");
      onSent();
    } catch (caught) {
      if (caught instanceof UploadRefusedError) setError(caught.message || t("uploadFailed"));
      else if (caught instanceof UploadFailedError) setError(t("uploadFailed"));
      else setError(describeError(caught).message);
    }
  };

  if (templates.isPending) return <p className="text-sm text-muted-foreground">{t("loading")}</p>;
  if (templates.isError) return <Alert tone="error">{describeError(templates.error).message}</Alert>;
  if (templates.data.length === 0) return <Alert tone="warning">{t("none")}</Alert>;

  return (
    <form
      className="min-w-0 space-y-3"
      onSubmit={(event) => void submit(event)}
      aria-label={t("form")}
      data-testid="template-picker"
    >
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-template`} className="text-sm font-medium">
          {t("choose")}
        </label>
        <Select
          id={`${id}-template`}
          value={key}
          onChange={(event) => choose(event.target.value)}
          className="w-full min-w-0"
          data-testid="template-choice"
        >
          <option value="">{t("choosePlaceholder")}</option>
          {templates.data.map((template) => (
            <option key={template.id} value={`${template.name}|${template.language}`}>
              {t("option", { name: template.name, language: template.language, category: template.category || "-" })}
            </option>
          ))}
        </Select>
      </div>
      {chosen && shape ? (
        <div className="grid min-w-0 gap-3 md:grid-cols-2">
          <fieldset className="min-w-0 space-y-2">
            <legend className="text-sm font-medium">{t("variables")}</legend>
            {shape.header?.format === "TEXT"
              ? range(shape.header.variables).map((index) => (
                  <VariableField
                    key={`h${index}`}
                    id={`${id}-h${index}`}
                    label={t("headerVariable", { n: index + 1 })}
                    value={values.header[index] ?? ""}
                    onChange={(value) => setValue("header", index, value)}
                  />
                ))
              : null}
            {fileKind ? (
              <div className="flex flex-col gap-1.5">
                <label htmlFor={`${id}-file`} className="text-sm font-medium">
                  {t(`headerFile.${fileKind}`)}
                </label>
                <input
                  id={`${id}-file`}
                  type="file"
                  accept={fileKind === "image" ? "image/*" : fileKind === "video" ? "video/*" : undefined}
                  className="block w-full min-w-0 text-sm file:mr-2 file:rounded-md file:border file:border-border file:bg-card file:px-2 file:py-1"
                  onChange={(event) => setFile(event.target.files?.[0] ?? null)}
                  data-testid="template-header-file"
                />
              </div>
            ) : null}
            {range(shape.body.variables).map((index) => (
              <VariableField
                key={`b${index}`}
                id={`${id}-b${index}`}
                label={t("bodyVariable", { n: index + 1 })}
                value={values.body[index] ?? ""}
                onChange={(value) => setValue("body", index, value)}
              />
            ))}
            {shape.buttons
              .filter((button) => button.variables > 0)
              .map((button) => (
                <VariableField
                  key={`k${button.index}`}
                  id={`${id}-k${button.index}`}
                  label={
                    button.type === "URL"
                      ? t("urlButton", { text: button.text })
                      : t("codeButton", { text: button.text })
                  }
                  hint={button.url}
                  value={values.buttons[String(button.index)] ?? ""}
                  onChange={(value) => setButton(button.index, value)}
                />
              ))}
            {shape.header?.variables ||
            shape.body.variables ||
            fileKind ||
            shape.buttons.some((b) => b.variables > 0) ? null : (
              <p className="text-sm text-muted-foreground">{t("noVariables")}</p>
            )}
          </fieldset>
          <TemplatePreview shape={shape} values={values} fileName={file?.name ?? null} fileKind={fileKind} />
        </div>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="sticky bottom-0 flex flex-wrap items-center justify-end gap-2 border-t border-border bg-card py-2">
        {onCancel ? (
          <Button variant="ghost" size="sm" onClick={onCancel} disabled={busy}>
            {t("cancel")}
          </Button>
        ) : null}
        <Button type="submit" disabled={!chosen || busy} data-testid="template-send">
          {uploading ? t("uploading") : send.isPending ? t("sending") : t("send")}
        </Button>
      </div>
    </form>
  );
}

function VariableField({
  id,
  label,
  hint,
  value,
  onChange,
}: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-sm">
        {label}
      </label>
      <Input
        id={id}
        value={value}
        maxLength={1024}
        onChange={(event) => onChange(event.target.value)}
        className="w-full min-w-0"
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs break-all text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** What the contact will read, filled in as the fields are typed ({{n}} where a value is missing). */
function TemplatePreview({
  shape,
  values,
  fileName,
  fileKind,
}: {
  shape: TTemplateShape;
  values: TValues;
  fileName: string | null;
  fileKind: "image" | "video" | "document" | null;
}) {
  const t = useTranslations("inbox.templates");
  const titleId = useId();
  return (
    <section className="min-w-0" aria-labelledby={titleId}>
      <h3 id={titleId} className="text-sm font-medium">
        {t("preview")}
      </h3>
      <div
        className="mt-1 space-y-1 rounded-lg border border-border bg-card p-3 text-sm [overflow-wrap:anywhere]"
        data-testid="template-preview"
        aria-live="polite"
      >
        {shape.header?.format === "TEXT" ? (
          <p className="font-semibold">{fillPreview(shape.header.text, values.header)}</p>
        ) : fileKind ? (
          <p className="text-xs text-muted-foreground">
            {t(`headerFile.${fileKind}`)}
            {fileName ? `: ${fileName}` : ""}
          </p>
        ) : null}
        <p className="whitespace-pre-wrap">{fillPreview(shape.body.text, values.body)}</p>
        {shape.footer ? <p className="text-xs text-muted-foreground">{shape.footer}</p> : null}
        {shape.buttons.length > 0 ? (
          <ul className="flex flex-wrap gap-1 pt-1">
            {shape.buttons.map((button) => (
              <li
                key={button.index}
                className="rounded-md border border-border px-2 py-0.5 text-xs text-primary"
                title={button.url ? fillPreview(button.url, [values.buttons[String(button.index)] ?? ""]) : undefined}
              >
                {button.text}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
