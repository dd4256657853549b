import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { eq, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaObjects } from "~/db/schema";
import { intakeMedia, MediaRefusedError, mediaRefOf, THUMB_PX } from "~/server/media/intake";
import { MB, mediaLimitsFromEnv } from "~/server/media/limits";
import { ZMediaEnv } from "~/server/media/env";
import type { TMediaStore } from "~/server/media/store";
import { ZMediaRef } from "~/server/messages/content";
import { useTestDatabase, type TTestDatabase } from "../support/database";
import { mediaStoreVariants, type TStartedMediaStore } from "../support/media-stores";
import {
  chunked,
  exeBytes,
  jpegBytes,
  oggOpusBytes,
  pdfBytes,
  pngBombBytes,
  streamOf,
  webpBytes,
} from "../support/media-fixtures";

/**
 * intakeMedia against a real Postgres and a real store: what is stored, what media_objects says,
 * thumbnails, the same file twice, and that a refused file leaves nothing behind.
 */

const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function bytesOf(store: TMediaStore, sha256: string): Promise<Buffer> {
  const found = await store.get(sha256);
  if (!found) throw new Error(`${sha256} is not in the store`);
  return Buffer.concat(await found.stream.toArray());
}

async function refusal(promise: Promise<unknown>): Promise<MediaRefusedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MediaRefusedError) return error;
    throw error;
  }
  throw new Error("the file was accepted");
}

