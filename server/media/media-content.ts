import type { TMediaKind, TMediaRef, TMessageContent } from "~/server/messages/content";

/**
 * A media message's content built from a stored file (no database, no store: the rules'
 * planner, which the dashboard's test panel also runs, builds a rule's file reply with it).
 */

/** A stored file's row, as a message's media reference (state `stored`). */
export function storedMediaRef(
  file: {
    sha256: string;
    mimeType: string;
    size: number;
    width?: number | null;
    height?: number | null;
    thumbSha256?: string | null;
  },
  fileName?: string | null,
): TMediaRef {
  return {
    mimeType: file.mimeType,
    ...(fileName ? { fileName } : {}),
    size: file.size,
    sha256: file.sha256,
    storageKey: file.sha256,
    state: "stored",
    ...(file.thumbSha256 ? { thumbKey: file.thumbSha256 } : {}),
    ...(file.width ? { width: file.width } : {}),
    ...(file.height ? { height: file.height } : {}),
  };
}

/** The content of a media message: the kind, its file, and the caption when there is one. */
export function mediaContent(kind: TMediaKind, media: TMediaRef, caption?: string | null): TMessageContent {
  const text = caption?.trim();
  return { kind, media, ...(text ? { caption: text } : {}) };
}
