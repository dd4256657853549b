import type { PgBoss } from "pg-boss";
import { webEnv } from "~/server/env";
import type { TQueueSize } from "~/server/health/health";
import { createBoss } from "./boss";
import { DEAD_LETTER_QUEUE, QUEUE_NAMES } from "./queues";

const globalForBoss = globalThis as unknown as { switchboardBoss?: Promise<PgBoss> };

/** The web process's pg-boss client: sends jobs and reads queue sizes; it never works jobs. */
export function getWebBoss(): Promise<PgBoss> {
  globalForBoss.switchboardBoss ??= createBoss(webEnv().DATABASE_URL, "web")
    .start()
    .catch((error: unknown) => {
      globalForBoss.switchboardBoss = undefined;
      throw error;
    });
  return globalForBoss.switchboardBoss;
}

/** Sizes of every declared queue and the dead-letter queue, as pg-boss last counted them. */
export async function readQueueSizes(boss: PgBoss): Promise<TQueueSize[]> {
  const queues = await boss.getQueues([...QUEUE_NAMES, DEAD_LETTER_QUEUE]);
  return queues.map((queue) => ({
    name: queue.name,
    queued: queue.queuedCount,
    active: queue.activeCount,
    failed: queue.failedCount,
    deferred: queue.deferredCount,
  }));
}
