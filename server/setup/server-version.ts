/**
 * The oldest PostgreSQL Switchboard runs on: 14, for `bit_count` (analytics' thread bitmaps) and
 * the three-argument `date_trunc`; pg-boss 12 needs 13 already. Checked when a process prepares
 * the database, so an older server fails at start with one line instead of on the first query.
 */
export const MIN_SERVER_VERSION_NUM = 140000;

type TQueryable = { query: (text: string) => Promise<{ rows: unknown[] }> };

/** null when the server is new enough, else why not (one line). */
export async function checkServerVersion(client: TQueryable): Promise<string | null> {
  const { rows } = await client.query(
    "select current_setting('server_version_num')::int as num, current_setting('server_version') as version",
  );
  const row = rows[0] as { num: number; version: string } | undefined;
  if (!row || row.num >= MIN_SERVER_VERSION_NUM) return null;
  return `Switchboard needs PostgreSQL ${MIN_SERVER_VERSION_NUM / 10000} or newer; this server is ${row.version}`;
}
