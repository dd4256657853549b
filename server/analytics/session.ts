import { sql } from "drizzle-orm";
import type { TDb, TDbOrTx, TTx } from "~/db/client";

/**
 * Runs analytics queries in a read-only transaction tuned for them: enough `work_mem` that the
 * hashes and sorts of a 90-day range stay in memory (the 4 MB default spills them to disk), and
 * no JIT (compiling these plans costs more than running them).
 */
export async function withAnalyticsSettings<T>(db: TDbOrTx, run: (tx: TTx) => Promise<T>): Promise<T> {
  return (db as TDb).transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '64MB'`);
    await tx.execute(sql`set local jit = off`);
    return run(tx);
  });
}
