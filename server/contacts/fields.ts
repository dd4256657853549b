import { asc, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contactFields, contacts } from "~/db/schema";
import { CONTACT_FIELD_TYPES, type TContactFieldType } from "~/db/schema/flows";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { recordEvents } from "~/server/events/events";
import { AppError, isUniqueViolation } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { pgArray } from "~/server/lib/sql";

export { CONTACT_FIELD_TYPES, type TContactFieldType };

/** At most this many fields; each choice field at most this many options. */
export const MAX_CONTACT_FIELDS = 100;
export const MAX_FIELD_OPTIONS = 100;
/** The longest text value a field holds. */
export const MAX_FIELD_TEXT = 1_000;
/** A field's key: what flows (`{{field.key}}`), rules (`field.key`), CSV headers (`field.key`) and the API use. */
export const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** A field as every reader sees it. */
export type TContactFieldDefinition = {
  id: string;
  key: string;
  label: string;
  type: TContactFieldType;
  options: string[];
  position: number;
};
export type TContactFieldValue = string | number | boolean;

const ZLabel = z.string().trim().min(1, "Enter a label").max(80, "At most 80 characters");
const ZOptions = z
  .array(z.string().trim().min(1, "Enter the option").max(100, "At most 100 characters"))
  .max(MAX_FIELD_OPTIONS, "At most 100 options")
  .default([]);

export const ZCreateContactFieldInput = z.object({
  key: z.string().trim().regex(FIELD_KEY, "Lower-case letters, digits and _, starting with a letter (at most 40)"),
  label: ZLabel,
  type: z.enum(CONTACT_FIELD_TYPES),
  options: ZOptions,
});
export type TCreateContactFieldInput = z.input<typeof ZCreateContactFieldInput>;

/** The key and the type never change: values already stored keep meaning what they meant. */
export const ZUpdateContactFieldInput = z.object({ id: z.uuid(), label: ZLabel, options: ZOptions });
export type TUpdateContactFieldInput = z.input<typeof ZUpdateContactFieldInput>;

export const ZReorderContactFieldsInput = z.object({ ids: z.array(z.uuid()).max(MAX_CONTACT_FIELDS) });

function checkOptions(type: TContactFieldType, options: string[]): string[] {
  const unique = [...new Set(options)];
  if (type === "choice" && unique.length === 0) {
    throw new AppError("BAD_REQUEST", "A choice field needs at least one option.", {
      options: "Add at least one option",
    });
  }
  return type === "choice" ? unique : [];
}

function toDefinition(row: typeof contactFields.$inferSelect): TContactFieldDefinition {
  return { id: row.id, key: row.key, label: row.label, type: row.type, options: row.options, position: row.position };
}

/** The contact fields defined in Settings, in their order. */
export async function loadContactFields(db: TDbOrTx): Promise<TContactFieldDefinition[]> {
  const rows = await db.select().from(contactFields).orderBy(asc(contactFields.position), asc(contactFields.key));
  return rows.map(toDefinition);
}

export async function createContactField(
  db: TDb,
  actor: TActor,
  raw: TCreateContactFieldInput,
): Promise<TContactFieldDefinition> {
  const input = ZCreateContactFieldInput.parse(raw);
  const options = checkOptions(input.type, input.options);
  return db
    .transaction(async (tx) => {
      const [{ count, last } = { count: 0, last: -1 }] = await tx
        .select({
          count: sql<number>`count(*)::int`,
          last: sql<number>`coalesce(max(${contactFields.position}), -1)::int`,
        })
        .from(contactFields);
      if (count >= MAX_CONTACT_FIELDS) throw new AppError("CONFLICT", "At most 100 contact fields.");
      const [row] = await tx
        .insert(contactFields)
        .values({ key: input.key, label: input.label, type: input.type, options, position: last + 1 })
        .returning();
      const created = toDefinition(row!);
      await recordAudit(tx, actor, { action: "create", entity: "contact_field", entityId: created.id, after: created });
      return created;
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new AppError("CONFLICT", "A contact field with this key exists already.", { key: "Already in use" });
      }
      throw error;
    });
}

