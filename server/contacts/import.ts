import { type CsvError, parse } from "csv-parse/sync";
import { asc, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { contactIdentities, contacts, contextProfiles, events } from "~/db/schema";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { serverText } from "~/server/i18n/domain";
import { AppError } from "~/server/errors";
import { jsonRecordset, pgArray } from "~/server/lib/sql";
import { getOrgSettings } from "~/server/settings/settings";
import { findDefaultSessionId, MAX_CONTACT_TAGS } from "./contacts";
import { csvField } from "./export";
import {
  coerceFieldValue,
  FIELD_KEY,
  loadContactFields,
  type TContactFieldDefinition,
  type TContactFieldValue,
} from "./fields";
import { findKnownNumbers, parsePhoneNumber, phoneCandidates } from "./phone";

/** The largest file an import reads (bytes of UTF-8), and the most data rows. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;
/** Rows the preview shows. */
export const IMPORT_SAMPLE_ROWS = 20;
/** Rows per write statement: a few statements for a whole file, each well under Postgres's limits. */
const WRITE_CHUNK = 2_500;

/** What a CSV column can be imported as; `ignore` leaves the column out. */
export const IMPORT_TARGETS = [
  "phone",
  "name",
  "relationship",
  "priority",
  "tags",
  "notes",
  "profile",
  "optedIn",
  "optedOut",
  "blocked",
  "ignore",
] as const;
export type TImportTarget = (typeof IMPORT_TARGETS)[number];
/** A custom field's column target: `field.<key>` (the export's header for it). */
export type TFieldTarget = `field.${string}`;
/** Column header → what it is imported as. */
export type TImportMapping = Record<string, TImportTarget | TFieldTarget>;
const FIELD_TARGET = new RegExp(`^field\\.${FIELD_KEY.source.slice(1, -1)}$`);
const isFieldTarget = (target: string): target is TFieldTarget => FIELD_TARGET.test(target);

const TARGET_LABELS: Record<TImportTarget, string> = {
  phone: "the phone number",
  name: "the name",
  relationship: "the relationship",
  priority: "the priority",
  tags: "tags",
  notes: "the notes",
  profile: "the profile",
  optedIn: "opted in",
  optedOut: "opted out",
  blocked: "blocked",
  ignore: "ignored",
};
/** Targets several columns may share: their tags are put together. */
const REPEATABLE: ReadonlySet<TImportTarget> = new Set(["tags", "ignore"]);

/** Header names (lower case, letters and digits only) each target is suggested for. */
const HEADER_SYNONYMS: Record<Exclude<TImportTarget, "ignore">, readonly string[]> = {
  phone: [
    "phone",
    "phonenumber",
    "phoneno",
    "number",
    "mobile",
    "mobilenumber",
    "mobilephone",
    "cell",
    "cellphone",
    "whatsapp",
    "whatsappnumber",
    "wanumber",
    "waid",
    "msisdn",
    "tel",
    "telephone",
    "contactnumber",
  ],
  name: ["name", "fullname", "contactname", "displayname", "contact"],
  relationship: ["relationship", "relation", "relationshiptype"],
  priority: ["priority", "prio"],
  tags: ["tags", "tag", "labels", "label", "groups"],
  notes: ["notes", "note", "comment", "comments", "remarks", "description"],
  profile: ["profile", "profilename", "contextprofile"],
  optedIn: ["optedin", "optin", "consent", "subscribed"],
  optedOut: ["optedout", "optout", "unsubscribed", "donotcontact"],
  blocked: ["blocked", "block", "isblocked"],
};

export const ZImportContactsInput = z.object({
  /** The file's text. */
  csv: z.string().max(MAX_IMPORT_BYTES, "The file is larger than 10 MB; split it into smaller files."),
  /** Shown in the audit log. */
  fileName: z.string().trim().max(255).optional(),
  /** What each column is imported as; columns left out are ignored. Without it, the suggestion is used. */
  mapping: z
    .record(
      z.string().max(500),
      z.union([
        z.enum(IMPORT_TARGETS),
        z.templateLiteral([
          "field.",
          z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "There is no contact field with this key."),
        ]),
      ]),
    )
    .optional(),
});
export type TImportContactsInput = z.input<typeof ZImportContactsInput>;

