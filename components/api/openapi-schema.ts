/**
 * The parts of an OpenAPI 3.1 document the API reference shows, and a readable sketch of a
 * JSON Schema. Only what /api/v1/openapi.json (server/rest/openapi.ts) uses is modelled.
 */

export type TJsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, TJsonSchema>;
  required?: string[];
  items?: TJsonSchema;
  anyOf?: TJsonSchema[];
  oneOf?: TJsonSchema[];
  allOf?: TJsonSchema[];
  additionalProperties?: boolean | TJsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  default?: unknown;
  example?: unknown;
  pattern?: string;
};

export type TParameter = {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  description?: string;
  schema?: TJsonSchema;
};

type TMediaTypes = { content?: Record<string, { schema?: TJsonSchema }> };

export type TOperationDoc = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  "x-scope"?: string;
  parameters?: TParameter[];
  requestBody?: TMediaTypes & { required?: boolean };
  responses?: Record<string, TMediaTypes & { description?: string }>;
};

export type TOpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, TOperationDoc>>;
  components?: { schemas?: Record<string, TJsonSchema> };
};

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;

export type TOperationEntry = { method: string; path: string; operation: TOperationDoc };

/** The operations grouped by their first tag, tags in order of first appearance. */
export function groupOperationsByTag(doc: TOpenApiDocument): [string, TOperationEntry[]][] {
  const groups = new Map<string, TOperationEntry[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = methods[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? "Other";
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, operation }]);
    }
  }
  return [...groups];
}

/** The name of a local `$ref` (`#/components/schemas/Contact` → `Contact`). */
export function refName(ref: string): string {
  return ref.split("/").at(-1) ?? ref;
}

/** The schema a `$ref` points at in components.schemas, or undefined. */
export function resolveRef(doc: TOpenApiDocument, schema: TJsonSchema): TJsonSchema | undefined {
  if (!schema.$ref) return schema;
  return doc.components?.schemas?.[refName(schema.$ref)];
}

/** The application/json schema of a request body or response, if any (else a multipart form's: an upload). */
export function jsonSchemaOf(media: TMediaTypes | undefined): TJsonSchema | undefined {
  return media?.content?.["application/json"]?.schema ?? media?.content?.["multipart/form-data"]?.schema;
}

const isNullSchema = (schema: TJsonSchema) => schema.type === "null";

/** zod's `.int()` bounds, which say nothing a reader needs. */
const isSafeIntegerBound = (value: number | undefined) =>
  value !== undefined && Math.abs(value) === Number.MAX_SAFE_INTEGER;

function limits(raw: TJsonSchema): string[] {
  const schema = {
    ...raw,
    minimum: isSafeIntegerBound(raw.minimum) ? undefined : raw.minimum,
    maximum: isSafeIntegerBound(raw.maximum) ? undefined : raw.maximum,
  };
  const notes: string[] = [];
  if (schema.minLength !== undefined && schema.maxLength !== undefined)
    notes.push(`${schema.minLength}–${schema.maxLength} chars`);
  else if (schema.maxLength !== undefined) notes.push(`≤ ${schema.maxLength} chars`);
  else if (schema.minLength !== undefined) notes.push(`≥ ${schema.minLength} chars`);
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined);
  if (min !== undefined && schema.maximum !== undefined) notes.push(`${min}–${schema.maximum}`);
  else if (min !== undefined) notes.push(typeof min === "number" ? `≥ ${min}` : min);
  else if (schema.maximum !== undefined) notes.push(`≤ ${schema.maximum}`);
  if (schema.maxItems !== undefined) notes.push(`≤ ${schema.maxItems} items`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes;
}

/** A one-line description of a scalar schema: `string (uuid)`, `integer 1–200, default 50`, `one of: a, b`. */
export function describeScalar(schema: TJsonSchema): string {
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type ?? "any"]).filter((type) => type !== "null");
  const nullable = Array.isArray(schema.type) && schema.type.includes("null");
  let text = schema.enum
    ? `one of: ${schema.enum.map((value) => String(value)).join(", ")}`
    : `${types.join(" | ")}${schema.format ? ` (${schema.format})` : ""}`;
  const notes = limits(schema);
  if (notes.length > 0) text += `, ${notes.join(", ")}`;
  if (nullable) text += " | null";
  if (schema.description) text += ` — ${schema.description}`;
  return text;
}

/**
 * A readable sketch of a schema, as JSON: objects keep their shape (optional keys end in
 * `?`), arrays become `[item]`, and every leaf is a one-line description of its type. `$ref`s
 * are resolved `depth` levels deep (then shown as `<Name>`), never into themselves.
 */
export function sketchSchema(
  doc: TOpenApiDocument,
  schema: TJsonSchema | undefined,
  depth = 2,
  seen: readonly string[] = [],
): unknown {
  if (!schema) return "any";
  if (schema.$ref) {
    const name = refName(schema.$ref);
    const target = resolveRef(doc, schema);
    if (!target || depth <= 0 || seen.includes(name)) return `<${name}>`;
    return sketchSchema(doc, target, depth - 1, [...seen, name]);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const present = alternatives.filter((option) => !isNullSchema(option));
    const isNullable = present.length < alternatives.length;
    if (present.length === 1) {
      const only = sketchSchema(doc, present[0], depth, seen);
      if (typeof only === "string") return isNullable ? `${only} | null` : only;
      return isNullable ? { "(or null)": only } : only;
    }
    return { "(one of)": present.map((option) => sketchSchema(doc, option, depth, seen)) };
  }
  if (schema.allOf) {
    return Object.assign(
      {},
      ...schema.allOf.map((part) => {
        const sketch = sketchSchema(doc, part, depth, seen);
        return typeof sketch === "object" && sketch !== null ? sketch : {};
      }),
    ) as Record<string, unknown>;
  }
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    return Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        required.has(key) ? key : `${key}?`,
        sketchSchema(doc, value, depth, seen),
      ]),
    );
  }
  if (schema.type === "array" || schema.items) {
    const item = sketchSchema(doc, schema.items, depth, seen);
    const notes = limits(schema);
    return notes.length > 0 ? [item, `(${notes.join(", ")})`] : [item];
  }
  if (schema.type === "object" && typeof schema.additionalProperties === "object") {
    return { "<key>": sketchSchema(doc, schema.additionalProperties, depth, seen) };
  }
  return describeScalar(schema);
}

/**
 * A schema as JSON Schema to read: `$ref`s resolved `depth` levels deep (titled with their
 * name), and the regular expressions zod adds to formats (uuid, date-time) left out, as the
 * format says the same more briefly.
 */
export function readableSchema(
  doc: TOpenApiDocument,
  value: unknown,
  depth = 1,
  seen: readonly string[] = [],
): unknown {
  if (Array.isArray(value)) return value.map((item) => readableSchema(doc, item, depth, seen));
  if (!value || typeof value !== "object") return value;
  const schema = value as TJsonSchema & Record<string, unknown>;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    const target = resolveRef(doc, schema);
    if (!target || depth <= 0 || seen.includes(name)) return schema;
    return { title: name, ...(readableSchema(doc, target, depth - 1, [...seen, name]) as object) };
  }
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => !(key === "pattern" && typeof schema.format === "string"))
      .map(([key, item]) => [key, readableSchema(doc, item, depth, seen)]),
  );
}
