/**
 * Group commit: items submitted while a write is in flight are written together in the next
 * one, so a burst costs a few statements instead of one per item, and a lone item waits for
 * nobody (no timer, no linger). `write` gets a batch and returns one result per item, in order;
 * if it throws, every item of that batch is retried alone, so one bad item fails only itself.
 */
export function createGroupCommit<TItem, TResult>(
  write: (items: TItem[]) => Promise<TResult[]>,
  options: { maxBatch?: number; parallel?: number } = {},
) {
  const maxBatch = options.maxBatch ?? 50;
  const parallel = options.parallel ?? 1;
  type TPending = { item: TItem; resolve: (result: TResult) => void; reject: (error: unknown) => void };
  const waiting: TPending[] = [];
  let running = 0;

  async function writeBatch(batch: TPending[]) {
    try {
      const results = await write(batch.map((pending) => pending.item));
      batch.forEach((pending, index) => pending.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) await writeBatch([pending]);
    }
  }

  async function drain() {
    running += 1;
    try {
      for (let batch = waiting.splice(0, maxBatch); batch.length > 0; batch = waiting.splice(0, maxBatch)) {
        await writeBatch(batch);
      }
    } finally {
      running -= 1;
    }
  }

  return {
    submit(item: TItem): Promise<TResult> {
      return new Promise<TResult>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        if (running < parallel) void drain();
      });
    },
  };
}
