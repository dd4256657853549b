import { z } from "zod";
import {
  isMediaKind,
  mediaOf,
  ZMediaRef,
  ZMessageContent,
  type TMediaRef,
  type TMessageContent,
} from "~/server/messages/content";

/**
 * A message's content as other systems read it (REST API answers, webhook payloads): the same
 * content, each media reference with signed, expiring, ABSOLUTE links to its bytes. The links are
 * made when the answer or the delivery is made (never stored), so a webhook retried hours later
 * still carries a link that works.
 */

/** Signed links to a stored file (server/media/urls.ts `signedMediaLinks`). */
export type TMediaLinks = { url: string; thumbUrl?: string; downloadUrl: string; expiresAt: string };

/** Makes the links of a stored file; null when it cannot (the file is not stored). */
export type TMediaLinker = (media: TMediaRef) => TMediaLinks | null;

/** Why a media reference has no links: its file is not in the store (pending, failed, removed), or no public address is configured. */
export const MEDIA_LINK_GAPS = ["not_stored", "no_public_url"] as const;
export type TMediaLinkGap = (typeof MEDIA_LINK_GAPS)[number];

const ZAbsoluteUrl = z.url();
const ZInstant = z.iso.datetime({ offset: true });

export const ZPublicMediaRef = ZMediaRef.extend({
  url: ZAbsoluteUrl.nullable().meta({
    description:
      "A signed link to the file, shown inline in a browser where that is safe; valid until `expiresAt`. Null when `linkUnavailable` says why.",
    example: "https://switchboard.example.com/api/media/9f86d081…?exp=1764600000&sig=…",
  }),
  thumbUrl: ZAbsoluteUrl.nullable().meta({
    description: "A signed link to the server-made thumbnail (images only), valid until `expiresAt`",
  }),
  downloadUrl: ZAbsoluteUrl.nullable().meta({
    description: "The same file, served as an attachment with its file name; valid until `expiresAt`",
  }),
  expiresAt: ZInstant.nullable().meta({
    description: "When the links stop working (MEDIA_URL_TTL_S after this answer was made)",
  }),
  linkUnavailable: z.enum(MEDIA_LINK_GAPS).nullable().meta({
    description:
      "Why there are no links: `not_stored` (the file is still downloading, failed — see `state` and `error` — or was removed), `no_public_url` (the server has no public address to link to: set NEXTAUTH_URL)",
  }),
}).meta({
  id: "PublicMediaReference",
  description: "A media file's type and size, and signed, expiring links to download it.",
});
export type TPublicMediaRef = z.infer<typeof ZPublicMediaRef>;

const OPTIONS = ZMessageContent.options.map((option) =>
  isMediaKind(option.shape.kind.value) ? (option as z.ZodObject).extend({ media: ZPublicMediaRef.optional() }) : option,
);

/** `MessageContent` with links on its media (see `ZPublicMediaRef`). */
export const ZPublicMessageContent = z
  .discriminatedUnion("kind", OPTIONS as unknown as [z.ZodObject, ...z.ZodObject[]])
  .meta({
    id: "PublicMessageContent",
    description: "What the message carries, by kind; a media file's `media` has signed links to its bytes.",
  });
export type TPublicMessageContent = Omit<TMessageContent, "media"> & { media?: TPublicMediaRef };

/** A media reference with its links, or with why it has none. */
export function publicMediaRef(media: TMediaRef, linker: TMediaLinker | null): TPublicMediaRef {
  const none = (gap: TMediaLinkGap): TPublicMediaRef => ({
    ...media,
    url: null,
    thumbUrl: null,
    downloadUrl: null,
    expiresAt: null,
    linkUnavailable: gap,
  });
  if (media.state !== "stored" || !media.storageKey) return none("not_stored");
  if (!linker) return none("no_public_url");
  const links = linker(media);
  if (!links) return none("not_stored");
  return {
    ...media,
    url: links.url,
    thumbUrl: links.thumbUrl ?? null,
    downloadUrl: links.downloadUrl,
    expiresAt: links.expiresAt,
    linkUnavailable: null,
  };
}

/** A content as other systems read it: unchanged unless it carries media, whose reference then gets its links. */
export function publicContent(content: TMessageContent, linker: TMediaLinker | null): TPublicMessageContent {
  const media = mediaOf(content);
  if (!media) return content as TPublicMessageContent;
  return { ...content, media: publicMediaRef(media, linker) };
}
