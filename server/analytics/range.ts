import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { AppError } from "~/server/errors";
import { getOrgSettings } from "~/server/settings/settings";

const ZDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD")
  .refine((day) => {
    const parsed = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === day;
  }, "Not a date in the calendar")
  // The previous period and the time-zone arithmetic must stay inside what Postgres dates hold.
  .refine((day) => day >= "1970-01-01" && day <= "2999-12-31", "Pick a day from 1970 to 2999");

/** A range of whole days in the organisation's time zone, both ends included, and an optional session. */
export const ZRangeInput = z
  .object({ from: ZDay, to: ZDay, sessionId: z.uuid().nullable().default(null) })
  .refine((range) => range.from <= range.to, { message: "The range ends before it starts", path: ["to"] })
  .refine((range) => (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 <= 366, {
    message: "At most a year at a time",
    path: ["to"],
  });
export type TRangeInput = z.input<typeof ZRangeInput>;

/** The range as instants: [start, end), the previous period of the same length, the time zone. */
export type TRange = {
  start: Date;
  end: Date;
  previousStart: Date;
  timeZone: string;
  sessionId: string | null;
  days: number;
};

/** Resolves days in the org's time zone to instants (Postgres does the calendar arithmetic, DST included). */
export async function resolveRange(db: TDbOrTx, raw: TRangeInput): Promise<TRange> {
  const parsed = ZRangeInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("BAD_REQUEST", issue.message, { [issue.path.join(".") || "range"]: issue.message });
  }
  const input = parsed.data;
  const { timeZone } = await getOrgSettings(db);
  const days = Math.round((Date.parse(input.to) - Date.parse(input.from)) / 86_400_000) + 1;
  const { rows } = await db.execute<{ start: string; end: string; previous_start: string }>(sql`
    select
      (${input.from}::date)::timestamp at time zone ${timeZone} as start,
      ((${input.to}::date + 1))::timestamp at time zone ${timeZone} as end,
      ((${input.from}::date - ${days}::int))::timestamp at time zone ${timeZone} as previous_start`);
  const row = rows[0]!;
  return {
    start: new Date(row.start),
    end: new Date(row.end),
    previousStart: new Date(row.previous_start),
    timeZone,
    sessionId: input.sessionId,
    days,
  };
}

/** `column = sessionId` when the range has a session, else true. */
export function sessionFilter(column: SQL | string, sessionId: string | null): SQL {
  if (!sessionId) return sql`true`;
  return sql`${typeof column === "string" ? sql.raw(column) : column} = ${sessionId}::uuid`;
}
