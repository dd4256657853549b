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
import { Input, Select } from "~/components/ui/input";
import { TOOL_METHODS } from "~/db/schema/knowledge";
import type { TToolInput } from "~/server/ai/tools";
import { currentSchema, ParametersEditor, rowsOfSchema, schemaOfRows, type TParameterRow } from "./parameters-editor";

/** Examples of what the fields take: code, the same in every language (not interface text). */
const EXAMPLE = {
  headerName: "Authorization",
  headerValue: "Bearer {{secrets.SHOP_TOKEN}}",
  body: '{"order": "{{args.order}}"}',
};

type TTool = {
  id: string;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  method: (typeof TOOL_METHODS)[number];
  url: string;
  headers: { name: string; value: string }[];
  body: string;
  timeoutMs: number;
  enabled: boolean;
  profileIds: string[];
};

const TEXTAREA =
  "min-h-20 w-full rounded-md border border-border bg-card px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-primary";

/** Where the server reports a problem (`tool.headers.1.value`) → the form field that shows it. */
function fieldOf(path: string): string {
  const parts = path.replace(/^tool\./, "").split(".");
  return parts[0] ?? path;
}

/** The AI tools page: HTTP lookups the model may call, their test, and the profiles that may call each. */
export function ToolsWorkspace({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("domain.aiTools.ui");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const tools = useQuery(trpc.aiTools.list.queryOptions());
  const [editing, setEditing] = useState<TTool | "new" | null>(null);
  if (tools.error) return <Alert tone="error">{describeError(tools.error).message}</Alert>;
  return (
    <div className="flex flex-col gap-4">
      {editing ? (
        <Card>
          <CardHeader title={editing === "new" ? t("newTool") : t("editTool", { name: editing.name })} />
          <CardBody>
            <ToolForm
              key={editing === "new" ? "new" : editing.id}
              tool={editing === "new" ? null : editing}
              canWrite={canWrite}
              onDone={() => setEditing(null)}
            />
          </CardBody>
        </Card>
      ) : null}
      <Card>
        <CardHeader
          title={t("title")}
          description={t("description")}
          actions={
            canWrite ? (
              <Button size="sm" onClick={() => setEditing("new")}>
                {t("newTool")}
              </Button>
            ) : null
          }
        />
        <CardBody>
          {tools.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
          <ul className="flex flex-col gap-1" aria-label={t("title")}>
            {tools.data?.map((tool) => (
              <li
                key={tool.id}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-border px-3 py-2 text-sm"
              >
                <span className="min-w-0 font-mono font-medium break-all" translate="no">
                  {tool.name}
                </span>
                {tool.enabled ? null : <Badge tone="warning">{t("disabled")}</Badge>}
                <span className="min-w-0 flex-1 truncate text-muted-foreground">{tool.description}</span>
                <span className="text-xs text-muted-foreground">
                  {t("profileCount", { count: tool.profileIds.length })}
                </span>
                <Button size="sm" variant="secondary" onClick={() => setEditing(tool)}>
                  {canWrite ? tc("edit") : t("view")}
                </Button>
              </li>
            ))}
          </ul>
        </CardBody>
      </Card>
    </div>
  );
}

function ToolForm({ tool, canWrite, onDone }: { tool: TTool | null; canWrite: boolean; onDone: () => void }) {
  const t = useTranslations("domain.aiTools.ui");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const initialRows = rowsOfSchema(tool?.parameters ?? { type: "object", properties: {} });
  const [name, setName] = useState(tool?.name ?? "");
  const [description, setDescription] = useState(tool?.description ?? "");
  const [method, setMethod] = useState<TTool["method"]>(tool?.method ?? "GET");
  const [url, setUrl] = useState(tool?.url ?? "");
  const [headers, setHeaders] = useState(tool?.headers ?? []);
  const [body, setBody] = useState(tool?.body ?? "");
  const [timeoutMs, setTimeoutMs] = useState(String(tool?.timeoutMs ?? 5_000));
  const [enabled, setEnabled] = useState(tool?.enabled ?? true);
  const [rows, setRows] = useState<TParameterRow[]>(initialRows ?? []);
  const [raw, setRaw] = useState<string | null>(initialRows ? null : JSON.stringify(tool?.parameters ?? {}, null, 2));
  const [profileIds, setProfileIds] = useState<string[]>(tool?.profileIds ?? []);
  const [jsonProblem, setJsonProblem] = useState(false);

  const setProfiles = useMutation(trpc.aiTools.setProfiles.mutationOptions());
  const save = useMutation(
    trpc.aiTools.save.mutationOptions({
      onSuccess: async (saved) => {
        await setProfiles.mutateAsync({ toolId: saved.id, profileIds });
        await queryClient.invalidateQueries({ queryKey: trpc.aiTools.pathKey() });
        onDone();
      },
    }),
  );
  const draft = (): TToolInput | null => {
    const parameters = currentSchema(rows, raw);
    if (parameters === undefined || typeof parameters !== "object" || parameters === null) {
      setJsonProblem(true);
      return null;
    }
    setJsonProblem(false);
    return {
      name: name.trim(),
      description,
      parameters: parameters as Record<string, unknown>,
      method,
      url,
      headers: headers.filter((header) => header.name.trim() || header.value.trim()),
      body,
      timeoutMs: Number(timeoutMs),
      enabled,
    };
  };
  const error = save.error ? describeError(save.error) : setProfiles.error ? describeError(setProfiles.error) : null;
  const fieldErrors: Record<string, string> = {};
  for (const [path, message] of Object.entries(error?.fieldErrors ?? {})) fieldErrors[fieldOf(path)] ??= message;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = draft();
    if (input) save.mutate({ id: tool?.id ?? null, tool: input });
  };
  const parameterNames = Object.keys(
    ((raw === null ? schemaOfRows(rows) : currentSchema(rows, raw)) as { properties?: object } | undefined)
      ?.properties ?? {},
  );

  return (
    <div className="flex flex-col gap-6">
      <form className="grid gap-4 md:grid-cols-3" onSubmit={submit} aria-label={t("form.label")}>
        <fieldset disabled={!canWrite} className="contents">
          <Field label={t("form.name")} htmlFor="tool-name" hint={t("form.nameHint")} error={fieldErrors.name}>
            <Input
              id="tool-name"
              value={name}
              className="font-mono"
              autoComplete="off"
              onChange={(event) => setName(event.target.value)}
            />
          </Field>
          <Field
            label={t("form.description")}
            htmlFor="tool-description"
            hint={t("form.descriptionHint")}
            error={fieldErrors.description}
            className="md:col-span-2"
          >
            <Input id="tool-description" value={description} onChange={(event) => setDescription(event.target.value)} />
          </Field>
          <div className="md:col-span-3">
            <ParametersEditor
              rows={rows}
              onRows={setRows}
              raw={raw}
              onRaw={setRaw}
              disabled={!canWrite}
              error={jsonProblem ? t("form.parametersNotJson") : fieldErrors.parameters}
            />
          </div>
          <Field label={t("form.method")} htmlFor="tool-method">
            <Select
              id="tool-method"
              value={method}
              onChange={(event) => setMethod(event.target.value as TTool["method"])}
            >
              {TOOL_METHODS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label={t("form.url")}
            htmlFor="tool-url"
            hint={t("form.urlHint")}
            error={fieldErrors.url}
            className="md:col-span-2"
          >
            <Input
              id="tool-url"
              value={url}
              className="font-mono"
              placeholder="https://shop.example/orders/{{args.order}}"
              onChange={(event) => setUrl(event.target.value)}
            />
          </Field>
          <fieldset className="flex min-w-0 flex-col gap-2 md:col-span-3">
            <legend className="mb-1 text-sm font-medium">{t("form.headers")}</legend>
            <p className="text-xs text-muted-foreground">{t("form.headersHint")}</p>
            {headers.map((header, index) => (
              <div key={index} className="grid gap-2 sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)_auto]">
                <Input
                  aria-label={t("form.headerName", { number: index + 1 })}
                  value={header.name}
                  placeholder={EXAMPLE.headerName}
                  onChange={(event) =>
                    setHeaders(headers.map((h, i) => (i === index ? { ...h, name: event.target.value } : h)))
                  }
                />
                <Input
                  aria-label={t("form.headerValue", { number: index + 1 })}
                  value={header.value}
                  className="font-mono"
                  placeholder={EXAMPLE.headerValue}
                  onChange={(event) =>
                    setHeaders(headers.map((h, i) => (i === index ? { ...h, value: event.target.value } : h)))
                  }
                />
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={t("form.removeHeader", { number: index + 1 })}
                  onClick={() => setHeaders(headers.filter((_, i) => i !== index))}
                >
                  ✕
                </Button>
              </div>
            ))}
            {fieldErrors.headers ? (
              <p role="alert" className="text-xs text-destructive">
                {fieldErrors.headers}
              </p>
            ) : null}
            <div>
              <Button size="sm" variant="secondary" onClick={() => setHeaders([...headers, { name: "", value: "" }])}>
                {t("form.addHeader")}
              </Button>
            </div>
          </fieldset>
          {method === "GET" || method === "DELETE" ? null : (
            <Field label={t("form.body")} htmlFor="tool-body" error={fieldErrors.body} className="md:col-span-3">
              <textarea
                id="tool-body"
                className={`${TEXTAREA} font-mono`}
                value={body}
                placeholder={EXAMPLE.body}
                onChange={(event) => setBody(event.target.value)}
              />
            </Field>
          )}
          <Field
            label={t("form.timeout")}
            htmlFor="tool-timeout"
            hint={t("form.timeoutHint")}
            error={fieldErrors.timeoutMs}
          >
            <Input
              id="tool-timeout"
              type="number"
              inputMode="numeric"
              min={100}
              max={30_000}
              value={timeoutMs}
              onChange={(event) => setTimeoutMs(event.target.value)}
            />
          </Field>
          <label className="flex items-end gap-2 pb-2 text-sm">
            <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
            {t("form.enabled")}
          </label>
          <fieldset className="text-sm md:col-span-3">
            <legend className="mb-1 font-medium">{t("form.profiles")}</legend>
            <p className="mb-2 text-xs text-muted-foreground">{t("form.profilesHint")}</p>
            {profiles.data?.length === 0 ? <p className="text-muted-foreground">{t("form.noProfiles")}</p> : null}
            <div className="flex flex-wrap gap-4">
              {profiles.data?.map((profile) => (
                <label key={profile.id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    checked={profileIds.includes(profile.id)}
                    onChange={(event) =>
                      setProfileIds(
                        event.target.checked
                          ? [...profileIds, profile.id]
                          : profileIds.filter((id) => id !== profile.id),
                      )
                    }
                  />
                  <span translate="no">{profile.name}</span>
                </label>
              ))}
            </div>
          </fieldset>
        </fieldset>
        {error ? (
          <div className="md:col-span-3">
            <Alert tone="error">
              {Object.keys(error.fieldErrors).length > 0 ? t("form.fixFields") : error.message}
            </Alert>
          </div>
        ) : null}
        <div className="flex flex-wrap gap-2 md:col-span-3">
          {canWrite ? (
            <Button type="submit" disabled={save.isPending || setProfiles.isPending}>
              {save.isPending || setProfiles.isPending ? tc("saving") : t("form.save")}
            </Button>
          ) : null}
          {canWrite && tool ? <DeleteTool id={tool.id} name={tool.name} onDone={onDone} /> : null}
          <Button variant="ghost" onClick={onDone}>
            {tc("cancel")}
          </Button>
        </div>
      </form>
      {canWrite ? <ToolTest parameterNames={parameterNames} draft={draft} /> : null}
    </div>
  );
}

function DeleteTool({ id, name, onDone }: { id: string; name: string; onDone: () => void }) {
  const t = useTranslations("domain.aiTools.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const remove = useMutation(
    trpc.aiTools.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.aiTools.pathKey() });
        onDone();
      },
    }),
  );
  if (!asking) {
    return (
      <Button variant="secondary" onClick={() => setAsking(true)}>
        {t("delete.button")}
      </Button>
    );
  }
  return (
    <span className="flex flex-wrap items-center gap-2 text-sm" role="group" aria-label={t("delete.button")}>
      {t("delete.confirm", { name })}
      <Button variant="destructive" size="sm" onClick={() => remove.mutate({ id })} disabled={remove.isPending}>
        {t("delete.yes")}
      </Button>
      <Button variant="ghost" size="sm" onClick={() => setAsking(false)}>
        {t("delete.no")}
      </Button>
      {remove.error ? <Alert tone="error">{describeError(remove.error).message}</Alert> : null}
    </span>
  );
}