/**
 * Changes a field's label and (of a choice) its options. Values stored under an option that is
 * no longer offered stay: they are the contact's data, and the field shows them as they are.
 */
export async function updateContactField(
  db: TDb,
  actor: TActor,
  raw: TUpdateContactFieldInput,
): Promise<TContactFieldDefinition> {
  const input = ZUpdateContactFieldInput.parse(raw);
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(contactFields).where(eq(contactFields.id, input.id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "This contact field no longer exists.");
    const options = checkOptions(before.type, input.options);
    const [row] = await tx
      .update(contactFields)
      .set({ label: input.label, options, updatedAt: new Date() })
      .where(eq(contactFields.id, input.id))
      .returning();
    const after = toDefinition(row!);
    await recordAudit(tx, actor, {
      action: "update",
      entity: "contact_field",
      entityId: after.id,
      before: toDefinition(before),
      after,
    });
    return after;
  });
}

/** Deletes a field and, in one statement, its value from every contact. */
export async function deleteContactField(db: TDb, actor: TActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [before] = await tx.delete(contactFields).where(eq(contactFields.id, id)).returning();
    if (!before) throw new AppError("NOT_FOUND", "This contact field no longer exists.");
    await tx
      .update(contacts)
      .set({ fields: sql`${contacts.fields} - ${before.key}::text` })
      .where(sql`${contacts.fields} ? ${before.key}::text`);
    await recordAudit(tx, actor, {
      action: "delete",
      entity: "contact_field",
      entityId: id,
      before: toDefinition(before),
    });
  });
}

/** Puts the fields in this order (every field, each once): where the contact page and the CSV show them. */
export async function reorderContactFields(
  db: TDb,
  actor: TActor,
  raw: z.input<typeof ZReorderContactFieldsInput>,
): Promise<TContactFieldDefinition[]> {
  const { ids } = ZReorderContactFieldsInput.parse(raw);
  return db.transaction(async (tx) => {
    const current = await tx.select({ id: contactFields.id }).from(contactFields).for("update");
    const known = new Set(current.map((row) => row.id));
    if (ids.length !== known.size || new Set(ids).size !== ids.length || ids.some((id) => !known.has(id))) {
      throw new AppError(
        "CONFLICT",
        "The contact fields changed while you were reordering them; reload and try again.",
      );
    }
    for (const [position, id] of ids.entries()) {
      await tx.update(contactFields).set({ position, updatedAt: new Date() }).where(eq(contactFields.id, id));
    }
    await recordAudit(tx, actor, { action: "reorder", entity: "contact_field", after: { ids } });
    return loadContactFields(tx);
  });
}

// ---------------------------------------------------------------------------------------------
// Values

export type TCoerceResult = { ok: true; value: TContactFieldValue | null } | { ok: false; reason: string };
export type TCoerceOptions = {
  /** Read `01/02/2025` as January 2nd (the United States' order) rather than 1 February. */
  monthFirst?: boolean;
};

