"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Fragment, type ReactNode } from "react";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Table, Td, Th } from "~/components/ui/table";
import {
  describeScalar,
  groupOperationsByTag,
  jsonSchemaOf,
  readableSchema,
  sketchSchema,
  type TJsonSchema,
  type TOpenApiDocument,
  type TOperationEntry,
} from "./openapi-schema";

const OPENAPI_URL = "/api/v1/openapi.json";

const link = (chunks: ReactNode) => (
  <a className="break-all font-mono underline" href={OPENAPI_URL} target="_blank" rel="noreferrer">
    {chunks}
  </a>
);

const METHOD_TONE = {
  get: "success",
  post: "primary",
  put: "warning",
  patch: "warning",
  delete: "danger",
} as const;

/** Text with `code` spans, as the document's descriptions are written (in English: the API's own words). */
function InlineCode({ text }: { text: string }) {
  return (
    <span lang="en">
      {text.split(/(`[^`]+`)/).map((part, index) =>
        part.startsWith("`") && part.endsWith("`") ? (
          <code key={index} className="rounded bg-muted px-1 text-[0.9em] text-foreground">
            {part.slice(1, -1)}
          </code>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </span>
  );
}

/** A schema as a readable sketch, with the JSON Schema itself one click away. */
function SchemaView({ doc, schema, label }: { doc: TOpenApiDocument; schema: TJsonSchema; label: string }) {
  const t = useTranslations("api.reference");
  return (
    <div className="flex flex-col gap-1">
      <pre
        className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-muted p-2 text-xs"
        title={label}
        tabIndex={0}
      >
        {JSON.stringify(sketchSchema(doc, schema), null, 2)}
      </pre>
      <details className="text-xs">
        <summary className="cursor-pointer text-muted-foreground">{t("jsonSchema")}</summary>
        <pre className="mt-1 max-h-96 overflow-auto whitespace-pre-wrap break-words rounded bg-muted p-2" tabIndex={0}>
          {JSON.stringify(readableSchema(doc, schema), null, 2)}
        </pre>
      </details>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <h5 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{title}</h5>
      {children}
    </div>
  );
}

/** One operation: method, path, scope, what it does, its parameters, body and answer. */
function OperationView({ doc, base, entry }: { doc: TOpenApiDocument; base: string; entry: TOperationEntry }) {
  const t = useTranslations("api.reference");
  const tc = useTranslations("common");
  const { method, path, operation } = entry;
  const operationName = `${method.toUpperCase()} ${path}`;
  const parameters = operation.parameters ?? [];
  const body = jsonSchemaOf(operation.requestBody);
  const responses = Object.entries(operation.responses ?? {});
  const success = responses.filter(([status]) => status.startsWith("2"));
  const failures = responses.filter(([status]) => !status.startsWith("2")).map(([status]) => status);
  return (
    <article
      className="flex min-w-0 flex-col gap-3 rounded-md border border-border p-3"
      aria-labelledby={`op-${operation.operationId ?? `${method}-${path}`}`}
      data-testid="api-operation"
    >
      <header className="flex flex-wrap items-center gap-2">
        <Badge tone={METHOD_TONE[method as keyof typeof METHOD_TONE] ?? "neutral"} className="font-mono uppercase">
          {method}
        </Badge>
        <h4
          id={`op-${operation.operationId ?? `${method}-${path}`}`}
          className="break-all font-mono text-sm font-semibold"
        >
          {base}
          {path}
        </h4>
        {operation["x-scope"] ? (
          <Badge tone={operation["x-scope"] === "write" ? "warning" : "neutral"}>
            {t("scope", { scope: operation["x-scope"] })}
          </Badge>
        ) : null}
        {operation.summary ? (
          <span className="text-sm" lang="en">
            {operation.summary}
          </span>
        ) : null}
      </header>
      {operation.description ? (
        <p className="text-sm text-muted-foreground">
          <InlineCode text={operation.description} />
        </p>
      ) : null}
      {parameters.length > 0 ? (
        <Section title={t("parameters")}>
          <Table className="text-xs">
            <thead>
              <tr>
                <Th>{t("name")}</Th>
                <Th>{t("in")}</Th>
                <Th>{t("required")}</Th>
                <Th>{t("type")}</Th>
                <Th>{t("descriptionColumn")}</Th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((parameter) => (
                <tr key={`${parameter.in}-${parameter.name}`}>
                  <Td className="font-mono">{parameter.name}</Td>
                  <Td>{parameter.in}</Td>
                  <Td>{parameter.required ? tc("yes") : tc("no")}</Td>
                  <Td className="font-mono">
                    {parameter.schema ? describeScalar({ ...parameter.schema, description: undefined }) : "—"}
                  </Td>
                  <Td>
                    <InlineCode text={parameter.description ?? parameter.schema?.description ?? ""} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Section>
      ) : null}
      <div className="grid gap-3 lg:grid-cols-2 [&>*]:min-w-0">
        {body ? (
          <Section title={t("requestBody")}>
            <SchemaView doc={doc} schema={body} label={t("requestBodyOf", { operation: operationName })} />
          </Section>
        ) : null}
        {success.map(([status, response]) => {
          const schema = jsonSchemaOf(response);
          return (
            <Section
              key={status}
              title={`${t("response", { status })}${response.description ? ` ${response.description}` : ""}`}
            >
              {schema ? (
                <SchemaView doc={doc} schema={schema} label={t("responseOf", { status, operation: operationName })} />
              ) : (
                <p className="text-xs text-muted-foreground">{t("noBody")}</p>
              )}
            </Section>
          );
        })}
      </div>
      {failures.length > 0 ? (
        <p className="text-xs text-muted-foreground">{t("errorAnswers", { statuses: failures.join(", ") })}</p>
      ) : null}
    </article>
  );
}

/** The error answers every operation shares, once: status, meaning, and the Error body. */
function ErrorsView({ doc, entries }: { doc: TOpenApiDocument; entries: TOperationEntry[] }) {
  const t = useTranslations("api.reference");
  const errors = new Map<string, { description: string; schema?: TJsonSchema }>();
  for (const { operation } of entries) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      if (status.startsWith("2") || errors.has(status)) continue;
      errors.set(status, { description: response.description ?? "", schema: jsonSchemaOf(response) });
    }
  }
  if (errors.size === 0) return null;
  const schema = [...errors.values()].find((error) => error.schema)?.schema;
  return (
    <section aria-labelledby="api-errors-title" className="flex flex-col gap-2">
      <h3 id="api-errors-title" className="font-semibold">
        {t("errors")}
      </h3>
      <div className="grid gap-3 lg:grid-cols-2 [&>*]:min-w-0">
        <Table className="text-xs">
          <thead>
            <tr>
              <Th>{t("status")}</Th>
              <Th>{t("meaning")}</Th>
            </tr>
          </thead>
          <tbody>
            {[...errors].map(([status, error]) => (
              <tr key={status}>
                <Td className="font-mono">{status}</Td>
                <Td>
                  <InlineCode text={error.description} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
        {schema ? <SchemaView doc={doc} schema={schema} label={t("errorBody")} /> : null}
      </div>
    </section>
  );
}

/**
 * The REST API's reference, rendered from its own OpenAPI document (fetched from
 * /api/v1/openapi.json, so it always matches the server): operations grouped by tag, each
 * with its scope, parameters, request and response shapes.
 */
export function ApiReference() {
  const t = useTranslations("api.reference");
  const spec = useQuery({
    queryKey: ["rest-api", "openapi"],
    staleTime: Infinity,
    queryFn: async () => {
      const response = await fetch(OPENAPI_URL);
      if (!response.ok) throw new Error(t("loadFailed", { url: OPENAPI_URL, status: response.status }));
      return (await response.json()) as TOpenApiDocument;
    },
  });
  const doc = spec.data;
  return (
    <Card>
      <CardHeader
        title={t("title")}
        description={
          doc
            ? t.rich("descriptionWithVersion", {
                title: doc.info.title,
                version: doc.info.version,
                url: OPENAPI_URL,
                link,
              })
            : t.rich("description", { url: OPENAPI_URL, link })
        }
      />
      <CardBody className="flex flex-col gap-6">
        {spec.error ? <Alert tone="error">{spec.error.message}</Alert> : null}
        {spec.isPending ? <p className="text-sm text-muted-foreground">{t("loading")}</p> : null}
        {doc ? <ReferenceBody doc={doc} /> : null}
      </CardBody>
    </Card>
  );
}

function ReferenceBody({ doc }: { doc: TOpenApiDocument }) {
  const t = useTranslations("api.reference");
  const base = doc.servers?.[0]?.url ?? "";
  const groups = groupOperationsByTag(doc);
  return (
    <>
      {doc.info.description ? (
        <p className="text-sm">
          <InlineCode text={doc.info.description} />
        </p>
      ) : null}
      <nav aria-label={t("sections")} className="flex flex-wrap gap-2 text-sm">
        {groups.map(([tag]) => (
          <a key={tag} href={`#api-tag-${tag}`} className="rounded-md border border-border px-2 py-1 hover:bg-muted">
            <span lang="en">{tag}</span>
          </a>
        ))}
        <a href="#api-errors-title" className="rounded-md border border-border px-2 py-1 hover:bg-muted">
          {t("errors")}
        </a>
      </nav>
      <ErrorsView doc={doc} entries={groups.flatMap(([, entries]) => entries)} />
      {groups.map(([tag, entries]) => (
        <section key={tag} aria-labelledby={`api-tag-${tag}`} className="flex flex-col gap-3">
          <h3 id={`api-tag-${tag}`} className="scroll-mt-4 text-lg font-semibold">
            <span lang="en">{tag}</span>
          </h3>
          {entries.map((entry) => (
            <OperationView key={`${entry.method} ${entry.path}`} doc={doc} base={base} entry={entry} />
          ))}
        </section>
      ))}
    </>
  );
}
