import { finishErasedMedia } from "~/server/data-rights/erase";
import { pruneOldMessages } from "~/server/data-rights/retention";
import { getOrgSettings } from "~/server/settings/settings";
import type { TJobHandler } from "../runtime";

/**
 * `messages.retention` (daily cron): deletes messages older than the days set in Settings (kept
 * forever by default), and finishes removing media files an erasure marked but a crash left.
 */
export const handleMessageRetention: TJobHandler<"messages.retention"> = async (_payload, { db, log, mediaStore }) => {
  const { messageRetentionDays } = await getOrgSettings(db);
  if (messageRetentionDays !== null) {
    const pruned = await pruneOldMessages(db, mediaStore ?? null, { olderThanDays: messageRetentionDays });
    if (pruned.messages > 0) log.info({ ...pruned, olderThanDays: messageRetentionDays }, "messages pruned");
  }
  if (!mediaStore) {
    log.warn("erased media not removed: this worker was started without a media store");
    return;
  }
  const finished = await finishErasedMedia(db, mediaStore);
  if (finished > 0) log.info({ files: finished }, "erased media removed");
};

/** `media.erased`: removes the files an erasure marked, right after it committed (the web has no store to spare for it). */
export const handleErasedMedia: TJobHandler<"media.erased"> = async (_payload, { db, log, mediaStore }) => {
  if (!mediaStore) {
    log.warn("erased media not removed: this worker was started without a media store");
    return;
  }
  const finished = await finishErasedMedia(db, mediaStore);
  if (finished > 0) log.info({ files: finished }, "erased media removed");
};
