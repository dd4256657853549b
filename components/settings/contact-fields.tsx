"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { CONTACT_FIELD_TYPES, type TContactFieldType } from "~/db/schema/flows";

/** "Gold, Silver" → ["Gold", "Silver"]. */
const splitOptions = (text: string) =>
  text
    .split(",")
    .map((option) => option.trim())
    .filter(Boolean);

type TField = { id: string; key: string; label: string; type: TContactFieldType; options: string[] };

/**
 * Settings → Contact fields: typed custom fields of contacts (text, number, date, choice, yes/no)
 * that flows write and rules, filters, the contact page, CSV and the API read. Admins add, edit,
 * reorder and delete them; a key never changes once created.
 */
export function ContactFieldsSettings({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("settings.contactFields");
  const queryClient = useQueryClient();
  const list = useQuery(trpc.contactFields.list.queryOptions());
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.contactFields.pathKey() }) };
  const create = useMutation(trpc.contactFields.create.mutationOptions(refresh));
  const reorder = useMutation(trpc.contactFields.reorder.mutationOptions(refresh));
  const remove = useMutation(trpc.contactFields.delete.mutationOptions(refresh));
  const [type, setType] = useState<TContactFieldType>("text");
  const [editing, setEditing] = useState<string | null>(null);
  const fields = list.data ?? [];
  const createError = create.error ? describeError(create.error) : null;
  const otherError = reorder.error ?? remove.error;

  const add = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    create.mutate(
      {
        key: formText(data, "key"),
        label: formText(data, "label"),
        type,
        options: type === "choice" ? splitOptions(formText(data, "options")) : [],
      },
      {
        onSuccess: () => {
          form.reset();
          setType("text");
        },
      },
    );
  };
  const move = (index: number, by: -1 | 1) => {
    const ids = fields.map((field) => field.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    reorder.mutate({ ids });
  };

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4">
        {list.error ? <Alert tone="error">{describeError(list.error).message}</Alert> : null}
        {fields.length === 0 && list.data ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
        <ul className="grid gap-2" aria-label={t("title")}>
          {fields.map((field, index) => (
            <li key={field.id} className="rounded-md border border-border p-3">
              {editing === field.id ? (
                <EditField field={field} onDone={() => setEditing(null)} />
              ) : (
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-medium">{field.label}</span>
                  <code className="text-xs text-muted-foreground">field.{field.key}</code>
                  <Badge>{t(`types.${field.type}`)}</Badge>
                  {field.type === "choice" ? (
                    <span className="text-xs text-muted-foreground">{field.options.join(", ")}</span>
                  ) : null}
                  {canWrite ? (
                    <span className="ml-auto flex gap-1">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={t("moveUp", { label: field.label })}
                        disabled={index === 0 || reorder.isPending}
                        onClick={() => move(index, -1)}
                      >
                        ↑
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-label={t("moveDown", { label: field.label })}
                        disabled={index === fields.length - 1 || reorder.isPending}
                        onClick={() => move(index, 1)}
                      >
                        ↓
                      </Button>
                      <Button size="sm" variant="secondary" onClick={() => setEditing(field.id)}>
                        {t("edit")}
                      </Button>
                      <Button
                        size="sm"
                        variant="destructive"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(t("confirmDelete", { label: field.label })))
                            remove.mutate({ id: field.id });
                        }}
                      >
                        {t("delete")}
                      </Button>
                    </span>
                  ) : null}
                </div>
              )}
            </li>
          ))}
        </ul>
        {otherError ? <Alert tone="error">{describeError(otherError).message}</Alert> : null}
        {canWrite ? (
          <form className="grid gap-3 border-t border-border pt-4 md:grid-cols-2" onSubmit={add} aria-label={t("add")}>
            <Field label={t("label")} htmlFor="cf-new-label" error={createError?.fieldErrors.label}>
              <Input id="cf-new-label" name="label" required maxLength={80} />
            </Field>
            <Field label={t("key")} htmlFor="cf-new-key" error={createError?.fieldErrors.key} hint={t("keyHint")}>
              <Input id="cf-new-key" name="key" required maxLength={40} pattern="[a-z][a-z0-9_]*" />
            </Field>
            <Field label={t("type")} htmlFor="cf-new-type" error={createError?.fieldErrors.type}>
              <Select
                id="cf-new-type"
                name="type"
                value={type}
                onChange={(event) => setType(event.target.value as TContactFieldType)}
              >
                {CONTACT_FIELD_TYPES.map((candidate) => (
                  <option key={candidate} value={candidate}>
                    {t(`types.${candidate}`)}
                  </option>
                ))}
              </Select>
            </Field>
            {type === "choice" ? (
              <Field
                label={t("options")}
                htmlFor="cf-new-options"
                error={createError?.fieldErrors.options}
                hint={t("optionsHint")}
              >
                <Input id="cf-new-options" name="options" />
              </Field>
            ) : null}
            {createError && Object.keys(createError.fieldErrors).length === 0 ? (
              <Alert tone="error" className="md:col-span-2">
                {createError.message}
              </Alert>
            ) : null}
            <div className="md:col-span-2">
              <Button type="submit" disabled={create.isPending}>
                {t("add")}
              </Button>
            </div>
          </form>
        ) : null}
      </CardBody>
    </Card>
  );
}

/** A field's label and (of a choice) options, edited in place; the key and type stay. */
function EditField({ field, onDone }: { field: TField; onDone: () => void }) {
  const trpc = useTRPC();
  const t = useTranslations("settings.contactFields");
  const tCommon = useTranslations("common");
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.contactFields.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.contactFields.pathKey() });
        onDone();
      },
    }),
  );
  const error = update.error ? describeError(update.error) : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    update.mutate({
      id: field.id,
      label: formText(data, "label"),
      options: field.type === "choice" ? splitOptions(formText(data, "options")) : [],
    });
  };
  return (
    <form className="grid gap-3 md:grid-cols-2" onSubmit={submit}>
      <Field label={t("label")} htmlFor={`cf-${field.id}-label`} error={error?.fieldErrors.label}>
        <Input id={`cf-${field.id}-label`} name="label" defaultValue={field.label} required maxLength={80} />
      </Field>
      {field.type === "choice" ? (
        <Field
          label={t("options")}
          htmlFor={`cf-${field.id}-options`}
          error={error?.fieldErrors.options}
          hint={t("optionsKeep")}
        >
          <Input id={`cf-${field.id}-options`} name="options" defaultValue={field.options.join(", ")} />
        </Field>
      ) : null}
      {error && Object.keys(error.fieldErrors).length === 0 ? (
        <Alert tone="error" className="md:col-span-2">
          {error.message}
        </Alert>
      ) : null}
      <div className="flex gap-2 md:col-span-2">
        <Button type="submit" size="sm" disabled={update.isPending}>
          {tCommon("save")}
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          {tCommon("cancel")}
        </Button>
      </div>
    </form>
  );
}
