import { pruneMedia } from "~/server/media/retention";
import { getOrgSettings } from "~/server/settings/settings";
import type { TJobHandler } from "../runtime";

/** `media.retention` (daily cron): removes media not used for the days set in Settings; nothing while they are kept forever. */
export const handleMediaRetention: TJobHandler<"media.retention"> = async (_payload, { db, log, mediaStore }) => {
  const { mediaRetentionDays } = await getOrgSettings(db);
  if (mediaRetentionDays === null) return;
  if (!mediaStore) {
    log.warn("media retention skipped: this worker was started without a media store");
    return;
  }
  const freed = await pruneMedia(db, mediaStore, { olderThanDays: mediaRetentionDays });
  if (freed.files > 0)
    log.info({ ...freed, olderThanDays: mediaRetentionDays, store: mediaStore.description }, "media pruned");
};
