import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { knowledgeSources, mediaAssets, mediaObjects } from "~/db/schema";
import { recordEvent } from "~/server/events/events";
import type { TMediaStore } from "./store";

/** Files marked and removed per transaction: a big store is pruned without one huge transaction. */
export const PRUNE_BATCH = 500;
const DAY_MS = 86_400_000;

export type TMediaAmount = { files: number; bytes: number };

/** What the media store holds: the files recorded and not removed (thumbnails, a few KB each, not counted). For Settings → Media. */
export async function mediaUsage(db: TDbOrTx): Promise<TMediaAmount> {
  const [row] = await db
    .select({
      files: sql<number>`count(*)::int`,
      bytes: sql<number>`coalesce(sum(${mediaObjects.size}), 0)::bigint`.mapWith(Number),
    })
    .from(mediaObjects)
    .where(isNull(mediaObjects.deletedAt));
  return { files: row?.files ?? 0, bytes: row?.bytes ?? 0 };
}

/**
 * Retention: removes the files in `media_objects` not used for `olderThanDays` days
 * (`last_used_at`), not removed yet, not in the media library (`media_assets`) and not a
 * knowledge source's file (`knowledge_sources.media_sha256`, indexed again from it), with their
 * thumbnails (unless a file still kept uses the same one). A thumbnail goes with its image,
 * never on its own while the image is kept. `files` counts the media files removed; `bytes`
 * includes their thumbnails.
 *
 * Per batch of PRUNE_BATCH (`batchSize`), oldest first: the rows are marked removed (`deleted_at`,
 * `deleted_reason = 'retention'`) in a short transaction that re-checks the conditions under
 * row locks (skip locked: two workers prune different files), then the files are deleted from
 * the store, each under its row's lock and only if still marked. Marking first means a message
 * never points at a file the database still calls stored; the same file arriving again while its
 * batch is pruned is taken back by intake under the same lock (see `intakeMedia`), so either
 * its bytes stay or intake fails and is tried again; a file whose deletion fails is unmarked again, so the next run retries it, and the
 * error is thrown after the batch. Returns what was freed, and records one `media.pruned` event
 * when anything was.
 */
export async function pruneMedia(
  db: TDb,
  store: TMediaStore,
  options: {
    olderThanDays: number;
    now?: Date;
    batchSize?: number;
    /** Test-only seam: runs after a batch is marked, before its files are deleted. */
    hooks?: { afterMark?: () => Promise<void> };
  },
): Promise<TMediaAmount> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? PRUNE_BATCH;
  const cutoff = new Date(now.getTime() - options.olderThanDays * DAY_MS);
  const freed: TMediaAmount = { files: 0, bytes: 0 };
  let failure: Error | null = null;

  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const { rows: files } = await tx.execute<{ sha256: string; size: string; thumb_sha256: string | null }>(sql`
        with candidates as (
          select o.sha256 from ${mediaObjects} o
          where o.deleted_at is null and o.last_used_at < ${cutoff.toISOString()}
            and not exists (select 1 from ${mediaAssets} a where a.sha256 = o.sha256)
            and not exists (select 1 from ${knowledgeSources} k where k.media_sha256 = o.sha256)
            and not exists (select 1 from ${mediaObjects} p where p.thumb_sha256 = o.sha256 and p.deleted_at is null)
          order by o.last_used_at
          limit ${batchSize}
          for update of o skip locked
        )
        update ${mediaObjects} m set deleted_at = ${now.toISOString()}, deleted_reason = 'retention'
        from candidates c where m.sha256 = c.sha256
        returning m.sha256, m.size, m.thumb_sha256`);
      // Thumbnails no kept file uses any more (their rows, when they have one, are marked too).
      const thumbs = [...new Set(files.flatMap((file) => (file.thumb_sha256 ? [file.thumb_sha256] : [])))];
      let unusedThumbs: string[] = [];
      if (thumbs.length > 0) {
        const stillUsed = await tx
          .select({ sha256: mediaObjects.thumbSha256 })
          .from(mediaObjects)
          .where(and(inArray(mediaObjects.thumbSha256, thumbs), isNull(mediaObjects.deletedAt)));
        const inLibrary = await tx
          .select({ sha256: mediaAssets.sha256 })
          .from(mediaAssets)
          .where(inArray(mediaAssets.sha256, thumbs));
        const kept = new Set([...stillUsed, ...inLibrary].map((row) => row.sha256));
        unusedThumbs = thumbs.filter((sha256) => !kept.has(sha256));
      }
      const thumbRows =
        unusedThumbs.length === 0
          ? []
          : await tx
              .update(mediaObjects)
              .set({ deletedAt: now, deletedReason: "retention" })
              .where(and(inArray(mediaObjects.sha256, unusedThumbs), isNull(mediaObjects.deletedAt)))
              .returning({ sha256: mediaObjects.sha256, size: mediaObjects.size });
      return {
        files: files.map((file) => ({ sha256: file.sha256, size: Number(file.size) })),
        thumbs: unusedThumbs.map((sha256) => ({
          sha256,
          size: thumbRows.find((row) => row.sha256 === sha256)?.size ?? null,
        })),
      };
    });

    await options.hooks?.afterMark?.();
    const failed: string[] = [];
    for (const file of batch.files) {
      try {
        // Under the row's lock, and only while it is still marked: the same file arriving again
        // meanwhile (intake takes the lock too) has taken it back, and keeps its bytes.
        const removed = await db.transaction(async (tx) => {
          const [row] = await tx
            .select({ deletedAt: mediaObjects.deletedAt })
            .from(mediaObjects)
            .where(eq(mediaObjects.sha256, file.sha256))
            .for("update");
          if (!row?.deletedAt) return false;
          await store.delete(file.sha256);
          return true;
        });
        if (removed) {
          freed.files += 1;
          freed.bytes += file.size;
        }
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(`could not remove ${file.sha256} from the media store`);
        failed.push(file.sha256);
      }
    }
    // Thumbnails count in the bytes freed, not as files. Intake stores them without a row of
    // their own, so their size is asked of the store (one byte read).
    for (const thumb of batch.thumbs) {
      try {
        let size = thumb.size;
        if (size === null) {
          const found = await store.get(thumb.sha256, { start: 0, end: 0 });
          found?.stream.destroy();
          size = found?.size ?? 0;
        }
        await store.delete(thumb.sha256);
        freed.bytes += size;
      } catch (error) {
        // Its image is gone either way; a thumbnail left behind is small and unreachable.
        failure ??= error instanceof Error ? error : new Error(`could not remove ${thumb.sha256} from the media store`);
      }
    }
    if (failed.length > 0)
      await db
        .update(mediaObjects)
        .set({ deletedAt: null, deletedReason: null })
        .where(inArray(mediaObjects.sha256, failed));
    if (failed.length > 0 || batch.files.length < batchSize) break;
  }

  if (freed.files > 0)
    await recordEvent(db, {
      type: "media.pruned",
      payload: { files: freed.files, bytes: freed.bytes, olderThanDays: options.olderThanDays },
    });
  if (failure) throw failure;
  return freed;
}
