import type { Job, JobResult, PgBoss, WorkOptions } from "pg-boss";
import { WORK_POLLING } from "~/server/jobs/queues";
import { metrics } from "~/server/metrics/metrics";

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
          const timed = metrics.timeJob(name);
          try {
            await handleOne(job);
            timed("completed");
            return { id: job.id, status: "completed" };
          } catch (error) {
            timed("failed");
            return failure(job, error);
          }
        }),
      ),
  );
}

/**
 * Works a queue a whole fetched batch at a time: `handleBatch` settles the batch at once (one
 * transaction for many jobs), and may return the jobs that failed alone, with their errors
 * (they are retried; the others complete). If the batch throws, each of its jobs is run again on its own, so
 * one poisonous job fails (and retries, then dead-letters) alone instead of taking its batch
 * with it.
 */
export function workInBatches<T>(
  boss: PgBoss,
  name: string,
  options: TWorkOptions,
  handleBatch: (jobs: Job<T>[]) => Promise<Map<string, unknown> | void>,
): Promise<string> {
  return boss.work<T, unknown, WorkOptions & { perJobResults: true }>(
    name,
    { ...WORK_POLLING, burstWhenBatchFull: true, ...options, perJobResults: true },
    async (jobs): Promise<JobResult[]> => {
      const timed = metrics.timeJob(name);
      try {
        const failed = (await handleBatch(jobs)) ?? new Map<string, unknown>();
        timed("completed", jobs.length - failed.size);
        timed("failed", failed.size);
        return jobs.map((job) =>
          failed.has(job.id) ? failure(job, failed.get(job.id)) : { id: job.id, status: "completed" },
        );
      } catch (error) {
        timed("failed", jobs.length);
        if (jobs.length === 1) return [failure(jobs[0]!, error)];
        const results: JobResult[] = [];
        for (const job of jobs) {
          try {
            const failed = (await handleBatch([job])) ?? new Map<string, unknown>();
            results.push(failed.has(job.id) ? failure(job, failed.get(job.id)) : { id: job.id, status: "completed" });
          } catch (alone) {
            results.push(failure(job, alone));
          }
        }
        return results;
      }
    },
  );
}

function failure(job: Job<unknown>, error: unknown): JobResult {
  return {
    id: job.id,
    status: "failed",
    output: { message: error instanceof Error ? error.message : String(error) },
  };
}
