import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { createDb, type TDb } from "~/db/client";
import { startEmbeddedPostgres } from "~/db/embedded";
import { createLogger } from "~/server/logger";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { freePort } from "../support/ports";

export type TBenchDatabase = { url: string; db: TDb; pool: pg.Pool };

/**
 * A prepared database for a benchmark: `DATABASE_URL` when set, else an embedded Postgres in a
 * temporary folder, removed afterwards.
 */
export async function withBenchDatabase<T>(run: (database: TBenchDatabase) => Promise<T>): Promise<T> {
  let dataDir: string | null = null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-bench-"));
    await chmod(dataDir, 0o755);
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: await freePort(),
      database: "bench",
      // Statement counts per message (tests/bench/pipeline.ts) only when asked for
      // (BENCH_STATEMENTS=1): pg_stat_statements costs this pipeline about a fifth of its
      // throughput, so the timed figures are measured without it.
      ...(process.env.BENCH_STATEMENTS === "1"
        ? { settings: { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "top" } }
        : {}),
    });
    url = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const { db, pool } = createDb(url, { max: 20 });
  try {
    await prepareDatabase(
      { pool, db, url, admin: { ADMIN_NAME: "Bench", ADMIN_PASSWORD: "bench-password-1" } },
      createLogger("bench", "warn"),
    );
    return await run({ url, db, pool });
  } finally {
    await pool.end();
    if (stopEmbedded) await stopEmbedded();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