/** A row that will not be imported: its line in the file (1 = the first line) and why. */
export type TRejectedRow = { line: number; reason: string; phone: string | null };

/** A CSV file read into cells: unique headers, and each data row with the line it starts on. */
export type TCsvTable = {
  delimiter: "," | ";" | "\t";
  headers: string[];
  rows: { line: number; cells: string[] }[];
  /** Rows the CSV reader itself could not read. */
  unreadable: TRejectedRow[];
};

/** The separator of a header line: whichever of comma, semicolon or tab it holds most of (outside quotes). */
export function detectDelimiter(headerLine: string): TCsvTable["delimiter"] {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "," || char === ";" || char === "\t")) counts[char] += 1;
  }
  if (counts[";"] > counts[","] && counts[";"] >= counts["\t"]) return ";";
  if (counts["\t"] > counts[","]) return "\t";
  return ",";
}

/** A cell as typed: trimmed, and without the apostrophe spreadsheets (and our export) put before `=+-@`. */
function cleanCell(cell: string): string {
  return cell.trim().replace(/^'(?=[=+\-@])/, "");
}

const count = (text: string, char: string) => {
  let found = 0;
  for (let index = text.indexOf(char); index !== -1; index = text.indexOf(char, index + 1)) found += 1;
  return found;
};

/**
 * Reads CSV text: a UTF-8 BOM, CRLF or CR line ends, quoted fields with separators and line
 * breaks, and comma, semicolon or tab separators (from the header line). Blank rows are
 * skipped. Each row keeps the line of the file it starts on, which a quoted multi-line field
 * makes differ from its position. Throws `AppError` for a file that cannot be read at all.
 */
export function readCsv(input: string): TCsvTable {
  if (Buffer.byteLength(input, "utf8") > MAX_IMPORT_BYTES) {
    throw new AppError("BAD_REQUEST", "The file is larger than 10 MB; split it into smaller files.");
  }
  // One line end: the reader then counts lines exactly, whichever ends the file mixes.
  const text = input.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const delimiter = detectDelimiter(/^[^\n]*\S[^\n]*$/m.exec(text)?.[0] ?? "");
  const errors: CsvError[] = [];
  const records = parse(text, {
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) errors.push(error);
      return undefined;
    },
    // The header, the most rows, and one more to tell that there are too many.
    to: MAX_IMPORT_ROWS + 2,
  }) as unknown as { record: string[]; info: { lines: number } }[];

  const table: TCsvTable = { delimiter, headers: [], rows: [], unreadable: [] };
  let lastLine = 0;
  for (const { record, info } of records) {
    const line = info.lines - record.reduce((sum, cell) => sum + count(cell, "\n"), 0);
    lastLine = info.lines;
    const cells = record.map(cleanCell);
    if (cells.every((cell) => cell === "")) continue;
    if (table.headers.length === 0) table.headers = uniqueHeaders(cells);
    else table.rows.push({ line, cells });
  }
  for (const error of errors) {
    if (error.code === "CSV_QUOTE_NOT_CLOSED") {
      const lines = text.split("\n");
      let opened = lastLine + 1;
      while (opened < lines.length && lines[opened - 1]?.trim() === "") opened += 1;
      throw new AppError("BAD_REQUEST", serverText("contacts.quoteNotClosed", { line: opened }));
    }
    const line = typeof error.lines === "number" ? error.lines : lastLine + 1;
    table.unreadable.push({ line, reason: `The row cannot be read (${error.message}).`, phone: null });
  }
  if (table.headers.length === 0) throw new AppError("BAD_REQUEST", "The file is empty: it needs a header row.");
  // Reading stopped at the limit (blank rows count towards it): the file has more than it read.
  if (table.rows.length > MAX_IMPORT_ROWS || records.length >= MAX_IMPORT_ROWS + 2) {
    throw new AppError("BAD_REQUEST", serverText("contacts.tooManyRows", { max: MAX_IMPORT_ROWS }));
  }
  return table;
}

