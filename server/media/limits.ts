import type { TMediaKind } from "~/server/messages/content";
import type { TMediaEnv } from "./env";

/** One megabyte as the limits count it (a mebibyte: WhatsApp's "16 MB" is at least this). */
export const MB = 1024 * 1024;

/**
 * The largest file each media kind may be, in bytes. WhatsApp's own limits are the defaults
 * (images 5 MB, audio and video 16 MB, documents 100 MB); settings may only lower them.
 * Voice notes share the audio limit; stickers share the image limit (WhatsApp's stickers are
 * far smaller — 100 KB static, 500 KB animated — but that is for the send path to enforce: the
 * store's limit is about protecting the store, and an inbound sticker must not be lost for a
 * few kilobytes).
 */
export type TMediaLimits = Record<TMediaKind, number>;

export const WHATSAPP_MEDIA_LIMITS: TMediaLimits = {
  image: 5 * MB,
  sticker: 5 * MB,
  audio: 16 * MB,
  voice: 16 * MB,
  video: 16 * MB,
  document: 100 * MB,
};

type TLimitEnv = Pick<
  TMediaEnv,
  "MEDIA_MAX_IMAGE_MB" | "MEDIA_MAX_AUDIO_MB" | "MEDIA_MAX_VIDEO_MB" | "MEDIA_MAX_DOCUMENT_MB"
>;

/** The limits the settings ask for (`MEDIA_MAX_*_MB`, which the environment schema keeps at or under WhatsApp's). */
export function mediaLimitsFromEnv(env: TLimitEnv): TMediaLimits {
  const bytes = (mb: number, whatsapp: number) => Math.min(Math.floor(mb * MB), whatsapp);
  const image = bytes(env.MEDIA_MAX_IMAGE_MB, WHATSAPP_MEDIA_LIMITS.image);
  const audio = bytes(env.MEDIA_MAX_AUDIO_MB, WHATSAPP_MEDIA_LIMITS.audio);
  return {
    image,
    sticker: image,
    audio,
    voice: audio,
    video: bytes(env.MEDIA_MAX_VIDEO_MB, WHATSAPP_MEDIA_LIMITS.video),
    document: bytes(env.MEDIA_MAX_DOCUMENT_MB, WHATSAPP_MEDIA_LIMITS.document),
  };
}

/** The largest file of a kind, in bytes (WhatsApp's own limit without settings). */
export function maxBytesOf(kind: TMediaKind, limits: TMediaLimits = WHATSAPP_MEDIA_LIMITS): number {
  return limits[kind];
}

/** The largest file any kind accepts: what an upload whose kind the content decides may read at most. */
export function largestLimit(limits: TMediaLimits = WHATSAPP_MEDIA_LIMITS): number {
  return Math.max(...Object.values(limits));
}

/** "5 MB", "100 MB", "512 KB": a limit in words for messages. */
export function formatLimit(bytes: number): string {
  if (bytes >= MB) return `${Math.round((bytes / MB) * 10) / 10} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