/** Runs the tool as edited with sample arguments and shows the request it made and the answer. */
function ToolTest({ parameterNames, draft }: { parameterNames: string[]; draft: () => TToolInput | null }) {
  const t = useTranslations("domain.aiTools.ui.test");
  const trpc = useTRPC();
  const test = useMutation(trpc.aiTools.test.mutationOptions());
  const [values, setValues] = useState<Record<string, string>>({});
  const run = () => {
    const tool = draft();
    if (!tool) return;
    const properties = ((tool.parameters as { properties?: Record<string, { type?: string }> }).properties ??
      {}) as Record<string, { type?: string }>;
    const args: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(properties)) {
      const text = values[name]?.trim() ?? "";
      if (!text) continue;
      args[name] =
        property.type === "number" || property.type === "integer"
          ? Number(text)
          : property.type === "boolean"
            ? text === "true"
            : text;
    }
    test.mutate({ tool, args });
  };
  const error = test.error ? describeError(test.error) : null;
  return (
    <section className="flex flex-col gap-3 border-t border-border pt-4" aria-label={t("title")}>
      <h3 className="text-sm font-semibold">{t("title")}</h3>
      <p className="text-xs text-muted-foreground">{t("hint")}</p>
      <div className="grid gap-2 sm:grid-cols-2">
        {parameterNames.map((name) => (
          <Field key={name} label={name} htmlFor={`test-arg-${name}`}>
            <Input
              id={`test-arg-${name}`}
              value={values[name] ?? ""}
              onChange={(event) => setValues({ ...values, [name]: event.target.value })}
            />
          </Field>
        ))}
      </div>
      <div>
        <Button variant="secondary" onClick={run} disabled={test.isPending}>
          {test.isPending ? t("running") : t("run")}
        </Button>
      </div>
      {error ? (
        <Alert tone="error">
          {Object.keys(error.fieldErrors).length > 0 ? Object.values(error.fieldErrors).join(" ") : error.message}
        </Alert>
      ) : null}
      {test.data ? (
        <div className="grid gap-3 text-xs md:grid-cols-2" aria-live="polite">
          <div className="min-w-0">
            <h4 className="mb-1 text-sm font-medium">{t("request")}</h4>
            <pre className="rounded bg-muted p-2 break-all whitespace-pre-wrap" translate="no">
              {test.data.request
                ? [
                    `${test.data.request.method} ${test.data.request.url}`,
                    ...Object.entries(test.data.request.headers).map(([name, value]) => `${name}: ${value}`),
                    ...(test.data.request.body ? ["", test.data.request.body] : []),
                  ].join("\n")
                : t("notSent")}
            </pre>
          </div>
          <div className="min-w-0">
            <h4 className="mb-1 flex flex-wrap items-center gap-2 text-sm font-medium">
              {t("answer")}
              <Badge tone={test.data.ok ? "success" : "danger"}>
                {test.data.ok ? t("ok", { status: test.data.status }) : t("failed")}
              </Badge>
              <span className="text-xs font-normal text-muted-foreground">{t("ms", { ms: test.data.ms })}</span>
            </h4>
            <pre className="rounded bg-muted p-2 break-all whitespace-pre-wrap" translate="no">
              {JSON.stringify(test.data.response, null, 2)}
            </pre>
          </div>
        </div>
      ) : null}
    </section>
  );
}
