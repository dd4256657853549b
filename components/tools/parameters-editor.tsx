"use client";

import { useTranslations } from "next-intl";
import { useId } from "react";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import type { TToolParameterType } from "~/server/ai/tools";

export const PARAMETER_TYPES: readonly TToolParameterType[] = ["string", "number", "integer", "boolean"];

/** One row of the parameters table (an enum written in the raw JSON is kept). */
export type TParameterRow = {
  key: string;
  name: string;
  type: TToolParameterType;
  description: string;
  required: boolean;
  enum?: (string | number)[];
};

let rowCounter = 0;
export const newRowKey = () => `row-${(rowCounter += 1)}`;

/** The JSON schema the table stands for. */
export function schemaOfRows(rows: readonly TParameterRow[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const row of rows) {
    if (!row.name.trim()) continue;
    properties[row.name.trim()] = {
      type: row.type,
      ...(row.description.trim() ? { description: row.description.trim() } : {}),
      ...(row.enum ? { enum: row.enum } : {}),
    };
  }
  const required = rows.filter((row) => row.required && row.name.trim()).map((row) => row.name.trim());
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

/** The table for a schema, or null when the schema says more than the table can show (keep it raw). */
export function rowsOfSchema(schema: unknown): TParameterRow[] | null {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return null;
  const { type, properties = {}, required = [], ...rest } = schema as Record<string, unknown>;
  if (type !== "object" || Object.keys(rest).length > 0) return null;
  if (typeof properties !== "object" || properties === null || !Array.isArray(required)) return null;
  const rows: TParameterRow[] = [];
  for (const [name, raw] of Object.entries(properties as Record<string, unknown>)) {
    if (typeof raw !== "object" || raw === null) return null;
    const { type: kind, description = "", enum: values, ...others } = raw as Record<string, unknown>;
    if (Object.keys(others).length > 0 || !PARAMETER_TYPES.includes(kind as TToolParameterType)) return null;
    if (typeof description !== "string" || (values !== undefined && !Array.isArray(values))) return null;
    rows.push({
      key: newRowKey(),
      name,
      type: kind as TToolParameterType,
      description,
      required: required.includes(name),
      ...(values ? { enum: values as (string | number)[] } : {}),
    });
  }
  return rows;
}

/**
 * The tool's parameters as a table (name, type, description, required) that writes the JSON
 * schema, with the schema itself to read or edit as JSON.
 */
export function ParametersEditor({
  rows,
  onRows,
  raw,
  onRaw,
  disabled,
  error,
}: {
  rows: TParameterRow[];
  onRows: (rows: TParameterRow[]) => void;
  /** The JSON being edited, or null when the table is shown. */
  raw: string | null;
  onRaw: (raw: string | null) => void;
  disabled: boolean;
  error?: string;
}) {
  const t = useTranslations("domain.aiTools.ui.parameters");
  const id = useId();
  const update = (key: string, change: Partial<TParameterRow>) =>
    onRows(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const fromRaw = raw === null ? null : parseRows(raw);
  return (
    <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="mb-1 text-sm font-medium">{t("title")}</legend>
      <p className="text-xs text-muted-foreground">{t("hint")}</p>
      {raw === null ? (
        <>
          {rows.length === 0 ? <p className="text-sm text-muted-foreground">{t("none")}</p> : null}
          <ul className="flex flex-col gap-2">
            {rows.map((row, index) => (
              <li
                key={row.key}
                className="grid gap-2 rounded-md border border-border p-2 sm:grid-cols-[minmax(0,10rem)_8rem_minmax(0,1fr)_auto_auto] sm:items-center"
              >
                <Input
                  aria-label={t("name", { number: index + 1 })}
                  placeholder={t("namePlaceholder")}
                  value={row.name}
                  disabled={disabled}
                  onChange={(event) => update(row.key, { name: event.target.value })}
                />
                <Select
                  aria-label={t("type", { number: index + 1 })}
                  value={row.type}
                  disabled={disabled}
                  onChange={(event) => update(row.key, { type: event.target.value as TToolParameterType })}
                >
                  {PARAMETER_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {t(`types.${type}`)}
                    </option>
                  ))}
                </Select>
                <Input
                  aria-label={t("description", { number: index + 1 })}
                  placeholder={t("descriptionPlaceholder")}
                  value={row.description}
                  disabled={disabled}
                  onChange={(event) => update(row.key, { description: event.target.value })}
                />
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={row.required}
                    disabled={disabled}
                    onChange={(event) => update(row.key, { required: event.target.checked })}
                  />
                  {t("required")}
                </label>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled}
                  aria-label={t("remove", { number: index + 1 })}
                  onClick={() => onRows(rows.filter((other) => other.key !== row.key))}
                >
                  ✕
                </Button>
              </li>
            ))}
          </ul>
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="secondary"
              disabled={disabled}
              onClick={() =>
                onRows([...rows, { key: newRowKey(), name: "", type: "string", description: "", required: false }])
              }
            >
              {t("add")}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => onRaw(JSON.stringify(schemaOfRows(rows), null, 2))}>
              {t("showJson")}
            </Button>
          </div>
        </>
      ) : (
        <>
          <label htmlFor={`${id}-json`} className="sr-only">
            {t("json")}
          </label>
          <textarea
            id={`${id}-json`}
            className="min-h-40 w-full rounded-md border border-border bg-card px-3 py-2 font-mono text-xs focus-visible:outline-2 focus-visible:outline-primary"
            value={raw}
            disabled={disabled}
            spellCheck={false}
            onChange={(event) => onRaw(event.target.value)}
          />
          {fromRaw === "invalid" ? <p className="text-xs text-destructive">{t("notJson")}</p> : null}
          {fromRaw === "complex" ? <p className="text-xs text-muted-foreground">{t("tooComplex")}</p> : null}
          <div>
            <Button
              size="sm"
              variant="ghost"
              disabled={fromRaw === "invalid" || fromRaw === "complex"}
              onClick={() => {
                if (Array.isArray(fromRaw)) {
                  onRows(fromRaw);
                  onRaw(null);
                }
              }}
            >
              {t("showTable")}
            </Button>
          </div>
        </>
      )}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function parseRows(raw: string): TParameterRow[] | "invalid" | "complex" {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return "invalid";
  }
  return rowsOfSchema(value) ?? "complex";
}

/** The JSON schema being edited: the table's, or the raw JSON's (undefined when that is not JSON). */
export function currentSchema(rows: readonly TParameterRow[], raw: string | null): unknown {
  if (raw === null) return schemaOfRows(rows);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