/** Headers as unique, non-empty names: a mapping is keyed by them. */
function uniqueHeaders(cells: string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const base = cell || `Column ${index + 1}`;
    const times = (seen.get(base) ?? 0) + 1;
    seen.set(base, times);
    return times === 1 ? base : `${base} (${times})`;
  });
}

const normalizeHeader = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, "");

/** A mapping guessed from the header names (`Mobile` → phone, `Labels` → tags…); the rest ignored. */
export function suggestMapping(
  headers: readonly string[],
  fields: readonly Pick<TContactFieldDefinition, "key" | "label">[] = [],
): TImportMapping {
  const mapping: TImportMapping = {};
  const taken = new Set<TImportTarget | TFieldTarget>();
  for (const header of headers) {
    // A custom field's column: `field.<key>` as the export writes it, or the field's label or key.
    const field = fields.find(
      (candidate) =>
        header.trim() === `field.${candidate.key}` ||
        header.trim().toLowerCase() === candidate.label.toLowerCase() ||
        header.trim() === candidate.key,
    );
    if (field && !taken.has(`field.${field.key}`)) {
      mapping[header] = `field.${field.key}`;
      taken.add(`field.${field.key}`);
      continue;
    }
    const key = normalizeHeader(header);
    const target = (Object.keys(HEADER_SYNONYMS) as Exclude<TImportTarget, "ignore">[]).find(
      (candidate) => !taken.has(candidate) && HEADER_SYNONYMS[candidate].includes(key),
    );
    mapping[header] = target ?? "ignore";
    if (target) taken.add(target);
  }
  return mapping;
}

/**
 * The mapping used for `headers`: the one given (columns it leaves out ignored), or the
 * suggestion. `error` says what makes it unusable (no phone column, a target used twice…).
 */
export function resolveMapping(
  headers: readonly string[],
  given: TImportMapping | undefined,
  fields: readonly Pick<TContactFieldDefinition, "key" | "label">[] = [],
): { mapping: TImportMapping; error: string | null } {
  if (!given) {
    const mapping = suggestMapping(headers, fields);
    return { mapping, error: mappingError(headers, mapping) };
  }
  const unknownField = Object.values(given).find(
    (target) => isFieldTarget(target) && !fields.some((field) => `field.${field.key}` === target),
  );
  if (unknownField !== undefined) throw new AppError("BAD_REQUEST", "There is no contact field with this key.");
  const unknown = Object.keys(given).find((header) => !headers.includes(header));
  if (unknown !== undefined)
    throw new AppError("BAD_REQUEST", serverText("contacts.noSuchColumn", { column: unknown }));
  const mapping = Object.fromEntries(headers.map((header) => [header, given[header] ?? "ignore"]));
  return { mapping, error: mappingError(headers, mapping) };
}

function mappingError(headers: readonly string[], mapping: TImportMapping): string | null {
  const columns = new Map<TImportTarget | TFieldTarget, string[]>();
  for (const header of headers) {
    const target = mapping[header] ?? "ignore";
    columns.set(target, [...(columns.get(target) ?? []), header]);
  }
  if (!columns.has("phone")) return "Choose the column that holds the phone number.";
  for (const [target, list] of columns) {
    if (list.length > 1 && !REPEATABLE.has(target as TImportTarget)) {
      return `Only one column can be ${isFieldTarget(target) ? target : TARGET_LABELS[target]}: ${list.map((header) => `“${header}”`).join(" and ")} are.`;
    }
  }
  return null;
}

