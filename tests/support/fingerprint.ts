import { sql } from "drizzle-orm";
import type pg from "pg";
import type { TDb } from "~/db/client";

/**
 * Tables a refused request may still write, by design: the API key's per-minute counter and its
 * last use are recorded before the request is looked at.
 */
const WRITTEN_BY_ANY_REQUEST = new Set(["api_key_usage", "api_keys"]);

const statements = new WeakMap<TDb, Promise<string>>();

/** One statement over every table of `public` (but those above) and pg-boss's jobs, built once per database. */
async function fingerprintStatement(db: TDb): Promise<string> {
  const { rows } = await db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const parts = rows
    .filter((table) => !WRITTEN_BY_ANY_REQUEST.has(table.name))
    .map(
      (table) =>
        `select '${table.name}' || '=' || count(*) || ':' || coalesce(max(xmin::text::bigint), 0) as part from "${table.name}"`,
    );
  parts.push(`select 'pgboss.job=' || count(*) as part from pgboss.job`);
  return `select string_agg(part, ' ' order by part) as print from (${parts.join(" union all ")}) parts`;
}

/**
 * A cheap fingerprint of everything a request could have written: for every table of `public`
 * (but those above) its row count and the newest transaction that wrote a row (`max(xmin)`, so
 * updates show even where there is no `updated_at`), plus the number of pg-boss jobs. Equal
 * fingerprints before and after a request mean it wrote nothing. A prepared statement, so a
 * call costs a few milliseconds.
 */
export async function databaseFingerprint(db: TDb): Promise<string> {
  let statement = statements.get(db);
  if (!statement) {
    statement = fingerprintStatement(db);
    statements.set(db, statement);
  }
  const client = (db as TDb & { $client: pg.Pool }).$client;
  const { rows } = await client.query<{ print: string }>({ name: "fingerprint", text: await statement });
  return rows[0]!.print;
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