/** Texts longer than this are refused before they are looked at (a number or a date is short). */
const MAX_SHORT_INPUT = 100;
const TRUE_WORDS = new Set(["true", "yes", "y", "1", "sim", "s", "sí", "si", "verdadeiro", "verdadero", "on"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0", "não", "nao", "falso", "off"]);

/** A NUL or a lone UTF-16 surrogate: text Postgres cannot store. */
function isUnstorable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u0000/.test(text) || !text.isWellFormed();
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (value: number, length = 2) => String(value).padStart(length, "0");

function parseDate(text: string, options: TCoerceOptions): string | null {
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  match ??= /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return isRealDate(year, month, day) ? `${pad(year, 4)}-${pad(month)}-${pad(day)}` : null;
  }
  match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (match) {
    const [first, second, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const [month, day] = options.monthFirst ? [first, second] : [second, first];
    return isRealDate(year, month, day) ? `${pad(year, 4)}-${pad(month)}-${pad(day)}` : null;
  }
  return null;
}

function parseNumber(text: string): number | null {
  const compact = text.replace(/[\s\u00a0]/g, "");
  // 12.5 and 12,5; with thousands: 1,234.5 and 1.234,5.
  let normal: string | null = null;
  if (/^[+-]?\d+([.,]\d+)?$/.test(compact)) normal = compact.replace(",", ".");
  else if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(compact)) normal = compact.replaceAll(",", "");
  else if (/^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/.test(compact)) normal = compact.replaceAll(".", "").replace(",", ".");
  if (normal === null) return null;
  const value = Number(normal);
  return Number.isFinite(value) ? value : null;
}

/**
 * THE conversion of a value for a contact field, used by every writer (the contact page, the
 * API, CSV import, flows): the typed value to store, `null` to clear the field (null, undefined
 * or blank text), or why it does not fit. Text from a flow or a CSV is read as people write
 * it: `12,5` and `12.5`; yes/no/true/false/sim/não/sí; dates in ISO or `DD/MM/YYYY` (month
 * first when `options.monthFirst`) → `YYYY-MM-DD`; a choice matched without regard to case.
 * Every `reason` is English text of the domain catalogue.
 */
export function coerceFieldValue(
  field: { type: TContactFieldType; options: string[] },
  raw: unknown,
  options: TCoerceOptions = {},
): TCoerceResult {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw === "object" || typeof raw === "function" || typeof raw === "symbol" || typeof raw === "bigint") {
    return { ok: false, reason: "Enter a single value, not a list or an object." };
  }
  if (typeof raw === "number" && !Number.isFinite(raw)) return { ok: false, reason: "Enter a number, such as 12.5." };
  if (typeof raw === "string") {
    if (isUnstorable(raw)) return { ok: false, reason: "The value holds a character that cannot be stored." };
    if (raw.length > MAX_FIELD_TEXT * 4) return { ok: false, reason: "At most 1,000 characters." };
    if (raw.trim() === "") return { ok: true, value: null };
  }
  // Only strings, numbers and booleans are left here.
  const text = typeof raw === "string" ? raw.trim() : JSON.stringify(raw);
  switch (field.type) {
    case "text":
      if (text.length > MAX_FIELD_TEXT) return { ok: false, reason: "At most 1,000 characters." };
      return { ok: true, value: text };
    case "number": {
      if (typeof raw === "number") return { ok: true, value: raw };
      const value = typeof raw === "string" && text.length <= MAX_SHORT_INPUT ? parseNumber(text) : null;
      return value === null ? { ok: false, reason: "Enter a number, such as 12.5." } : { ok: true, value };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { ok: true, value: raw };
      const word = text.toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, reason: "Enter yes or no." };
    }
    case "date": {
      const value = typeof raw === "string" && text.length <= MAX_SHORT_INPUT ? parseDate(text, options) : null;
      return value === null ? { ok: false, reason: "Enter a date as YYYY-MM-DD." } : { ok: true, value };
    }
    case "choice": {
      if (text.length > MAX_FIELD_TEXT) return { ok: false, reason: "Pick one of the options of the field." };
      const exact = field.options.find((option) => option === text);
      const folded = text.normalize("NFKD").toLowerCase();
      const found = exact ?? field.options.find((option) => option.normalize("NFKD").toLowerCase() === folded);
      return found === undefined
        ? { ok: false, reason: "Pick one of the options of the field." }
        : { ok: true, value: found };
    }
  }
}

/**
 * A flow's field writer: coerces a value for the field `key` among `definitions` (by key), or
 * says there is no such field. The pipeline, the flow jobs and the test panel use the same one.
 */
export function fieldCoercer(
  definitions: ReadonlyMap<string, { type: TContactFieldType; options: string[] }>,
): (key: string, raw: unknown) => TCoerceResult {
  return (key, raw) => {
    const field = definitions.get(key);
    return field ? coerceFieldValue(field, raw) : { ok: false, reason: "There is no contact field with this key." };
  };
}

