import { inArray } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { mediaObjects } from "~/db/schema";
import { isMediaKey } from "~/server/media/store";
import { signedMediaLinks, type TMediaLinks } from "~/server/media/urls";
import { mediaOf, type TMediaRef, type TMessageContent } from "~/server/messages/content";

/**
 * How long a link the dashboard shows stays valid: short, because the pages' queries refetch
 * (on live events, on focus, and when an image finds its link expired).
 */
export const DASHBOARD_MEDIA_TTL_S = 15 * 60;

export type TMediaLinkOptions = {
  /** APP_SECRET (urls.ts derives the signing key from it). */
  secret: string;
  ttlS: number;
  /** Absolute links (webhooks, the API); the dashboard uses relative ones. */
  origin?: string;
  now?: Date;
};

/** The options for links in the dashboard's own queries (relative, 15 minutes). */
export function dashboardMediaLinks(secret: string): TMediaLinkOptions {
  return { secret, ttlS: DASHBOARD_MEDIA_TTL_S };
}

/** An item as `attachMediaLinks` returns it: its content with the file's effective state, and its links. */
export type TWithMediaLinks<T extends { content: TMessageContent }> = T & { mediaLinks: TMediaLinks | null };

/**
 * Gives each message of a page what the dashboard needs to show its file: signed, expiring
 * links (full file, thumbnail, download) for a stored file, and the file's effective state in
 * `content.media`: a file retention removed since the message was written reads as `removed`
 * (with `errorDetail` = the removal's reason), so the view never shows a broken image. One query to
 * `media_objects` for the whole page. Pending, failed and metadata-only media get no links; without
 * `options`, nothing gets links (the states are still made effective).
 */
export async function attachMediaLinks<T extends { content: TMessageContent }>(
  db: TDbOrTx,
  items: readonly T[],
  options: TMediaLinkOptions | undefined,
): Promise<TWithMediaLinks<T>[]> {
  const keys = new Set<string>();
  for (const item of items) {
    const media = mediaOf(item.content);
    if (media?.state === "stored" && media.storageKey && isMediaKey(media.storageKey)) keys.add(media.storageKey);
  }
  const objects = keys.size
    ? await db
        .select({
          sha256: mediaObjects.sha256,
          width: mediaObjects.width,
          height: mediaObjects.height,
          thumbSha256: mediaObjects.thumbSha256,
          deletedAt: mediaObjects.deletedAt,
          deletedReason: mediaObjects.deletedReason,
        })
        .from(mediaObjects)
        .where(inArray(mediaObjects.sha256, [...keys]))
    : [];
  const byKey = new Map(objects.map((object) => [object.sha256, object]));
  return items.map((item) => {
    const media = mediaOf(item.content);
    if (!media || media.state !== "stored") return { ...item, mediaLinks: null };
    const object = media.storageKey ? byKey.get(media.storageKey) : undefined;
    if (!object || object.deletedAt) {
      // Gone from the store (retention, or a store that lost it): say so rather than link to nothing.
      const removed: TMediaRef = {
        ...media,
        state: "removed",
        error: "removed",
        ...(object?.deletedReason ? { errorDetail: object.deletedReason } : {}),
        thumbKey: undefined,
      };
      return { ...item, content: withMedia(item.content, removed), mediaLinks: null };
    }
    // The object row knows what intake measured; a reference written before that (or by an
    // engine) may lack it, and the view needs the size to reserve the image's place.
    const effective: TMediaRef = {
      ...media,
      width: media.width ?? object.width ?? undefined,
      height: media.height ?? object.height ?? undefined,
      thumbKey: media.thumbKey ?? object.thumbSha256 ?? undefined,
    };
    return {
      ...item,
      content: withMedia(item.content, effective),
      mediaLinks: options ? signedMediaLinks(effective, options) : null,
    };
  });
}

function withMedia(content: TMessageContent, media: TMediaRef): TMessageContent {
  return "media" in content ? { ...content, media } : content;
}
