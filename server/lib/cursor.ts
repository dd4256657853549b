import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import { AppError } from "~/server/errors";
import { findUnstorableText } from "~/server/lib/storable-text";

/**
 * Page cursors and dates from outside, checked before they reach SQL.
 *
 * A cursor comes back from the client, so it may be forged: a well-formed base64 of the wrong
 * shape, a date Postgres cannot hold, an id that is not a UUID. Each of those used to reach SQL
 * (an empty cast, "timestamp out of range") and answer 500. Every list decodes its cursor here,
 * against a zod schema of its shape, and a bad one is one clear 400.
 */

export const INVALID_CURSOR = "This cursor is not valid; start from the first page.";

const MIN_TIME = Date.UTC(1, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A date Postgres `timestamptz` can hold and a person can mean: years 1 to 9999. */
export const ZStorableDate = z
  .union([z.date(), z.string().max(100), z.number()])
  .pipe(z.coerce.date({ error: "Not a date" }))
  .refine((date) => date.getTime() >= MIN_TIME && date.getTime() <= MAX_TIME, "Pick a date from year 1 to 9999");

/** An ISO 8601 instant (keeping microseconds, which a `Date` would lose) in years 1 to 9999. */
export const ZStorableInstant = z.iso
  .datetime({ offset: true })
  .refine((text) => !text.startsWith("0000-") && Number.isFinite(Date.parse(text)), "Pick a date from year 1 to 9999");

/**
 * A cursor given as a value (tRPC lists): any problem with it, whatever the field, is the one
 * message above, under the cursor's own field. Types stay those of `schema`.
 */
export function zCursor<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, z.input<T>> {
  return z.any().transform((value: unknown, context) => {
    const parsed = schema.safeParse(value);
    if (parsed.success && !findUnstorableText(parsed.data)) return parsed.data;
    context.addIssue({ code: "custom", message: INVALID_CURSOR });
    return z.NEVER;
  });
}

/** A cursor as the opaque text lists hand out (the REST API's `next`): base64url of JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** The value of a cursor made by `encodeCursor`, checked against its shape; a 400 naming `cursor` otherwise. */
export function decodeCursor<T extends z.ZodType>(text: string, schema: T): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  // The text of a cursor passed the NUL check as base64; what it decodes to has not.
  if (!parsed.success || findUnstorableText(parsed.data)) {
    throw new AppError("BAD_REQUEST", INVALID_CURSOR, { cursor: INVALID_CURSOR });
  }
  return parsed.data;
}

/**
 * A `timestamptz` column as the ISO text a cursor carries, microseconds kept (UTC, `…SS.ffffffZ`):
 * a JS `Date` keeps milliseconds, and rows sharing a millisecond at a page boundary were lost.
 */
export function cursorInstant(column: PgColumn | SQL): SQL<string | null> {
  return sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