/**
 * Checks values for the fields by key against the definitions: the changes to apply (null
 * clears) or, for each key, why not. An unknown key is an error, never silently dropped.
 */
export function coerceFieldValues(
  definitions: readonly TContactFieldDefinition[],
  values: Record<string, unknown>,
  options: TCoerceOptions = {},
): { ok: true; changes: Record<string, TContactFieldValue | null> } | { ok: false; errors: Record<string, string> } {
  const byKey = new Map(definitions.map((field) => [field.key, field]));
  const changes: Record<string, TContactFieldValue | null> = {};
  const errors: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    const field = byKey.get(key);
    if (!field) {
      errors[key] = "There is no contact field with this key.";
      continue;
    }
    const result = coerceFieldValue(field, raw, options);
    if (result.ok) changes[key] = result.value;
    else errors[key] = result.reason;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, changes };
}

/** Applies changes to a stored `fields` object: null removes the key. */
export function applyFieldChanges(
  current: Record<string, TContactFieldValue>,
  changes: Record<string, TContactFieldValue | null>,
): Record<string, TContactFieldValue> {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

export const ZFieldValues = z
  .record(z.string().max(40), z.union([z.string().max(MAX_FIELD_TEXT * 4), z.number(), z.boolean(), z.null()]))
  .meta({
    example: { plan: "Gold", renewal: "01/03/2026", seats: "12", vip: "yes" },
    description:
      "Custom field values by key (Settings → Contact fields); null or empty text clears one, fields left out keep theirs. Text is read as people write it: `12,5` and `12.5`, yes/no/true/false/sim/não, dates as `YYYY-MM-DD` or `DD/MM/YYYY`; a value that does not fit its field is a 400 naming it (`fields.<key>`)",
  });

/**
 * Sets some of a contact's field values (null clears one; other fields keep theirs): checked
 * with `coerceFieldValue`, every problem reported by key, and recorded as `contact.updated`.
 * Used by the contact page and the API; returns the contact's fields after the change.
 */
export async function setContactFieldValues(
  tx: TDbOrTx,
  contactId: string,
  values: Record<string, unknown>,
  by: TActor | "flow" | "api",
  options: TCoerceOptions = {},
): Promise<Record<string, TContactFieldValue>> {
  const checked = coerceFieldValues(await loadContactFields(tx), values, options);
  if (!checked.ok) {
    const [first] = Object.values(checked.errors);
    throw new AppError("BAD_REQUEST", first ?? "", checked.errors);
  }
  const [before] = await tx
    .select({ sessionId: contacts.sessionId, fields: contacts.fields })
    .from(contacts)
    .where(eq(contacts.id, contactId))
    .for("update");
  if (!before) throw new AppError("NOT_FOUND", "This contact no longer exists.");
  const fields = applyFieldChanges(before.fields, checked.changes);
  await tx.update(contacts).set({ fields, updatedAt: new Date() }).where(eq(contacts.id, contactId));
  const actorId = typeof by === "string" ? by : (by?.id ?? null);
  await recordEvents(tx, [
    {
      type: "contact.updated",
      sessionId: before.sessionId,
      contactId,
      payload: { by: actorId, fields: Object.keys(checked.changes) },
    },
  ]);
  return fields;
}

/** Message of an unknown field in a list filter. */
export function unknownFieldError(key: string): AppError {
  return new AppError("BAD_REQUEST", serverText("contactFields.unknownKey", { key }), {
    field: "There is no contact field with this key.",
  });
}

/**
 * `contacts.fields` with `changes` applied, in SQL (for an update of many rows or inside a
 * statement): values set, and keys whose value is null removed (a cleared field has no key).
 */
export function fieldsPatched(changes: Record<string, TContactFieldValue | null>): SQL {
  const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null));
  const cleared = Object.keys(changes).filter((key) => changes[key] === null);
  return sql`(coalesce(${contacts.fields}, '{}'::jsonb) || ${JSON.stringify(set)}::jsonb) - ${pgArray(cleared, "text")}`;
}
