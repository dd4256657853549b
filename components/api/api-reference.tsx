"use client";

import { useQuery } from "@tanstack/react-query";
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

const METHOD_TONE = {
  get: "success",
  post: "primary",
  put: "warning",
  patch: "warning",
  delete: "danger",
} as const;

/** Text with `code` spans, as the document's descriptions are written. */
function InlineCode({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`)/).map((part, index) =>
        part.startsWith("`") && part.endsWith("`") ? (
          <code key={index} className="rounded bg-muted px-1 text-[0.9em] text-foreground">
            {part.slice(1, -1)}
          </code>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  );
}

/** A schema as a readable sketch, with the JSON Schema itself one click away. */
function SchemaView({ doc, schema, label }: { doc: TOpenApiDocument; schema: TJsonSchema; label: string }) {
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
        <summary className="cursor-pointer text-muted-foreground">JSON Schema</summary>
        <pre className="mt-1 max-h-96 overflow-auto rounded bg-muted p-2" tabIndex={0}>
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
  const { method, path, operation } = entry;
  const parameters = operation.parameters ?? [];
  const body = jsonSchemaOf(operation.requestBody);
  const responses = Object.entries(operation.responses ?? {});
  const success = responses.filter(([status]) => status.startsWith("2"));
  const failures = responses.filter(([status]) => !status.startsWith("2")).map(([status]) => status);
  return (
    <article
      className="flex flex-col gap-3 rounded-md border border-border p-3"
      aria-labelledby={`op-${operation.operationId ?? `${method}-${path}`}`}
      data-testid="api-operation"
    >
      <header className="flex flex-wrap items-center gap-2">
        <Badge tone={METHOD_TONE[method as keyof typeof METHOD_TONE] ?? "neutral"} className="font-mono uppercase">
          {method}
        </Badge>
        <h4 id={`op-${operation.operationId ?? `${method}-${path}`}`} className="font-mono text-sm font-semibold">
          {base}
          {path}
        </h4>
        {operation["x-scope"] ? (
          <Badge tone={operation["x-scope"] === "write" ? "warning" : "neutral"}>scope: {operation["x-scope"]}</Badge>
        ) : null}
        {operation.summary ? <span className="text-sm">{operation.summary}</span> : null}
      </header>
      {operation.description ? (
        <p className="text-sm text-muted-foreground">
          <InlineCode text={operation.description} />
        </p>
      ) : null}
      {parameters.length > 0 ? (
        <Section title="Parameters">
          <Table className="text-xs">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>In</Th>
                <Th>Required</Th>
                <Th>Type</Th>
                <Th>Description</Th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((parameter) => (
                <tr key={`${parameter.in}-${parameter.name}`}>
                  <Td className="font-mono">{parameter.name}</Td>
                  <Td>{parameter.in}</Td>
                  <Td>{parameter.required ? "yes" : "no"}</Td>
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
      <div className="grid gap-3 lg:grid-cols-2">
        {body ? (
          <Section title="Request body (JSON)">
            <SchemaView doc={doc} schema={body} label={`Request body of ${method.toUpperCase()} ${path}`} />
          </Section>
        ) : null}
        {success.map(([status, response]) => {
          const schema = jsonSchemaOf(response);
          return (
            <Section key={status} title={`Response ${status}${response.description ? ` ${response.description}` : ""}`}>
              {schema ? (
                <SchemaView doc={doc} schema={schema} label={`Response ${status} of ${method.toUpperCase()} ${path}`} />
              ) : (
                <p className="text-xs text-muted-foreground">No body.</p>
              )}
            </Section>
          );
        })}
      </div>
      {failures.length > 0 ? (
        <p className="text-xs text-muted-foreground">Error answers: {failures.join(", ")} (see Errors above).</p>
      ) : null}
    </article>
  );
}

/** The error answers every operation shares, once: status, meaning, and the Error body. */
function ErrorsView({ doc, entries }: { doc: TOpenApiDocument; entries: TOperationEntry[] }) {
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
        Errors
      </h3>
      <div className="grid gap-3 lg:grid-cols-2">
        <Table className="text-xs">
          <thead>
            <tr>
              <Th>Status</Th>
              <Th>Meaning</Th>
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
        {schema ? <SchemaView doc={doc} schema={schema} label="Error body" /> : null}
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
  const spec = useQuery({
    queryKey: ["rest-api", "openapi"],
    staleTime: Infinity,
    queryFn: async () => {
      const response = await fetch(OPENAPI_URL);
      if (!response.ok) throw new Error(`Could not load ${OPENAPI_URL} (HTTP ${response.status}).`);
      return (await response.json()) as TOpenApiDocument;
    },
  });
  const doc = spec.data;
  return (
    <Card>
      <CardHeader
        title="API reference"
        description={
          <>
            {doc ? `${doc.info.title} ${doc.info.version}, ` : ""}from the OpenAPI 3.1 document at{" "}
            <a className="font-mono underline" href={OPENAPI_URL} target="_blank" rel="noreferrer">
              {OPENAPI_URL}
            </a>{" "}
            (for code generators and API clients).
          </>
        }
      />
      <CardBody className="flex flex-col gap-6">
        {spec.error ? <Alert tone="error">{spec.error.message}</Alert> : null}
        {spec.isPending ? <p className="text-sm text-muted-foreground">Loading the API reference…</p> : null}
        {doc ? <ReferenceBody doc={doc} /> : null}
      </CardBody>
    </Card>
  );
}

function ReferenceBody({ doc }: { doc: TOpenApiDocument }) {
  const base = doc.servers?.[0]?.url ?? "";
  const groups = groupOperationsByTag(doc);
  return (
    <>
      {doc.info.description ? (
        <p className="text-sm">
          <InlineCode text={doc.info.description} />
        </p>
      ) : null}
      <nav aria-label="API sections" className="flex flex-wrap gap-2 text-sm">
        {groups.map(([tag]) => (
          <a key={tag} href={`#api-tag-${tag}`} className="rounded-md border border-border px-2 py-1 hover:bg-muted">
            {tag}
          </a>
        ))}
        <a href="#api-errors-title" className="rounded-md border border-border px-2 py-1 hover:bg-muted">
          Errors
        </a>
      </nav>
      <ErrorsView doc={doc} entries={groups.flatMap(([, entries]) => entries)} />
      {groups.map(([tag, entries]) => (
        <section key={tag} aria-labelledby={`api-tag-${tag}`} className="flex flex-col gap-3">
          <h3 id={`api-tag-${tag}`} className="scroll-mt-4 text-lg font-semibold">
            {tag}
          </h3>
          {entries.map((entry) => (
            <OperationView key={`${entry.method} ${entry.path}`} doc={doc} base={base} entry={entry} />
          ))}
        </section>
      ))}
    </>
  );
}
