"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import type { TContactFieldType } from "~/db/schema/flows";

type TDefinition = { key: string; label: string; type: TContactFieldType; options: string[] };
type TValue = string | number | boolean;

/** One field's typed input, named `field.<key>`; empty means "no value". */
function FieldInput({ field, value, invalid }: { field: TDefinition; value: TValue | undefined; invalid: boolean }) {
  const t = useTranslations("contacts.fields");
  const id = `cf-${field.key}`;
  const name = `field.${field.key}`;
  if (field.type === "boolean") {
    return (
      <Select id={id} name={name} defaultValue={value === undefined ? "" : String(value)} aria-invalid={invalid}>
        <option value="">{t("noValue")}</option>
        <option value="true">{t("yes")}</option>
        <option value="false">{t("no")}</option>
      </Select>
    );
  }
  if (field.type === "choice") {
    // A value stored under an option no longer offered is still shown, as it is.
    const options =
      value !== undefined && !field.options.includes(String(value)) ? [...field.options, String(value)] : field.options;
    return (
      <Select id={id} name={name} defaultValue={value === undefined ? "" : String(value)} aria-invalid={invalid}>
        <option value="">{t("noValue")}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </Select>
    );
  }
  return (
    <Input
      id={id}
      name={name}
      type={field.type === "date" ? "date" : "text"}
      inputMode={field.type === "number" ? "decimal" : undefined}
      defaultValue={value === undefined ? "" : String(value)}
      aria-invalid={invalid}
    />
  );
}

/**
 * A contact's custom fields (Settings → Contact fields), edited in place with an input fit for
 * each type; the server reads and checks every value (coerceFieldValue) and names a bad one.
 */
export function ContactFieldsCard({
  id,
  values,
  canWrite,
}: {
  id: string;
  values: Record<string, TValue>;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const t = useTranslations("contacts.fields");
  const tCommon = useTranslations("common");
  const queryClient = useQueryClient();
  const definitions = useQuery(trpc.contactFields.list.queryOptions());
  const save = useMutation(
    trpc.contacts.setFields.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() }),
    }),
  );
  if (!definitions.data || definitions.data.length === 0) return null;
  const error = save.error ? describeError(save.error) : null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      id,
      values: Object.fromEntries(
        (definitions.data ?? []).map((field) => {
          const text = formText(form, `field.${field.key}`);
          return [field.key, text === "" ? null : text];
        }),
      ),
    });
  };
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody>
        <form className="grid gap-3" onSubmit={submit} aria-label={t("title")}>
          <fieldset disabled={!canWrite} className="contents">
            {definitions.data.map((field) => (
              <Field
                key={field.key}
                label={field.label}
                htmlFor={`cf-${field.key}`}
                error={error?.fieldErrors[field.key]}
              >
                <FieldInput field={field} value={values[field.key]} invalid={Boolean(error?.fieldErrors[field.key])} />
              </Field>
            ))}
          </fieldset>
          {error && Object.keys(error.fieldErrors).length === 0 ? <Alert tone="error">{error.message}</Alert> : null}
          {save.isSuccess ? <Alert tone="success">{t("saved")}</Alert> : null}
          {canWrite ? (
            <div>
              <Button type="submit" disabled={save.isPending}>
                {tCommon("save")}
              </Button>
            </div>
          ) : null}
        </form>
      </CardBody>
    </Card>
  );
}
