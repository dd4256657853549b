import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";

/**
 * Tables a refused request may still write, by design: the API key's per-minute counter and its
 * last use are recorded before the request is looked at.
 */
const WRITTEN_BY_ANY_REQUEST = new Set(["api_key_usage", "api_keys"]);

/**
 * A cheap fingerprint of everything a request could have written: for every table of `public`
 * (but those above) its row count and the newest transaction that wrote a row (`max(xmin)`, so
 * updates show even where there is no `updated_at`), plus the number of pg-boss jobs. Equal
 * fingerprints before and after a request mean it wrote nothing.
 */
export async function databaseFingerprint(db: TDb): Promise<string> {
  const { rows: tables } = await db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const parts = tables
    .filter((table) => !WRITTEN_BY_ANY_REQUEST.has(table.name))
    .map(
      (table) =>
        sql`select ${table.name} as name, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text as print from ${sql.identifier(table.name)}`,
    );
  parts.push(sql`select 'pgboss.job' as name, count(*)::text as print from pgboss.job`);
  const { rows } = await db.execute<{ name: string; print: string }>(sql.join(parts, sql` union all `));
  return rows.map((row) => `${row.name}=${row.print}`).join(" ");
}

/** The tables whose part differs between two fingerprints (for a readable failure). */
export function fingerprintDifference(before: string, after: string): string[] {
  const parse = (print: string) => new Map(print.split(" ").map((part) => part.split("=") as [string, string]));
  const a = parse(before);
  const b = parse(after);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((name) => a.get(name) !== b.get(name))
    .map((name) => `${name}: ${a.get(name)} → ${b.get(name)}`);
}
