"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";

/**
 * Settings → Secrets: named values (API tokens of the business's own systems) that flows' HTTP
 * steps use as `{{secrets.NAME}}`. Write-only: a value is never shown again, only replaced.
 */
export function SecretsSettings({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("settings.secrets");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.settings.secrets.queryOptions());
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.secrets.queryKey() }) };
  const set = useMutation(trpc.settings.setSecret.mutationOptions(refresh));
  const remove = useMutation(trpc.settings.deleteSecret.mutationOptions(refresh));
  const [name, setName] = useState("");
  const error = set.error ? describeError(set.error) : null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    set.mutate(
      { name: formText(data, "name"), value: formText(data, "value") },
      {
        onSuccess: () => {
          form.reset();
          setName("");
        },
      },
    );
  };

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4">
        {list.error ? <Alert tone="error">{describeError(list.error).message}</Alert> : null}
        {list.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
        <ul className="grid gap-2" aria-label={t("title")}>
          {(list.data ?? []).map((secret) => (
            <li
              key={secret.name}
              className="flex flex-wrap items-center gap-2 rounded-md border border-border p-3 text-sm"
            >
              <code className="font-medium">{secret.name}</code>
              <span className="text-xs text-muted-foreground">
                {t("updated", {
                  date: format.dateTime(new Date(secret.updatedAt), "short"),
                  by: secret.createdBy?.name ?? t("unknownUser"),
                })}
              </span>
              {canWrite ? (
                <span className="ml-auto flex gap-1">
                  <Button size="sm" variant="secondary" onClick={() => setName(secret.name)}>
                    {t("replace")}
                  </Button>
                  <Button
                    size="sm"
                    variant="destructive"
                    disabled={remove.isPending}
                    onClick={() => {
                      if (window.confirm(t("confirmDelete", { name: secret.name })))
                        remove.mutate({ name: secret.name });
                    }}
                  >
                    {t("delete")}
                  </Button>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
        {remove.error ? <Alert tone="error">{describeError(remove.error).message}</Alert> : null}
        {canWrite ? (
          <form
            className="grid gap-3 border-t border-border pt-4 md:grid-cols-2"
            onSubmit={submit}
            aria-label={t("add")}
            autoComplete="off"
          >
            <Field label={t("name")} htmlFor="secret-name" error={error?.fieldErrors.name} hint={t("nameHint")}>
              <Input
                id="secret-name"
                name="name"
                required
                maxLength={64}
                value={name}
                onChange={(event) => setName(event.target.value.toUpperCase())}
              />
            </Field>
            <Field label={t("value")} htmlFor="secret-value" error={error?.fieldErrors.value} hint={t("valueHint")}>
              <Input
                id="secret-value"
                name="value"
                type="password"
                required
                maxLength={8192}
                autoComplete="new-password"
              />
            </Field>
            {error && Object.keys(error.fieldErrors).length === 0 ? (
              <Alert tone="error" className="md:col-span-2">
                {error.message}
              </Alert>
            ) : null}
            {set.isSuccess ? (
              <Alert tone="success" className="md:col-span-2">
                {t("saved")}
              </Alert>
            ) : null}
            <div className="md:col-span-2">
              <Button type="submit" disabled={set.isPending}>
                {list.data?.some((secret) => secret.name === name) ? t("replace") : t("add")}
              </Button>
            </div>
          </form>
        ) : null}
      </CardBody>
    </Card>
  );
}
