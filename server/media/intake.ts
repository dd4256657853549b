import type { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import type { TDbOrTx } from "~/db/client";
import { mediaObjects, type TMediaCategory } from "~/db/schema/media";
import type { Logger } from "~/server/logger";
import type { TMediaKind, TMediaRef } from "~/server/messages/content";
import { formatLimit, maxBytesOf, WHATSAPP_MEDIA_LIMITS, type TMediaLimits } from "./limits";
import { checkSniffed, MediaRefusedError, peekHead, sniffHead, type TKindOrAuto } from "./sniff";
import { MediaTooLargeError, type TMediaStore } from "./store";

export { MediaRefusedError, type TRefusalValues } from "./sniff";

/** What the caller knows of a file before its bytes: the kind it is to be, what it claims, its name and a lower limit. */
export type TIntakeExpect = {
  /** The kind the file is to be sent or shown as; omitted (or `auto`): the content decides. */
  kind?: TMediaKind | Extract<TKindOrAuto, "auto">;
  /** The type the sender or engine says it is (checked, never trusted). */
  claimedMimeType?: string;
  fileName?: string;
  /** A limit lower than the kind's (bytes). */
  maxBytes?: number;
};

/** A file taken in: where it is in the store and what it really is. */
export type TIntakeResult = {
  sha256: string;
  size: number;
  /** The real type, from the content. */
  mimeType: string;
  category: TMediaCategory;
  kind: TMediaKind;
  fileName?: string;
  width?: number;
  height?: number;
  /** The thumbnail (images and stickers), a WebP in the store. */
  thumbSha256?: string;
};

/** The thumbnail's bounding box, in pixels. */
export const THUMB_PX = 320;
/** Decoding stops past this many pixels (sharp's own default, kept explicit): a small file cannot unpack into gigabytes. */
export const MAX_INPUT_PIXELS = 268_402_689;
const MAX_THUMB_BYTES = 1024 * 1024;

export type TIntakeOptions = {
  /** Where a thumbnail that could not be made is reported (it never fails the intake). */
  logger?: Pick<Logger, "warn">;
};

/**
 * The one door for bytes from outside (WhatsApp downloads, uploads, the API): finds the real
 * type from the first bytes, refuses what the content contradicts or what may not be kept
 * (`MediaRefusedError`), streams the file into the store with the kind's size limit (cut off
 * while it streams), records it in `media_objects` (or touches `last_used_at`, and brings back
 * a file retention had removed), and makes an image's thumbnail. Nothing is held in memory but
 * the first few kilobytes (and sharp's copy of an image, bounded by the image limit).
 */
export async function intakeMedia(
  db: TDbOrTx,
  store: TMediaStore,
  source: Readable,
  expect: TIntakeExpect,
  limits: TMediaLimits = WHATSAPP_MEDIA_LIMITS,
  options: TIntakeOptions = {},
): Promise<TIntakeResult> {
  let peeked: Awaited<ReturnType<typeof peekHead>>;
  try {
    peeked = await peekHead(source);
  } catch (error) {
    source.destroy();
    throw error;
  }
  const { head, isComplete, stream } = peeked;
  if (head.length === 0) {
    stream.destroy();
    throw new MediaRefusedError("empty", "the file is empty");
  }
  const fileName = cleanFileName(expect.fileName);
  let checked: ReturnType<typeof checkSniffed>;
  try {
    const sniffed = await sniffHead(head, { isComplete, claimedMimeType: expect.claimedMimeType, fileName });
    checked = checkSniffed(sniffed, { kind: expect.kind, claimedMimeType: expect.claimedMimeType, fileName });
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const kindLimit = maxBytesOf(checked.kind, limits);
  const maxBytes = Math.min(kindLimit, expect.maxBytes ?? Number.POSITIVE_INFINITY);
  let stored: { sha256: string; size: number };
  try {
    stored = await store.put(stream, { maxBytes });
  } catch (error) {
    stream.destroy();
    if (error instanceof MediaTooLargeError) {
      throw new MediaRefusedError(
        "too_large",
        `the file is larger than ${maxBytes < kindLimit ? "the limit" : `the ${checked.kind} limit`} of ${formatLimit(maxBytes)}`,
        { kind: checked.kind, limit: formatLimit(maxBytes) },
      );
    }
    throw error;
  }

  const [existing] = await db
    .select({
      width: mediaObjects.width,
      height: mediaObjects.height,
      thumbSha256: mediaObjects.thumbSha256,
    })
    .from(mediaObjects)
    .where(eq(mediaObjects.sha256, stored.sha256));
  let picture: { width?: number; height?: number; thumbSha256?: string } = {};
  if (checked.category === "image") {
    const known = existing?.thumbSha256 && (await store.has(existing.thumbSha256));
    picture = known
      ? {
          ...(existing.width !== null ? { width: existing.width } : {}),
          ...(existing.height !== null ? { height: existing.height } : {}),
          thumbSha256: existing.thumbSha256!,
        }
      : await makeThumbnail(store, stored.sha256, options);
  }

  // Retention may be removing this very file (its row marked, the bytes being deleted under the
  // row's lock): the row is taken back under that lock, and only while the bytes are there. A
  // `put` that found them and skipped writing may have raced their deletion: then this fails, and
  // the caller tries again (a download job is retried; an upload is refused with "try again").
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ deletedAt: mediaObjects.deletedAt })
      .from(mediaObjects)
      .where(eq(mediaObjects.sha256, stored.sha256))
      .for("update");
    if (current?.deletedAt && !(await store.has(stored.sha256))) throw new MediaRemovedMeanwhileError();
    await upsertObject(tx, stored, checked, picture);
  });

  return {
    sha256: stored.sha256,
    size: stored.size,
    mimeType: checked.mimeType,
    category: checked.category,
    kind: checked.kind,
    ...(fileName ? { fileName } : {}),
    ...picture,
  };
}

