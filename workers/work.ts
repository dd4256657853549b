import type { Job, JobResult, PgBoss, WorkOptions } from "pg-boss";
import { WORK_POLLING } from "~/server/jobs/queues";

export type TWorkOptions = {
  /** Jobs fetched at once; they run concurrently. */
  batchSize: number;
  /** Fetch loops of this worker on the queue. */
  localConcurrency: number;
} & Omit<WorkOptions, "batchSize" | "localConcurrency" | "perJobResults" | "transactional">;

/**
 * Works a queue in batches and settles every job on its own: one failing job is retried alone,
 * the others complete. While batches come back full the worker fetches again at once
 * (pg-boss otherwise waits a polling interval after every fetch, which caps a queue at a few
 * jobs a second); NOTIFY wakes it when new jobs arrive.
 */
export function workBatched<T>(
  boss: PgBoss,
  name: string,
  options: TWorkOptions,
  handleOne: (job: Job<T>) => Promise<void>,
): Promise<string> {
  return boss.work<T, unknown, WorkOptions & { perJobResults: true }>(
    name,
    { ...WORK_POLLING, burstWhenBatchFull: true, ...options, perJobResults: true },
    async (jobs) =>
      Promise.all(
        jobs.map(async (job): Promise<JobResult> => {
          try {
            await handleOne(job);
            return { id: job.id, status: "completed" };
          } catch (error) {
            return {
              id: job.id,
              status: "failed",
              output: { message: error instanceof Error ? error.message : String(error) },
            };
          }
        }),
      ),
  );
}
