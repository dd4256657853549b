"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { UploadFailedError, UploadRefusedError, uploadMedia } from "~/components/media/upload";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { TEXTAREA } from "./styles";

const KINDS = ["text", "file", "qa", "url"] as const;
type TKind = (typeof KINDS)[number];
/** The knowledge base's file limit (KNOWLEDGE_LIMITS.fileBytes). */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** How often a web page may be fetched again ("" = once). */
const REFRESH_CHOICES = ["", "1", "6", "24", "168"] as const;

/**
 * Adding a source to a collection: pasted text, a file (uploaded to the media store first, then
 * attached by its SHA-256), a CSV of questions and answers, or a web page with how often to
 * fetch it again. The kind is a group of radio buttons (arrow keys move between them).
 */
export function AddSourceForm({ collectionId }: { collectionId: string }) {
  const t = useTranslations("domain.knowledgeUi.ui.add");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [kind, setKind] = useState<TKind>("file");
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [uploading, setUploading] = useState<number | null>(null);
  const [added, setAdded] = useState(false);

  const done = async () => {
    setAdded(true);
    await queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
  };
  const failed = (failure: unknown) => {
    const described = describeError(failure);
    setError({ message: described.message, fields: described.fieldErrors });
  };
  const options = { onSuccess: done, onError: failed };
  const addText = useMutation(trpc.knowledge.addText.mutationOptions(options));
  const addFile = useMutation(trpc.knowledge.addFile.mutationOptions(options));
  const addUrl = useMutation(trpc.knowledge.addUrl.mutationOptions(options));
  const busy = addText.isPending || addFile.isPending || addUrl.isPending || uploading !== null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const reset = { onSuccess: () => element.reset() };
    setError(null);
    setAdded(false);
    const title = formText(form, "title").trim();
    if (kind === "text") {
      addText.mutate({ collectionId, title, text: formText(form, "text") }, reset);
      return;
    }
    if (kind === "url") {
      const refresh = formText(form, "refresh");
      addUrl.mutate(
        {
          collectionId,
          url: formText(form, "url").trim(),
          title,
          refreshHours: refresh ? Number(refresh) : null,
        },
        reset,
      );
      return;
    }
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) {
      setError({ message: t("chooseFile"), fields: {} });
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      // Refused before uploading (the server refuses it too, in the same words).
      setError({ message: t("tooLarge"), fields: {} });
      return;
    }
    try {
      setUploading(0);
      const uploaded = await uploadMedia(file, "document", { onProgress: setUploading });
      addFile.mutate({ collectionId, sha256: uploaded.sha256, fileName: file.name, title, asQa: kind === "qa" }, reset);
    } catch (failure) {
      if (failure instanceof UploadRefusedError) setError({ message: failure.message, fields: {} });
      else if (failure instanceof UploadFailedError) setError({ message: t("uploadFailed"), fields: {} });
      else failed(failure);
    } finally {
      setUploading(null);
    }
  };

  const fieldError = (name: string) => error?.fields[name];
  return (
    <Card>
      <CardHeader title={t("heading")} />
      <CardBody>
        <form onSubmit={(event) => void submit(event)} className="flex flex-col gap-4">
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">{t("kindLegend")}</legend>
            <div className="flex flex-wrap gap-2">
              {KINDS.map((option) => (
                <label
                  key={option}
                  className="flex cursor-pointer items-center gap-2 rounded-md border border-border px-3 py-2 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/10 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-primary"
                >
                  <input
                    type="radio"
                    name="kind"
                    value={option}
                    checked={kind === option}
                    onChange={() => {
                      setKind(option);
                      setError(null);
                      setAdded(false);
                    }}
                    className="accent-[var(--primary)]"
                  />
                  {t(`kinds.${option}`)}
                </label>
              ))}
            </div>
          </fieldset>

          {kind === "url" ? (
            <div className="grid gap-3 md:grid-cols-[minmax(0,1fr)_12rem]">
              <Field label={t("url")} htmlFor={`${id}-url`} hint={t("urlHint")} error={fieldError("url")}>
                <Input
                  id={`${id}-url`}
                  name="url"
                  type="url"
                  required
                  inputMode="url"
                  placeholder="https://"
                  maxLength={2_000}
                />
              </Field>
              <Field label={t("refresh")} htmlFor={`${id}-refresh`}>
                <Select id={`${id}-refresh`} name="refresh" defaultValue="">
                  {REFRESH_CHOICES.map((choice) => (
                    <option key={choice} value={choice}>
                      {choice === "" ? t("refreshOnce") : t("refreshEvery", { hours: Number(choice) })}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
          ) : null}

          {kind === "file" || kind === "qa" ? (
            <Field label={t("file")} htmlFor={`${id}-file`} hint={kind === "qa" ? t("qaHint") : t("fileHint")}>
              <Input
                id={`${id}-file`}
                name="file"
                type="file"
                required
                accept={
                  kind === "qa"
                    ? ".csv,.tsv,text/csv"
                    : ".pdf,.md,.markdown,.txt,application/pdf,text/markdown,text/plain"
                }
                className="h-auto py-1.5"
              />
            </Field>
          ) : null}

          <Field
            label={kind === "text" ? t("title") : t("titleOptional")}
            htmlFor={`${id}-title`}
            error={fieldError("title")}
          >
            <Input id={`${id}-title`} name="title" maxLength={200} required={kind === "text"} />
          </Field>

          {kind === "text" ? (
            <Field label={t("text")} htmlFor={`${id}-text`} hint={t("textHint")} error={fieldError("text")}>
              <textarea id={`${id}-text`} name="text" required maxLength={200_000} className={TEXTAREA} />
            </Field>
          ) : null}

          {error && Object.keys(error.fields).length === 0 ? <Alert tone="error">{error.message}</Alert> : null}
          {added ? <Alert tone="success">{t("added")}</Alert> : null}
          {uploading !== null ? (
            <p className="text-sm text-muted-foreground" role="status">
              {t("uploading", { percent: format.number(uploading, { style: "percent" }) })}
            </p>
          ) : null}
          <div>
            <Button type="submit" disabled={busy}>
              {t("submit")}
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