/** The same file was removed by retention while it was being stored again: storing it once more works. */
export class MediaRemovedMeanwhileError extends Error {
  constructor() {
    super("the same file was being removed by retention as it arrived; store it again");
    this.name = "MediaRemovedMeanwhileError";
  }
}

async function upsertObject(
  db: TDbOrTx,
  stored: { sha256: string; size: number },
  checked: { mimeType: string; category: TMediaCategory },
  picture: { width?: number; height?: number; thumbSha256?: string },
) {
  await db
    .insert(mediaObjects)
    .values({
      sha256: stored.sha256,
      size: stored.size,
      mimeType: checked.mimeType,
      category: checked.category,
      width: picture.width ?? null,
      height: picture.height ?? null,
      thumbSha256: picture.thumbSha256 ?? null,
    })
    .onConflictDoUpdate({
      target: mediaObjects.sha256,
      set: {
        size: sql`excluded.size`,
        mimeType: sql`excluded.mime_type`,
        category: sql`excluded.category`,
        width: sql`coalesce(excluded.width, ${mediaObjects.width})`,
        height: sql`coalesce(excluded.height, ${mediaObjects.height})`,
        thumbSha256: sql`coalesce(excluded.thumb_sha256, ${mediaObjects.thumbSha256})`,
        lastUsedAt: sql`now()`,
        deletedAt: null,
        deletedReason: null,
      },
    });
}

/**
 * An image's size and a small WebP of it (fit in 320 px, turned upright), made by sharp from the
 * stored file as a stream and put in the store. A picture sharp cannot read gets no thumbnail:
 * logged, never a failed intake.
 */
async function makeThumbnail(
  store: TMediaStore,
  sha256: string,
  options: TIntakeOptions,
): Promise<{ width?: number; height?: number; thumbSha256?: string }> {
  const found = await store.get(sha256);
  if (!found) return {};
  const image = sharp({ limitInputPixels: MAX_INPUT_PIXELS, failOn: "error", sequentialRead: true });
  found.stream.on("error", (error) => image.destroy(error));
  found.stream.pipe(image);
  let size: { width?: number; height?: number } = {};
  try {
    const metadata = await image.metadata();
    const upright = metadata.autoOrient;
    size = {
      ...(upright.width ? { width: upright.width } : {}),
      ...(upright.height ? { height: upright.height } : {}),
    };
    const thumbnail = image
      .autoOrient()
      .resize(THUMB_PX, THUMB_PX, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 70 });
    const thumb = await store.put(thumbnail, { maxBytes: MAX_THUMB_BYTES });
    return { ...size, thumbSha256: thumb.sha256 };
  } catch (error) {
    found.stream.destroy();
    image.destroy();
    options.logger?.warn({ err: error, sha256 }, "could not make the image's thumbnail; it is shown without one");
    return size;
  }
}

/** A file name fit to keep and show: its last path segment, without control characters, at most 255 characters. */
export function cleanFileName(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  // eslint-disable-next-line no-control-regex
  const base = (fileName.split(/[/\\]/).at(-1) ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  const clean = base.toWellFormed().slice(0, 255).toWellFormed();
  return clean && clean !== "." && clean !== ".." ? clean : undefined;
}

/** The media reference a message keeps for a file taken in: stored, with its real type, size, key and thumbnail. */
export function mediaRefOf(result: TIntakeResult): TMediaRef {
  return {
    mimeType: result.mimeType,
    ...(result.fileName ? { fileName: result.fileName.slice(0, 500) } : {}),
    size: result.size,
    sha256: result.sha256,
    storageKey: result.sha256,
    state: "stored",
    ...(result.thumbSha256 ? { thumbKey: result.thumbSha256 } : {}),
    ...(result.width !== undefined ? { width: result.width } : {}),
    ...(result.height !== undefined ? { height: result.height } : {}),
  };
}
