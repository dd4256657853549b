import type { TDbOrTx } from "~/db/client";
import { AppError } from "~/server/errors";
import { fieldLabel, findUnstorableText, unstorableTextMessage } from "~/server/lib/storable-text";
import { listContacts, type TListContactsInput, ZListContactsInput } from "./contacts";
import { loadContactFields } from "./fields";

/**
 * The export's filters from its URL (`?search=…&tag=…&optedOut=true…`), checked like any input:
 * text Postgres cannot store (a NUL) and bad values are a 400 with the reason, never a failure
 * halfway through the download.
 */
export function readExportFilters(searchParams: URLSearchParams): TListContactsInput {
  const params = Object.fromEntries(searchParams);
  const unstorable = findUnstorableText(params);
  if (unstorable) throw new AppError("BAD_REQUEST", unstorableTextMessage(fieldLabel(unstorable.path), unstorable));
  const parsed = ZListContactsInput.omit({ cursor: true, limit: true }).safeParse({
    ...params,
    ...(params.optedOut ? { optedOut: params.optedOut === "true" } : {}),
    ...(params.minPriority ? { minPriority: Number(params.minPriority) } : {}),
    // A filter on a custom field: ?fieldKey=plan&fieldOp=eq&fieldValue=gold.
    ...(params.fieldKey
      ? { field: { key: params.fieldKey, op: params.fieldOp ?? "eq", value: params.fieldValue ?? "" } }
      : {}),
  });
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      parsed.error.issues.map((issue) => `${fieldLabel(issue.path)}: ${issue.message}`).join("; "),
    );
  }
  return parsed.data;
}

export const CONTACT_CSV_COLUMNS = [
  "phone",
  "name",
  "relationship",
  "priority",
  "tags",
  "opted_out",
  "first_seen_at",
  "last_interaction_at",
] as const;

/** One CSV field: quoted when it holds a comma, quote or line break; formula-looking text defused. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = String(value);
  // A leading = + - @ makes spreadsheets run the cell as a formula: prefix it to keep it text.
  if (/^[=+\-@\t\r]/.test(text) && typeof value === "string" && !/^\+\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header of a custom field's column: what the import reads back. */
export const fieldColumn = (key: string) => `field.${key}`;

/**
 * Every contact matching the list's filters, as CSV (header first), read page by page with the
 * same keyset the list uses, so an export of 100,000 contacts never holds them all at once.
 * Each custom field is a column `field.<key>` after the fixed ones, in the fields' order.
 */
export async function* exportContactsCsv(db: TDbOrTx, filters: TListContactsInput): AsyncGenerator<string> {
  const keys = (await loadContactFields(db)).map((field) => field.key);
  yield `${[...CONTACT_CSV_COLUMNS, ...keys.map(fieldColumn)].map(csvField).join(",")}\r\n`;
  let cursor: string | undefined;
  do {
    const page = await listContacts(db, { ...filters, cursor, limit: 200 });
    yield page.contacts
      .map(
        (contact) =>
          [
            contact.waId,
            contact.name,
            contact.relationship,
            contact.priority,
            contact.tags.join(";"),
            contact.optedOut,
            contact.firstSeenAt.toISOString(),
            contact.lastInteractionAt?.toISOString() ?? null,
            ...keys.map((key) => contact.fields[key] ?? null),
          ]
            .map(csvField)
            .join(",") + "\r\n",
      )
      .join("");
    cursor = page.next ?? undefined;
  } while (cursor);
}