/** What a row's lookups need: the country numbers without a code are read in, and the profiles by name. */
export type TImportContext = {
  defaultCountry: string;
  /** Numbers of stored contacts among the file's: accepted as they are (see server/contacts/phone.ts). */
  knownNumbers?: ReadonlySet<string>;
  /** Lower-case profile name → id and name. */
  profiles: ReadonlyMap<string, { id: string; name: string }>;
  /** The custom fields defined in Settings: the `field.<key>` columns' types. */
  fields?: readonly TContactFieldDefinition[];
};

/** A row ready to write: `null` (or no tags) where its cell is empty or not mapped, so it changes nothing. */
export type TImportRow = {
  line: number;
  waId: string;
  name: string | null;
  relationship: (typeof RELATIONSHIPS)[number] | null;
  priority: number | null;
  tags: string[] | null;
  notes: string | null;
  profileId: string | null;
  profileName: string | null;
  /** Yes: the contact agreed to messages we start, recorded with the source `import` (never over an opt-out). */
  optedIn: boolean | null;
  optedOut: boolean | null;
  blocked: boolean | null;
  /** The custom field values the row sets (empty cells left out: they never erase), or null for none. */
  fields: Record<string, TContactFieldValue> | null;
};

/** A row as the preview shows it: the values it would write (the number as E.164 when valid), or why not. */
export type TSampleRow = Omit<TImportRow, "waId" | "profileId" | "profileName"> & {
  phone: string;
  profile: string | null;
  reason: string | null;
};

const TRUE_WORDS = new Set(["true", "yes", "y", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "0"]);

function readBoolean(cell: string, label: string, reasons: string[]): boolean | null {
  if (cell === "") return null;
  const word = cell.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  reasons.push(`${label} “${cell}” is not yes or no (true/false, 1/0).`);
  return null;
}

