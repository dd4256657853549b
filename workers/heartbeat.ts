import os from "node:os";
import { eq } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { workerHeartbeats } from "~/db/schema";

export type THeartbeat = { stop: () => Promise<void> };

/**
 * Upserts this worker's row every `intervalMs`. The web's /api/health reads its age; a
 * worker that dies simply stops beating. `stop()` marks the row as stopped.
 */
export async function startHeartbeat(
  db: TDb,
  options: { workerId: string; intervalMs: number; version: string; onError: (error: unknown) => void },
): Promise<THeartbeat> {
  const startedAt = new Date();
  const beat = async () => {
    const rss = process.memoryUsage.rss();
    const row = {
      hostname: os.hostname(),
      pid: String(process.pid),
      version: options.version,
      startedAt,
      beatAt: new Date(),
      stoppedAt: null,
      // rssMb for readers of the first version; rssBytes for health (the worker process alone).
      info: { rssMb: Math.round(rss / 1e6), rssBytes: rss },
    };
    // A worker restarted with the same identity (WORKER_ID) takes its predecessor's row over.
    await db
      .insert(workerHeartbeats)
      .values({ workerId: options.workerId, ...row })
      .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: row });
  };
  await beat();
  const timer = setInterval(() => void beat().catch(options.onError), options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await db
        .update(workerHeartbeats)
        .set({ stoppedAt: new Date() })
        .where(eq(workerHeartbeats.workerId, options.workerId));
    },
  };
}
