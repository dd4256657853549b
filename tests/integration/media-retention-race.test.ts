import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaObjects } from "~/db/schema";
import { intakeMedia, MediaRemovedMeanwhileError } from "~/server/media/intake";
import { pruneMedia } from "~/server/media/retention";
import type { TMediaStore } from "~/server/media/store";
import { useTestDatabase, type TTestDatabase } from "../support/database";
import { pdfBytes } from "../support/media-fixtures";
import { mediaStoreVariants, type TStartedMediaStore } from "../support/media-stores";

/**
 * The same file arriving again while retention removes it, in both orders that matter, made
 * deterministic through seams: either the bytes stay and the row says stored, or intake fails
 * (and storing again works). Never a row that says stored over bytes that are gone.
 */
describe.each(mediaStoreVariants())("retention and intake of the same file with the $name store", ({ start }) => {
  let database: TTestDatabase;
  let started: TStartedMediaStore;
  let store: TMediaStore;
  let counter = 0;

  beforeAll(async () => {
    database = await useTestDatabase();
    started = await start();
    store = started.store;
  });
  afterAll(() => started?.stop());

  /** A document stored through intake, then made look unused for 40 days. */
  async function oldFile() {
    counter += 1;
    const bytes = pdfBytes(`race ${counter}`);
    const result = await intakeMedia(database.db, store, Readable.from([bytes]), { kind: "document" });
    await database.db
      .update(mediaObjects)
      .set({ lastUsedAt: sql`now() - interval '40 days'` })
      .where(eq(mediaObjects.sha256, result.sha256));
    return { bytes, sha256: result.sha256 };
  }
  const rowOf = async (sha256: string) =>
    (await database.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256)))[0];

  it("a file arriving after its row was marked, before its bytes were deleted, keeps its bytes", async () => {
    const file = await oldFile();
    const freed = await pruneMedia(database.db, store, {
      olderThanDays: 30,
      hooks: {
        afterMark: async () => {
          expect((await rowOf(file.sha256))?.deletedAt).not.toBeNull();
          await intakeMedia(database.db, store, Readable.from([file.bytes]), { kind: "document" });
        },
      },
    });
    expect(freed.files).toBe(0);
    expect(await store.has(file.sha256)).toBe(true);
    expect((await rowOf(file.sha256))?.deletedAt).toBeNull();
  });

  it("a file whose store write was skipped as its bytes were being deleted fails, and storing it again works", async () => {
    const file = await oldFile();
    // The put finds the bytes (and skips writing); retention then marks and deletes them before
    // intake records the file.
    const racing: TMediaStore = {
      ...store,
      put: async (source, options) => {
        const stored = await store.put(source, options);
        await pruneMedia(database.db, store, { olderThanDays: 30 });
        return stored;
      },
    };
    await expect(
      intakeMedia(database.db, racing, Readable.from([file.bytes]), { kind: "document" }),
    ).rejects.toBeInstanceOf(MediaRemovedMeanwhileError);
    expect((await rowOf(file.sha256))?.deletedAt).not.toBeNull();
    expect(await store.has(file.sha256)).toBe(false);

    await intakeMedia(database.db, store, Readable.from([file.bytes]), { kind: "document" });
    expect((await rowOf(file.sha256))?.deletedAt).toBeNull();
    expect(await store.has(file.sha256)).toBe(true);
  });
});
