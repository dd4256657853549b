import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, mediaAssets, mediaObjects } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createLogger } from "~/server/logger";
import { mediaUsage, pruneMedia } from "~/server/media/retention";
import type { TMediaStore } from "~/server/media/store";
import { handleMediaRetention } from "~/workers/handlers/media-retention";
import type { TJobContext } from "~/workers/runtime";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { mediaStoreVariants, type TStartedMediaStore } from "../support/media-stores";
import { testContext } from "../support/trpc-context";

const DAY_MS = 86_400_000;
let counter = 0;

describe.each(mediaStoreVariants())("media retention with the $name store", ({ start }) => {
  let database: TTestDatabase;
  let started: TStartedMediaStore;
  let store: TMediaStore;
  let setRetention: (days: number | null) => Promise<unknown>;

  beforeAll(async () => {
    database = await useTestDatabase();
    started = await start();
    store = started.store;
    const admin = await insertUser(database.db, "admin");
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    setRetention = (days) => caller.settings.update({ mediaRetentionDays: days });
  });
  afterAll(() => started?.stop());

  /** A stored file last used `daysAgo` days ago (a distinct content each time). */
  const storeFile = async (daysAgo: number, options: { size?: number; thumbSha256?: string } = {}) => {
    counter += 1;
    const bytes = Buffer.alloc(options.size ?? 1000 + counter, counter % 256);
    bytes.write(`file ${counter}`);
    const stored = await store.put(Readable.from([bytes]), { maxBytes: 1024 * 1024 });
    expect(stored.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const at = new Date(Date.now() - daysAgo * DAY_MS);
    await database.db.insert(mediaObjects).values({
      sha256: stored.sha256,
      size: stored.size,
      mimeType: "image/jpeg",
      category: "image",
      thumbSha256: options.thumbSha256 ?? null,
      createdAt: at,
      lastUsedAt: at,
    });
    return stored;
  };
  /** A thumbnail as intake makes one: in the store, without a row of its own. */
  const storeThumb = async (size: number) => {
    counter += 1;
    const bytes = Buffer.alloc(size, counter % 256);
    bytes.write(`thumb ${counter}`);
    return store.put(Readable.from([bytes]), { maxBytes: 1024 * 1024 });
  };
  const rowOf = async (sha256: string) =>
    (await database.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, sha256)))[0];
  const prunedEvents = () => database.db.select().from(events).where(eq(events.type, "media.pruned"));
  const runHandler = () =>
    handleMediaRetention({}, {
      db: database.db,
      log: createLogger("test", "silent"),
      mediaStore: store,
    } as unknown as TJobContext);
  const clear = async () => {
    await database.db.delete(mediaAssets).where(sql`true`);
    await database.db.delete(mediaObjects).where(sql`true`);
    await database.db.delete(events).where(eq(events.type, "media.pruned"));
  };

  it("[retention] with the setting unset (forever), nothing is removed", async () => {
    await clear();
    const old = await storeFile(4_000);
    await runHandler();
    expect(await store.has(old.sha256)).toBe(true);
    expect((await rowOf(old.sha256))?.deletedAt).toBeNull();
    expect(await prunedEvents()).toEqual([]);
  });

  it("[retention] removes old files and their thumbnails, keeps recent and library files, says what it freed", async () => {
    await clear();
    await setRetention(30);
    const oldThumb = await storeThumb(300);
    const old = await storeFile(40, { size: 5_000, thumbSha256: oldThumb.sha256 });
    const recent = await storeFile(5);
    const libraryThumb = await storeThumb(200);
    const library = await storeFile(400, { thumbSha256: libraryThumb.sha256 });
    await database.db.insert(mediaAssets).values({
      name: "Price list",
      sha256: library.sha256,
      kind: "image",
      mimeType: "image/jpeg",
      size: library.size,
    });
    const before = await mediaUsage(database.db);
    expect(before).toEqual({ files: 3, bytes: old.size + recent.size + library.size });

    await runHandler();

    expect(await store.has(old.sha256)).toBe(false);
    expect(await store.has(oldThumb.sha256)).toBe(false);
    expect(await rowOf(old.sha256)).toMatchObject({ deletedReason: "retention" });
    expect((await rowOf(old.sha256))?.deletedAt).toBeInstanceOf(Date);
    for (const kept of [recent, library]) {
      expect(await store.has(kept.sha256)).toBe(true);
      expect((await rowOf(kept.sha256))?.deletedAt).toBeNull();
    }
    expect(await store.has(libraryThumb.sha256)).toBe(true);
    const recorded = await prunedEvents();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.payload).toEqual({ files: 1, bytes: old.size + oldThumb.size, olderThanDays: 30 });
    expect(await mediaUsage(database.db)).toEqual({ files: 2, bytes: recent.size + library.size });

    // A second run finds nothing more, and says nothing.
    expect(await pruneMedia(database.db, store, { olderThanDays: 30 })).toEqual({ files: 0, bytes: 0 });
    expect(await prunedEvents()).toHaveLength(1);
  });

  it("[retention] prunes in batches until nothing old is left, with one event for the run", async () => {
    await clear();
    const old = [];
    for (let index = 0; index < 5; index += 1) old.push(await storeFile(100 + index));
    const recent = await storeFile(1);
    const freed = await pruneMedia(database.db, store, { olderThanDays: 30, batchSize: 2 });
    expect(freed).toEqual({ files: 5, bytes: old.reduce((sum, file) => sum + file.size, 0) });
    for (const file of old) expect(await store.has(file.sha256)).toBe(false);
    expect(await store.has(recent.sha256)).toBe(true);
    expect(await prunedEvents()).toHaveLength(1);
  });

  it("[retention] a file the store fails to remove stays recorded as stored, and the next run retries it", async () => {
    await clear();
    const stuck = await storeFile(100);
    const fine = await storeFile(100);
    const failing: TMediaStore = {
      ...store,
      delete: async (sha256) => {
        if (sha256 === stuck.sha256) throw new Error('S3 DeleteObject on bucket "x" failed: AccessDenied');
        await store.delete(sha256);
      },
    };
    await expect(pruneMedia(database.db, failing, { olderThanDays: 30 })).rejects.toThrow(/AccessDenied/);
    expect((await rowOf(stuck.sha256))?.deletedAt).toBeNull();
    expect(await store.has(stuck.sha256)).toBe(true);
    expect(await store.has(fine.sha256)).toBe(false);
    expect((await prunedEvents())[0]?.payload).toMatchObject({ files: 1, bytes: fine.size });

    expect(await pruneMedia(database.db, store, { olderThanDays: 30 })).toEqual({ files: 1, bytes: stuck.size });
    expect(await store.has(stuck.sha256)).toBe(false);
  });
});
