import { sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { events, simulatorDeliveries, webhookDeliveries } from "~/db/schema";
import { deleteMessagesBefore } from "~/server/conversations/erase";
import { pgArray } from "~/server/lib/sql";
import type { TMediaStore } from "~/server/media/store";
import { finishErasedMedia, markUnsharedMedia } from "./erase";

/** Messages deleted per transaction: a large backlog is worked through without one huge transaction. */
export const MESSAGE_PRUNE_BATCH = 1_000;
const DAY_MS = 86_400_000;

export type TMessagePrune = { messages: number; mediaFiles: number };

/**
 * Message retention: deletes the messages created more than `olderThanDays` days ago (through
 * server/conversations), oldest first, in batches of MESSAGE_PRUNE_BATCH each in its own short
 * transaction, with what copies their content: the events about them (and the webhook deliveries
 * made from those events), the simulator's copies, the `message.rejected` events of the same age, and their media files nothing else uses (marked
 * in the batch, removed from the store after it commits). Conversations, contacts and aggregates
 * that do not identify anyone (hourly counts, response times, rule hits, thread bitmaps) stay.
 * Messages still waiting to be sent are left alone. Returns what went (the job logs it).
 */
export async function pruneOldMessages(
  db: TDb,
  store: TMediaStore | null,
  options: { olderThanDays: number; now?: Date; batchSize?: number },
): Promise<TMessagePrune> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? MESSAGE_PRUNE_BATCH;
  const cutoff = new Date(now.getTime() - options.olderThanDays * DAY_MS);
  const pruned: TMessagePrune = { messages: 0, mediaFiles: 0 };
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const deleted = await deleteMessagesBefore(tx, cutoff, batchSize);
      if (deleted.messageIds.length === 0) return { count: 0, media: 0 };
      const ids = pgArray(deleted.messageIds, "uuid");
      const { rows: eventRows } = await tx.execute<{ id: string }>(
        sql`delete from ${events} where message_id = any(${ids}) returning id`,
      );
      if (eventRows.length > 0)
        await tx.execute(
          sql`delete from ${webhookDeliveries} where event_id = any(${pgArray(
            eventRows.map((row) => row.id),
            "uuid",
          )})`,
        );
      await tx.execute(
        sql`delete from ${simulatorDeliveries} where client_ref = any(${pgArray(deleted.messageIds, "text")})`,
      );
      const media = await markUnsharedMedia(tx, deleted.mediaKeys);
      return { count: deleted.messageIds.length, media: media.marked };
    });
    pruned.messages += batch.count;
    pruned.mediaFiles += batch.media;
    if (batch.count < batchSize) break;
  }
  // Messages ingest could not store (`message.rejected`: the raw message, sender and text) go
  // after the same time, with the webhook deliveries made from them.
  for (;;) {
    const gone = await db.transaction(async (tx) => {
      const { rows } = await tx.execute<{ id: string }>(sql`
        delete from ${events} where id in (
          select id from ${events} where type = 'message.rejected' and at < ${cutoff.toISOString()}
          limit ${batchSize})
        returning id`);
      if (rows.length > 0)
        await tx.execute(
          sql`delete from ${webhookDeliveries} where event_id = any(${pgArray(
            rows.map((row) => row.id),
            "uuid",
          )})`,
        );
      return rows.length;
    });
    if (gone < batchSize) break;
  }
  if (store) await finishErasedMedia(db, store);
  return pruned;
}