/** Splits a tags cell on `;`, `|` or `,`, trimmed and without repeats. */
export function splitTags(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(/[;|,]/)
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Checks every row against the mapping: each row becomes a row to write, or a rejection with
 * every reason it has. A number seen on an earlier line rejects the later row.
 */
export function validateRows(table: TCsvTable, mapping: TImportMapping, context: TImportContext) {
  const columns = new Map<TImportTarget, number[]>();
  const fieldColumns: { index: number; field: TContactFieldDefinition }[] = [];
  table.headers.forEach((header, index) => {
    const target = mapping[header] ?? "ignore";
    if (isFieldTarget(target)) {
      const field = context.fields?.find((candidate) => `field.${candidate.key}` === target);
      if (field) fieldColumns.push({ index, field });
      return;
    }
    columns.set(target, [...(columns.get(target) ?? []), index]);
  });
  // Dates written 01/02/2025 read as the organisation's country writes them.
  const monthFirst = context.defaultCountry === "US";
  const cellOf = (cells: string[], target: TImportTarget) => {
    const index = columns.get(target)?.[0];
    return index === undefined ? "" : (cells[index] ?? "");
  };
  const valid: TImportRow[] = [];
  const rejected: TRejectedRow[] = [...table.unreadable];
  const sample: TSampleRow[] = [];
  const firstLineOf = new Map<string, number>();

  for (const { line, cells } of table.rows) {
    const reasons: string[] = [];
    const phone = cellOf(cells, "phone");
    const extra = cells.slice(table.headers.length).filter((cell) => cell !== "").length;
    if (extra > 0) {
      reasons.push(
        `The row has ${cells.length} values but the header has ${table.headers.length} columns (is a ${
          table.delimiter === "\t" ? "tab" : `“${table.delimiter}”`
        } inside a value without quotes?).`,
      );
    }
    let waId = "";
    if (phone === "") reasons.push("The number is missing.");
    else {
      const result = parsePhoneNumber(phone, context.defaultCountry, context.knownNumbers);
      if (!result.ok) reasons.push(`The number ${result.reason}.`);
      else {
        waId = result.e164;
        const first = firstLineOf.get(waId);
        if (first !== undefined) reasons.push(`Same number as line ${first}.`);
        else firstLineOf.set(waId, line);
      }
    }
    const name = cellOf(cells, "name") || null;
    if (name && name.length > 120) reasons.push("The name is longer than 120 characters.");
    const relationshipCell = cellOf(cells, "relationship");
    const relationship = RELATIONSHIPS.find((candidate) => candidate === relationshipCell.toLowerCase()) ?? null;
    if (relationshipCell !== "" && !relationship) {
      reasons.push(`Relationship “${relationshipCell}” is not one of ${RELATIONSHIPS.join(", ")}.`);
    }
    const priorityCell = cellOf(cells, "priority");
    const priority = /^\d{1,3}$/.test(priorityCell) && Number(priorityCell) <= 100 ? Number(priorityCell) : null;
    if (priorityCell !== "" && priority === null) {
      reasons.push(`Priority “${priorityCell}” is not a whole number from 0 to 100.`);
    }
    const tagCells = (columns.get("tags") ?? []).map((index) => cells[index] ?? "").filter(Boolean);
    const tags = tagCells.length > 0 ? splitTags(tagCells.join(";")) : null;
    const longTag = tags?.find((tag) => tag.length > 40);
    if (longTag) reasons.push(`The tag “${longTag.slice(0, 40)}…” is longer than 40 characters.`);
    if (tags && tags.length > MAX_CONTACT_TAGS)
      reasons.push(`The row has ${tags.length} tags; at most ${MAX_CONTACT_TAGS}.`);
    const notes = cellOf(cells, "notes") || null;
    if (notes && notes.length > 10_000) reasons.push("The notes are longer than 10,000 characters.");
    const profileCell = cellOf(cells, "profile");
    const profile = profileCell ? context.profiles.get(profileCell.toLowerCase()) : undefined;
    if (profileCell && !profile) reasons.push(`There is no profile named “${profileCell}”.`);
    const optedIn = readBoolean(cellOf(cells, "optedIn"), "Opted in", reasons);
    const optedOut = readBoolean(cellOf(cells, "optedOut"), "Opted out", reasons);
    const blocked = readBoolean(cellOf(cells, "blocked"), "Blocked", reasons);
    let fields: Record<string, TContactFieldValue> | null = null;
    for (const { index, field } of fieldColumns) {
      const cell = cells[index] ?? "";
      if (cell === "") continue;
      const coerced = coerceFieldValue(field, cell, { monthFirst });
      if (!coerced.ok) reasons.push(`${field.label} “${cell.slice(0, 40)}”: ${coerced.reason}`);
      else if (coerced.value !== null) (fields ??= {})[field.key] = coerced.value;
    }

    const row = {
      line,
      waId,
      name,
      relationship,
      priority,
      tags: tags && tags.length > 0 ? tags : null,
      notes,
      profileId: profile?.id ?? null,
      profileName: profile?.name ?? null,
      optedIn,
      optedOut,
      blocked,
      fields,
    };
    const reason = reasons.length > 0 ? reasons.join(" ") : null;
    if (reason) rejected.push({ line, reason, phone: phone || null });
    else valid.push(row);
    if (sample.length < IMPORT_SAMPLE_ROWS) {
      const { name, relationship, priority, tags, notes, optedIn, optedOut, blocked, fields } = row;
      const profile = row.profileName ?? (profileCell || null);
      sample.push({
        line,
        phone: waId || phone,
        name,
        relationship,
        priority,
        tags,
        notes,
        profile,
        optedIn,
        optedOut,
        blocked,
        fields,
        reason,
      });
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { valid, rejected, sample };
}

async function loadContext(db: TDbOrTx): Promise<TImportContext & { sessionId: string }> {
  const [{ defaultCountry }, profiles, sessionId, fields] = await Promise.all([
    getOrgSettings(db),
    db
      .select({ id: contextProfiles.id, name: contextProfiles.name })
      .from(contextProfiles)
      .orderBy(asc(contextProfiles.createdAt)),
    findDefaultSessionId(db),
    loadContactFields(db),
  ]);
  if (!sessionId) throw new AppError("CONFLICT", "There is no WhatsApp session to add contacts to yet.");
  const byName = new Map<string, { id: string; name: string }>();
  for (const profile of profiles) {
    const key = profile.name.toLowerCase();
    if (!byName.has(key)) byName.set(key, profile);
  }
  return { defaultCountry, profiles: byName, sessionId, fields };
}

const rowCount = (table: TCsvTable) => table.rows.length + table.unreadable.length;

/** Reads, maps and checks an import: everything a preview or an import needs, no writes. */
async function analyze(db: TDbOrTx, raw: TImportContactsInput) {
  const input = ZImportContactsInput.parse(raw);
  const table = readCsv(input.csv);
  const loaded = await loadContext(db);
  const { mapping, error } = resolveMapping(table.headers, input.mapping, loaded.fields);
  const phoneColumn = table.headers.findIndex((header) => mapping[header] === "phone");
  const knownNumbers =
    phoneColumn < 0
      ? new Set<string>()
      : await findKnownNumbers(
          db,
          table.rows.flatMap((row) => phoneCandidates(row.cells[phoneColumn] ?? "", loaded.defaultCountry)),
        );
  const context = { ...loaded, knownNumbers };
  const checked: ReturnType<typeof validateRows> = error
    ? { valid: [], rejected: [...table.unreadable], sample: [] }
    : validateRows(table, mapping, context);
  return { input, table, mapping, mappingError: error, context, ...(await rejectTagOverflow(db, context, checked)) };
}

/**
 * Rows that would take a known contact past the 50 tags a manual edit allows (the row's tags are
 * added to the contact's) are rejected like any other bad row, rather than written over the limit
 * or cut short.
 */
async function rejectTagOverflow(
  db: TDbOrTx,
  context: { sessionId: string },
  checked: ReturnType<typeof validateRows>,
): Promise<ReturnType<typeof validateRows>> {
  const tagged = checked.valid.filter((row) => row.tags && row.tags.length > 0);
  if (tagged.length === 0) return checked;
  const known = await db
    .select({ waId: contacts.waId, tags: contacts.tags })
    .from(contacts)
    .where(
      sql`${contacts.sessionId} = ${context.sessionId} and ${contacts.waId} = any(${pgArray(
        tagged.map((row) => row.waId),
        "text",
      )})`,
    );
  const tagsOf = new Map(known.map((contact) => [contact.waId, contact.tags]));
  const over = new Map<number, string>();
  for (const row of tagged) {
    const current = tagsOf.get(row.waId);
    if (!current) continue;
    const merged = new Set([...current, ...row.tags!]).size;
    if (merged > MAX_CONTACT_TAGS) {
      over.set(
        row.line,
        `${row.waId} already has ${current.length} tags; with this row's it would have ${merged}, at most ${MAX_CONTACT_TAGS}.`,
      );
    }
  }
  if (over.size === 0) return checked;
  const rejected = [
    ...checked.rejected,
    ...checked.valid
      .filter((row) => over.has(row.line))
      .map((row) => ({
        line: row.line,
        reason: over.get(row.line)!,
        phone: row.waId,
      })),
  ].sort((a, b) => a.line - b.line);
  return {
    valid: checked.valid.filter((row) => !over.has(row.line)),
    rejected,
    sample: checked.sample.map((row) => (over.has(row.line) ? { ...row, reason: over.get(row.line)! } : row)),
  };
}

/**
 * What importing the file would do, without writing: the headers, the mapping used (suggested
 * from the headers unless given), the first rows as they would be written, how many rows are
 * new or update a contact, and every rejected row with its line and reason.
 */
export async function previewContactImport(db: TDbOrTx, raw: TImportContactsInput) {
  const { table, mapping, mappingError, context, valid, rejected, sample } = await analyze(db, raw);
  let existing = 0;
  if (valid.length > 0) {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(contactIdentities)
      .where(
        sql`${contactIdentities.sessionId} = ${context.sessionId} and ${contactIdentities.kind} = 'phone'
          and ${contactIdentities.value} = any(${pgArray(
            valid.map((row) => row.waId),
            "text",
          )})`,
      );
    existing = row?.count ?? 0;
  }
  return {
    headers: table.headers,
    delimiter: table.delimiter,
    fields: context.fields,
    mapping,
    mappingError,
    rows: rowCount(table),
    valid: valid.length,
    toCreate: valid.length - existing,
    toUpdate: existing,
    sample,
    rejected,
  };
}

const INPUT_COLUMNS = `wa_id text, name text, relationship relationship, priority int, tags text[], notes text,
  profile_id uuid, opted_in boolean, opted_out boolean, blocked boolean, fields jsonb`;

/**
 * Imports the valid rows of a CSV file in one transaction: a number new to the default
 * session becomes a contact, a known one is updated, and a failure anywhere writes nothing.
 * An update changes only the fields whose cells are mapped and not empty (an empty cell never
 * erases), adds the row's tags to the contact's, and never clears an opt-out (a contact's own
 * choice outranks an old spreadsheet). Records `contact.created` / `contact.updated` per
 * contact and one audit entry for the file.
 */
export async function importContacts(db: TDb, actor: TActor, raw: TImportContactsInput) {
  const { input, table, mapping, mappingError, context, valid, rejected } = await analyze(db, raw);
  if (mappingError) throw new AppError("BAD_REQUEST", mappingError);
  const rejectedCsv = rejectedRowsCsv(table, rejected);
  if (valid.length === 0) return { created: 0, updated: 0, rejected, rejectedCsv };
  const fileName = input.fileName ?? null;
  const payload = JSON.stringify({ by: "import", fileName });
  const session = context.sessionId;
  // Key order: the same lock order as every other contacts upsert, so concurrent writers never deadlock.
  const rows = valid
    .map((row) => ({
      wa_id: row.waId,
      name: row.name,
      relationship: row.relationship,
      priority: row.priority,
      tags: row.tags,
      notes: row.notes,
      profile_id: row.profileId,
      opted_in: row.optedIn,
      opted_out: row.optedOut,
      blocked: row.blocked,
      fields: row.fields,
    }))
    .sort((a, b) => (a.wa_id < b.wa_id ? -1 : a.wa_id > b.wa_id ? 1 : 0));
  const chunks: (typeof rows)[] = [];
  for (let start = 0; start < rows.length; start += WRITE_CHUNK) chunks.push(rows.slice(start, start + WRITE_CHUNK));

  return db.transaction(async (tx) => {
    let created = 0;
    let updated = 0;
    for (const chunk of chunks) {
      // New numbers first; a number that exists (or is being added concurrently) is left to the update.
      const inserted = await tx.execute<{ wa_id: string }>(sql`
        with input as (select * from ${jsonRecordset(chunk, INPUT_COLUMNS)} x),
        inserted as (
          insert into ${contacts} (session_id, wa_id, name, relationship, priority, tags, notes, profile_id,
            opted_out, opted_out_at, opted_in_at, opt_in_source, blocked, fields)
          select ${session}::uuid, wa_id, name, coalesce(relationship, 'other'), coalesce(priority, 0),
            coalesce(tags, '{}'), coalesce(notes, ''), profile_id, coalesce(opted_out, false),
            case when opted_out then now() end,
            case when opted_in and not coalesce(opted_out, false) then now() end,
            case when opted_in and not coalesce(opted_out, false) then 'import' end,
            coalesce(blocked, false), coalesce(fields, '{}'::jsonb)
          from input i
          -- A number that is any contact's (a second number merged into a contact too) is an update.
          where not exists (
            select 1 from ${contactIdentities} ci
            where ci.session_id = ${session}::uuid and ci.kind = 'phone' and ci.value = i.wa_id)
          order by wa_id
          on conflict (session_id, wa_id) do nothing
          returning id, wa_id
        ), recorded as (
          insert into ${events} (type, session_id, contact_id, payload)
          select 'contact.created', ${session}::uuid, id, ${payload}::jsonb from inserted
        )
        select wa_id from inserted`);
      created += inserted.rows.length;
      const fresh = new Set(inserted.rows.map((row) => row.wa_id));
      const known = chunk.filter((row) => !fresh.has(row.wa_id));
      if (known.length === 0) continue;
      // A new statement sees contacts committed since the insert's; rows are locked in key order.
      const changed = await tx.execute<{ updated: number }>(sql`
        with input as (select * from ${jsonRecordset(known, INPUT_COLUMNS)} x),
        locked as (
          -- Found through identities: the contact a number reaches (its own, or merged into it).
          select c.id, ci.value as wa_id from ${contactIdentities} ci join ${contacts} c on c.id = ci.contact_id
          where ci.session_id = ${session}::uuid and ci.kind = 'phone' and ci.value = any(${pgArray(
            known.map((row) => row.wa_id),
            "text",
          )})
          order by c.wa_id
          for update of c
        ), updated as (
          update ${contacts} c set
            name = coalesce(i.name, c.name),
            relationship = coalesce(i.relationship, c.relationship),
            priority = coalesce(i.priority, c.priority),
            tags = case when i.tags is null then c.tags else array(
              select tag from unnest(c.tags || i.tags) with ordinality u(tag, o) group by tag order by min(o)) end,
            notes = coalesce(i.notes, c.notes),
            profile_id = coalesce(i.profile_id, c.profile_id),
            opted_out = c.opted_out or coalesce(i.opted_out, false),
            opted_out_at = case when not c.opted_out and i.opted_out then now() else c.opted_out_at end,
            -- An opt-in is recorded once, never over an opt-out (the contact's own or the row's).
            opted_in_at = case when i.opted_in and c.opted_in_at is null and not c.opted_out
              and not coalesce(i.opted_out, false) then now() else c.opted_in_at end,
            opt_in_source = case when i.opted_in and c.opted_in_at is null and not c.opted_out
              and not coalesce(i.opted_out, false) then 'import' else c.opt_in_source end,
            blocked = coalesce(i.blocked, c.blocked),
            fields = c.fields || coalesce(i.fields, '{}'::jsonb),
            updated_at = now()
          from locked l join input i on i.wa_id = l.wa_id
          where c.id = l.id
          returning c.id
        ), recorded as (
          insert into ${events} (type, session_id, contact_id, payload)
          select 'contact.updated', ${session}::uuid, id, ${payload}::jsonb from updated
        )
        select count(*)::int as updated from updated`);
      updated += changed.rows[0]?.updated ?? 0;
    }
    await recordAudit(tx, actor, {
      action: "import",
      entity: "contact",
      after: { fileName, rows: rowCount(table), created, updated, rejected: rejected.length, mapping },
    });
    return { created, updated, rejected, rejectedCsv };
  });
}

/**
 * The rejected rows as CSV, to fix and import again: the line and reason first, then the row's
 * original cells under the file's headers (the added columns are ignored on re-import).
 */
function rejectedRowsCsv(table: TCsvTable, rejected: readonly TRejectedRow[]): string {
  const byLine = new Map(table.rows.map((row) => [row.line, row.cells]));
  const lines = [["line", "reason", ...table.headers].map(csvField).join(",")];
  for (const row of rejected) {
    const cells = byLine.get(row.line) ?? [];
    lines.push([row.line, row.reason, ...table.headers.map((_, index) => cells[index] ?? "")].map(csvField).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
