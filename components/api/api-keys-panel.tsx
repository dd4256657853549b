"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { CopyButton, OneTimeSecret } from "./one-time-secret";

type TScope = "read" | "write";

const SCOPES: readonly TScope[] = ["read", "write"];

/** The curl line that tries a new key against this Switchboard. */
function curlExample(key: string): string {
  return `curl -H "Authorization: Bearer ${key}" ${window.location.origin}/api/v1/contacts`;
}

/** A new key, shown once, with a curl line to try it. */
function CreatedKey({ created, onDone }: { created: { name: string; key: string }; onDone: () => void }) {
  const t = useTranslations("api.keys");
  const curl = curlExample(created.key);
  return (
    <OneTimeSecret
      title={t("createdTitle", { name: created.name })}
      label={t("keyLabel")}
      keptAs={t("keptAs")}
      secret={created.key}
      onDone={onDone}
    >
      <p>{t("tryIt")}</p>
      <div className="flex flex-wrap items-start gap-2">
        <pre
          className="min-w-0 flex-1 whitespace-pre-wrap break-all rounded bg-card p-2 text-xs"
          data-testid="curl-example"
        >
          {curl}
        </pre>
        <CopyButton text={curl} label={t("copyCurl")} />
      </div>
    </OneTimeSecret>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: { name: string; key: string }) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("api.keys");
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        onCreated(result);
      },
    }),
  );
  const error = create.error ? describeError(create.error) : null;
  const placedErrors = [error?.fieldErrors.name, error?.fieldErrors.scopes].filter(Boolean).length;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    create.mutate(
      {
        name: formText(form, "name"),
        scopes: SCOPES.filter((scope) => form.get(`scope-${scope}`) === "on"),
      },
      { onSuccess: () => formElement.reset() },
    );
  }
  return (
    <form noValidate onSubmit={submit} aria-label={t("formLabel")} className="grid gap-4 md:grid-cols-[1fr_auto]">
      <Field label={t("name")} htmlFor="api-key-name" error={error?.fieldErrors.name} hint={t("nameHint")}>
        <Input id="api-key-name" name="name" maxLength={80} aria-invalid={error?.fieldErrors.name ? true : undefined} />
      </Field>
      <fieldset className="min-w-0 text-sm">
        <legend className="mb-1.5 font-medium">{t("scopes")}</legend>
        <div className="flex flex-col gap-1">
          {SCOPES.map((scope) => (
            <label key={scope} className="flex items-baseline gap-2">
              <input type="checkbox" name={`scope-${scope}`} defaultChecked={scope === "read"} />
              <code translate="no">{scope}</code>
              <span className="text-muted-foreground">— {t(`scope.${scope}`)}</span>
            </label>
          ))}
        </div>
        {error?.fieldErrors.scopes ? (
          <p role="alert" className="mt-1 text-xs text-destructive">
            {error.fieldErrors.scopes}
          </p>
        ) : null}
      </fieldset>
      <div className="flex flex-col gap-2 md:col-span-2">
        {error ? (
          <Alert tone="error">{placedErrors > 0 ? t("notCreated", { count: placedErrors }) : error.message}</Alert>
        ) : null}
        <Button type="submit" disabled={create.isPending} className="self-start">
          {create.isPending ? t("creating") : t("create")}
        </Button>
      </div>
    </form>
  );
}

/**
 * The REST API's keys: create one (name and scopes; the key is shown once, with a curl line),
 * see when each was last used, revoke one. `canWrite` false (managers): the list only.
 */
export function ApiKeysPanel({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("api.keys");
  const tc = useTranslations("common");
  const format = useFormatter();
  const formatTime = (value: Date | null) => (value ? format.dateTime(value, "short") : tc("never"));
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() }),
    }),
  );
  return (
    <div className="flex flex-col gap-4">
      {created ? <CreatedKey created={created} onDone={() => setCreated(null)} /> : null}
      {canWrite ? (
        <Card>
          <CardHeader title={t("createTitle")} description={t("createDescription")} />
          <CardBody>
            <CreateKeyForm onCreated={setCreated} />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader title={t("listTitle")} />
        <CardBody>
          {keys.error ? <Alert tone="error">{describeError(keys.error).message}</Alert> : null}
          {revoke.error ? <Alert tone="error">{describeError(revoke.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>{t("name")}</Th>
                <Th>{t("key")}</Th>
                <Th>{t("scopes")}</Th>
                <Th>{t("created")}</Th>
                <Th>{t("lastUsed")}</Th>
                <Th>{t("status")}</Th>
                {canWrite ? (
                  <Th>
                    <span className="sr-only">{t("actions")}</span>
                  </Th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {keys.data?.map((key) => (
                <tr key={key.id} data-testid="api-key-row">
                  <Td className="font-medium">{key.name}</Td>
                  <Td className="whitespace-nowrap font-mono text-xs">sb_{key.prefix}_…</Td>
                  <Td>
                    <span className="flex gap-1">
                      {key.scopes.map((scope) => (
                        <Badge key={scope} tone={scope === "write" ? "warning" : "neutral"}>
                          <code translate="no">{scope}</code>
                        </Badge>
                      ))}
                    </span>
                  </Td>
                  <Td className="whitespace-nowrap">{formatTime(key.createdAt)}</Td>
                  <Td className="whitespace-nowrap">{formatTime(key.lastUsedAt)}</Td>
                  <Td>
                    {key.revokedAt ? (
                      <Badge tone="danger" title={t("revokedAt", { when: format.dateTime(key.revokedAt, "short") })}>
                        {t("revoked", { date: format.dateTime(key.revokedAt, "date") })}
                      </Badge>
                    ) : (
                      <Badge tone="success">{t("active")}</Badge>
                    )}
                  </Td>
                  {canWrite ? (
                    <Td className="text-right">
                      {key.revokedAt ? null : (
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-destructive"
                          disabled={revoke.isPending}
                          onClick={() => {
                            if (window.confirm(t("confirmRevoke", { name: key.name }))) revoke.mutate({ id: key.id });
                          }}
                        >
                          {t("revoke")}
                          <span className="sr-only"> {key.name}</span>
                        </Button>
                      )}
                    </Td>
                  ) : null}
                </tr>
              ))}
              {keys.data?.length === 0 ? <EmptyRow colSpan={canWrite ? 7 : 6}>{t("none")}</EmptyRow> : null}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
