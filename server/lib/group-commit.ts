/**
 * Group commit: items submitted in the same turn of the event loop, or while a write is in
 * flight, are written together, so a burst costs a few statements instead of one per item. A
 * lone item waits only for the current turn to end (`setImmediate`, no timer, no linger): the
 * continuations of one awaited write (sixteen sends resolved by the same phone write, each
 * recording its send) then share one write instead of one taking the first alone. `write` gets
 * a batch and returns one result per item, in order; if it throws, every item of that batch is
 * retried alone, so one bad item fails only itself.
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
  let scheduled = false;

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
        if (running < parallel && !scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            if (running < parallel) void drain();
          });
        }
      });
    },
  };
}
