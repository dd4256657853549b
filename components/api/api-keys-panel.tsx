"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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

const SCOPES: readonly { scope: TScope; label: string; hint: string }[] = [
  { scope: "read", label: "read", hint: "list and read contacts, threads and messages" },
  { scope: "write", label: "write", hint: "send messages, change contacts, hand off and release threads" },
];

function formatTime(value: Date | null): string {
  return value ? value.toLocaleString() : "never";
}

/** The curl line that tries a new key against this Switchboard. */
function curlExample(key: string): string {
  return `curl -H "Authorization: Bearer ${key}" ${window.location.origin}/api/v1/contacts`;
}

/** A new key, shown once, with a curl line to try it. */
function CreatedKey({ created, onDone }: { created: { name: string; key: string }; onDone: () => void }) {
  const curl = curlExample(created.key);
  return (
    <OneTimeSecret
      title={`API key “${created.name}” created`}
      label="API key"
      keptAs="a hash of it"
      secret={created.key}
      onDone={onDone}
    >
      <p>Try it:</p>
      <div className="flex items-start gap-2">
        <pre className="flex-1 overflow-x-auto rounded bg-card p-2 text-xs" data-testid="curl-example">
          {curl}
        </pre>
        <CopyButton text={curl} label="Copy curl command" />
      </div>
    </OneTimeSecret>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: { name: string; key: string }) => void }) {
  const trpc = useTRPC();
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
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    create.mutate(
      {
        name: formText(form, "name"),
        scopes: SCOPES.map(({ scope }) => scope).filter((scope) => form.get(`scope-${scope}`) === "on"),
      },
      { onSuccess: () => formElement.reset() },
    );
  }
  return (
    <form noValidate onSubmit={submit} aria-label="Create an API key" className="grid gap-4 md:grid-cols-[1fr_auto]">
      <Field
        label="Name"
        htmlFor="api-key-name"
        error={error?.fieldErrors.name}
        hint="What uses it: “CRM sync”, “billing alerts”…"
      >
        <Input id="api-key-name" name="name" maxLength={80} aria-invalid={error?.fieldErrors.name ? true : undefined} />
      </Field>
      <fieldset className="text-sm">
        <legend className="mb-1.5 font-medium">Scopes</legend>
        <div className="flex flex-col gap-1">
          {SCOPES.map(({ scope, label, hint }) => (
            <label key={scope} className="flex items-center gap-2">
              <input type="checkbox" name={`scope-${scope}`} defaultChecked={scope === "read"} />
              <span className="font-mono">{label}</span>
              <span className="text-muted-foreground">— {hint}</span>
            </label>
          ))}
        </div>
        {error?.fieldErrors.scopes ? (
          <p role="alert" className="mt-1 text-xs text-destructive">
            {error.fieldErrors.scopes}
          </p>
        ) : null}
      </fieldset>
      {error && !error.fieldErrors.name && !error.fieldErrors.scopes ? (
        <Alert tone="error" className="md:col-span-2">
          {error.message}
        </Alert>
      ) : null}
      <div className="md:col-span-2">
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
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
          <CardHeader
            title="Create an API key"
            description="Programs use a key as “Authorization: Bearer sb_…”. Give each program its own key, with only the scopes it needs."
          />
          <CardBody>
            <CreateKeyForm onCreated={setCreated} />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader title="API keys" />
        <CardBody>
          {keys.error ? <Alert tone="error">{describeError(keys.error).message}</Alert> : null}
          {revoke.error ? <Alert tone="error">{describeError(revoke.error).message}</Alert> : null}
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Key</Th>
                <Th>Scopes</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Status</Th>
                {canWrite ? (
                  <Th>
                    <span className="sr-only">Actions</span>
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
                          {scope}
                        </Badge>
                      ))}
                    </span>
                  </Td>
                  <Td className="whitespace-nowrap">{formatTime(key.createdAt)}</Td>
                  <Td className="whitespace-nowrap">{formatTime(key.lastUsedAt)}</Td>
                  <Td>
                    {key.revokedAt ? (
                      <Badge tone="danger" title={`Revoked ${key.revokedAt.toLocaleString()}`}>
                        revoked {key.revokedAt.toLocaleDateString()}
                      </Badge>
                    ) : (
                      <Badge tone="success">active</Badge>
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
                            if (
                              window.confirm(
                                `Revoke the key “${key.name}”? Programs using it get 401 from now on. This cannot be undone.`,
                              )
                            )
                              revoke.mutate({ id: key.id });
                          }}
                        >
                          Revoke<span className="sr-only"> {key.name}</span>
                        </Button>
                      )}
                    </Td>
                  ) : null}
                </tr>
              ))}
              {keys.data?.length === 0 ? <EmptyRow colSpan={canWrite ? 7 : 6}>No API keys yet.</EmptyRow> : null}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
