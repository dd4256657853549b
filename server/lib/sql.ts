import { sql, type SQL } from "drizzle-orm";

/**
 * Rows sent as one JSON parameter and read back as a table: `(select * from
 * json_to_recordset($1) as x(columns) limit n)`. The LIMIT tells the planner the real row
 * count; without it the function is guessed at 100 rows, and joins against big tables turn into
 * scans instead of index probes.
 */
export function jsonRecordset(rows: readonly object[], columns: string): SQL {
  return sql`(select * from json_to_recordset(${JSON.stringify(rows)}::json) as x(${sql.raw(columns)}) limit ${sql.raw(
    String(rows.length),
  )})`;
}

/**
 * A Postgres array parameter, `'{a,b}'::type[]`, for values that need no quoting: UUIDs and
 * enum labels. (drizzle would expand a JS array into a list of parameters instead.)
 */
export function pgArray(values: readonly string[], type: "uuid" | "text" | "relationship"): SQL {
  return sql`${`{${values.join(",")}}`}::${sql.raw(type)}[]`;
}