describe.each(mediaStoreVariants())("media intake ($name store)", ({ start }) => {
  let database: TTestDatabase;
  let started: TStartedMediaStore;
  let store: TMediaStore;
  const files = () => started.listKeys();

  beforeAll(async () => {
    database = await useTestDatabase();
    started = await start();
    store = started.store;
  });
  afterAll(async () => {
    await started?.stop();
  });

  const rowCount = async () => (await database.db.select({ sha256: mediaObjects.sha256 }).from(mediaObjects)).length;
  const rowOf = async (sha256: string) =>
    (await database.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256)))[0];

  it("stores a photo, records its real type and size, and makes an upright WebP thumbnail", async () => {
    // Orientation 6: stored 1200 × 800, shown 800 × 1200.
    const jpeg = await jpegBytes(1200, 800, { orientation: 6 });
    const result = await intakeMedia(database.db, store, chunked(jpeg, 1_500), {
      kind: "image",
      claimedMimeType: "image/jpeg",
      fileName: "C:\\Users\\ana\\receipt.jpg",
    });
    expect(result).toMatchObject({
      sha256: sha256Of(jpeg),
      size: jpeg.length,
      mimeType: "image/jpeg",
      category: "image",
      kind: "image",
      fileName: "receipt.jpg",
      width: 800,
      height: 1200,
    });
    expect((await bytesOf(store, result.sha256)).equals(jpeg)).toBe(true);

    const row = await rowOf(result.sha256);
    expect(row).toMatchObject({
      size: jpeg.length,
      mimeType: "image/jpeg",
      category: "image",
      width: 800,
      height: 1200,
      thumbSha256: result.thumbSha256,
      deletedAt: null,
    });

    const thumb = await sharp(await bytesOf(store, result.thumbSha256!)).metadata();
    expect(thumb.format).toBe("webp");
    expect(Math.max(thumb.width, thumb.height)).toBe(THUMB_PX);
    expect(thumb.height).toBeGreaterThan(thumb.width);

    const ref = mediaRefOf(result);
    expect(ZMediaRef.parse(ref)).toEqual(ref);
    expect(ref).toMatchObject({
      state: "stored",
      storageKey: result.sha256,
      thumbKey: result.thumbSha256,
      mimeType: "image/jpeg",
      size: jpeg.length,
      fileName: "receipt.jpg",
    });
  });

  it("the same file twice is one row and one file; it touches last_used_at and brings back a removed file", async () => {
    const webp = await webpBytes(300, 300);
    const first = await intakeMedia(database.db, store, Readable.from([webp]), { kind: "sticker" });
    await database.db
      .update(mediaObjects)
      .set({
        lastUsedAt: sql`now() - interval '40 days'`,
        deletedAt: sql`now()`,
        deletedReason: "retention",
      })
      .where(eq(mediaObjects.sha256, first.sha256));
    await store.delete(first.sha256);
    const filesBefore = (await files()).length;

    const second = await intakeMedia(database.db, store, Readable.from([webp]), { kind: "image" });
    expect(second.sha256).toBe(first.sha256);
    expect(second.thumbSha256).toBe(first.thumbSha256);
    const rows = await database.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, first.sha256));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deletedAt).toBeNull();
    expect(rows[0]!.deletedReason).toBeNull();
    expect(Date.now() - rows[0]!.lastUsedAt.getTime()).toBeLessThan(60_000);
    expect(await store.has(first.sha256)).toBe(true);
    expect((await files()).length).toBe(filesBefore + 1);
  });

  it("a voice note is stored as OGG/Opus audio, without a thumbnail", async () => {
    const ogg = oggOpusBytes(2);
    const result = await intakeMedia(database.db, store, Readable.from([ogg]), {
      kind: "voice",
      claimedMimeType: "audio/ogg; codecs=opus",
    });
    expect(result).toMatchObject({ mimeType: "audio/ogg; codecs=opus", category: "audio", kind: "voice" });
    expect(result.thumbSha256).toBeUndefined();
    expect(await rowOf(result.sha256)).toMatchObject({ category: "audio", thumbSha256: null, width: null });
  });

  it("without a kind, the content decides", async () => {
    const result = await intakeMedia(database.db, store, Readable.from([pdfBytes("auto")]), {
      claimedMimeType: "application/pdf",
      fileName: "auto.pdf",
    });
    expect(result).toMatchObject({ kind: "document", category: "document", mimeType: "application/pdf" });
  });

  it("a file past its kind's limit is cut off while it streams and leaves nothing behind", async () => {
    const before = await files();
    const source = streamOf(await jpegBytes(), 6 * MB);
    const error = await refusal(intakeMedia(database.db, store, source, { kind: "image" }));
    expect(error.code).toBe("too_large");
    expect(error.values).toMatchObject({ kind: "image", limit: "5 MB" });
    expect(source.destroyed).toBe(true);
    expect(await files()).toEqual(before);
    const count = await rowCount();

    // Lowered by the settings, and lower still by the caller.
    const limits = mediaLimitsFromEnv(ZMediaEnv.parse({ MEDIA_MAX_DOCUMENT_MB: "1" }));
    const document = await refusal(
      intakeMedia(database.db, store, streamOf(pdfBytes(), 2 * MB), { kind: "document" }, limits),
    );
    expect(document.values.limit).toBe("1 MB");
    const callers = await refusal(
      intakeMedia(database.db, store, streamOf(pdfBytes(), 200_000), { kind: "document", maxBytes: 100_000 }),
    );
    expect(callers.code).toBe("too_large");
    expect(await files()).toEqual(before);
    expect(await rowCount()).toBe(count);
  });

  it("a file whose content contradicts its claim, a program, or nothing at all is refused and not stored", async () => {
    const before = await files();
    const lying = await refusal(
      intakeMedia(database.db, store, Readable.from([pdfBytes()]), {
        kind: "image",
        claimedMimeType: "image/jpeg",
        fileName: "photo.jpg",
      }),
    );
    expect(lying.code).toBe("type_mismatch");
    expect(lying.detail).toBe("the file claims to be image/jpeg but its content is application/pdf");
    const program = await refusal(
      intakeMedia(database.db, store, Readable.from([exeBytes()]), { kind: "document", fileName: "setup.exe" }),
    );
    expect(program.code).toBe("unsupported_type");
    const empty = await refusal(intakeMedia(database.db, store, Readable.from([]), { kind: "document" }));
    expect(empty.code).toBe("empty");
    expect(await files()).toEqual(before);
    expect(await rowOf(sha256Of(pdfBytes()))).toBeUndefined();
  });

  it("a picture sharp cannot decode (a decompression bomb) is stored without a thumbnail, and says so in the log", async () => {
    const bomb = pngBombBytes();
    const warnings: unknown[] = [];
    const result = await intakeMedia(database.db, store, Readable.from([bomb]), { kind: "image" }, undefined, {
      logger: { warn: (...args: unknown[]) => warnings.push(args) },
    });
    expect(result).toMatchObject({ mimeType: "image/png", category: "image" });
    expect(result.thumbSha256).toBeUndefined();
    expect(warnings).toHaveLength(1);
    const [fields, message] = warnings[0] as [{ err: Error }, string];
    expect(message).toContain("thumbnail");
    // Refused by sharp's pixel limit, before decoding 900 megapixels.
    expect(fields.err.message).toMatch(/pixel limit/i);
    expect(await rowOf(result.sha256)).toMatchObject({ thumbSha256: null });
  });

  it("a source that fails halfway fails the intake and leaves nothing behind", async () => {
    const before = await files();
    const head = await jpegBytes(900, 900);
    async function* failing() {
      yield head.subarray(0, 10_000);
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error("connection reset by the engine");
    }
    await expect(intakeMedia(database.db, store, Readable.from(failing()), { kind: "image" })).rejects.toThrow(
      "connection reset by the engine",
    );
    expect(await files()).toEqual(before);
    expect(await rowOf(sha256Of(head))).toBeUndefined();
  });

  it("a large document streams through the store without being held whole", async () => {
    const size = 60 * MB;
    const hash = createHash("sha256");
    for await (const chunk of streamOf(pdfBytes(), size)) hash.update(chunk as Buffer);
    // How far reading the source runs ahead of what the store has taken: a whole-file buffer
    // would be the file's size; streaming keeps only what is in flight.
    let produced = 0;
    let consumed = 0;
    let lag = 0;
    const source = streamOf(pdfBytes(), size).on("data", (chunk: Buffer) => {
      produced += chunk.length;
      lag = Math.max(lag, produced - consumed);
    });
    source.pause();
    const watched: TMediaStore = {
      ...store,
      put: (input, options) => {
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            consumed += chunk.length;
            lag = Math.max(lag, produced - consumed);
            callback(null, chunk);
          },
        });
        pipeline(input, counter).catch(() => undefined);
        return store.put(counter, options);
      },
    };
    const result = await intakeMedia(database.db, watched, source, { kind: "document", fileName: "big.pdf" });
    expect(result).toMatchObject({ size, mimeType: "application/pdf", sha256: hash.digest("hex") });
    expect(consumed).toBe(size);
    expect(lag).toBeLessThan(2 * MB);
  });
});
