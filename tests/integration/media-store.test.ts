import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ZMediaEnv } from "~/server/media/env";
import { MediaTooLargeError, type TMediaStore } from "~/server/media/store";
import { createMediaStore } from "~/server/media/store-env";
import { mediaStoreVariants, type TStartedMediaStore } from "~/tests/support/media-stores";
import { startS3Server, type TS3Server } from "~/tests/support/s3-server";

const MB = 1024 * 1024;
const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Deterministic bytes, different in each chunk (so a reordered or repeated part changes the hash). */
function chunkAt(index: number, size: number): Buffer {
  const chunk = Buffer.alloc(size, index % 251);
  chunk.writeUInt32BE(index, 0);
  return chunk;
}

/** A source of `total` bytes made as it is read; counts what was pulled. */
function generated(total: number, chunkSize = 64 * 1024, onChunk?: (index: number) => void) {
  const hash = createHash("sha256");
  const state = { pulled: 0, sha256: "" };
  const stream = Readable.from(
    (function* () {
      for (let index = 0; index * chunkSize < total; index += 1) {
        const chunk = chunkAt(index, Math.min(chunkSize, total - index * chunkSize));
        state.pulled += chunk.length;
        hash.update(chunk);
        onChunk?.(index);
        yield chunk;
      }
      state.sha256 = hash.digest("hex");
    })(),
  );
  return { stream, state };
}

/** A source that sends `before` bytes, then fails. */
function failingAfter(before: number) {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= before) {
        this.destroy(new Error("the phone went away"));
        return;
      }
      const chunk = chunkAt(sent, Math.min(64 * 1024, before - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** `gc()` without --expose-gc: lets the memory test count live buffers, not garbage. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe.each(mediaStoreVariants())("the $name media store", ({ name, start }) => {
  let started: TStartedMediaStore;
  let store: TMediaStore;
  beforeAll(async () => {
    started = await start();
    store = started.store;
  });
  afterAll(() => started?.stop());
  // A failed test must not fail the next ones through its leftovers.
  afterEach(async () => {
    for (const key of await started.listKeys()) await store.delete(key.split("/").at(-1)!);
  });

  /** What is in the store apart from `keep` (files of earlier tests). */
  const leftovers = async (keep: string[] = []) =>
    (await started.listKeys()).filter((key) => !keep.some((sha256) => key.endsWith(sha256)));

  it("[media store] stores, finds, reads and removes a file by its SHA-256", async () => {
    const bytes = Buffer.from("a receipt, photographed\n".repeat(100));
    const stored = await store.put(Readable.from([bytes]), { maxBytes: MB });
    expect(stored).toEqual({ sha256: sha256Of(bytes), size: bytes.length });
    expect(await store.has(stored.sha256)).toBe(true);
    const got = await store.get(stored.sha256);
    expect(got?.size).toBe(bytes.length);
    expect((await readAll(got!.stream)).equals(bytes)).toBe(true);

    await store.delete(stored.sha256);
    expect(await store.has(stored.sha256)).toBe(false);
    expect(await store.get(stored.sha256)).toBeNull();
    await expect(store.delete(stored.sha256)).resolves.toBeUndefined();
    expect(await started.listKeys()).toEqual([]);
    expect(store.description).not.toBe("");
    if (started.env.MEDIA_S3_SECRET_ACCESS_KEY)
      expect(store.description).not.toContain(started.env.MEDIA_S3_SECRET_ACCESS_KEY);
  });

  it("[media store] the same bytes twice are stored once, under one key", async () => {
    const bytes = Buffer.from("the same voice note");
    const first = await store.put(Readable.from([bytes]), { maxBytes: MB });
    const second = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), { maxBytes: MB });
    expect(second).toEqual(first);
    expect(await started.listKeys()).toEqual([
      `${first.sha256.slice(0, 2)}/${first.sha256.slice(2, 4)}/${first.sha256}`,
    ]);
    await store.delete(first.sha256);
  });

  it("[media store] a 0-byte file is stored and read back empty", async () => {
    const stored = await store.put(Readable.from([]), { maxBytes: MB });
    expect(stored).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0 });
    const got = await store.get(stored.sha256);
    expect(got?.size).toBe(0);
    expect((await readAll(got!.stream)).length).toBe(0);
    await store.delete(stored.sha256);
  });

  it("[media store] reads a byte range, both ends included, and clips one past the end", async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 256));
    const { sha256 } = await store.put(Readable.from([bytes]), { maxBytes: MB });
    const middle = await store.get(sha256, { start: 10, end: 19 });
    expect(middle?.size).toBe(1000);
    expect((await readAll(middle!.stream)).equals(bytes.subarray(10, 20))).toBe(true);
    const tail = await store.get(sha256, { start: 990, end: 5_000 });
    expect((await readAll(tail!.stream)).equals(bytes.subarray(990))).toBe(true);
    const past = await store.get(sha256, { start: 2_000, end: 2_100 });
    expect(past?.size).toBe(1000);
    expect((await readAll(past!.stream)).length).toBe(0);
    await store.delete(sha256);
  });

  it.each([
    { what: "a small file", total: 1.5 * MB, maxBytes: 1 * MB },
    // Past the first 5 MiB part: S3 has a multipart upload in flight when the limit strikes.
    { what: "a file past one upload part", total: 12 * MB, maxBytes: 8 * MB },
  ])(
    "[media store] $what past maxBytes is refused while it streams, leaving nothing behind",
    async ({ total, maxBytes }) => {
      const source = generated(total);
      const refused = await store.put(source.stream, { maxBytes }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(MediaTooLargeError);
      expect(source.state.pulled).toBeLessThan(total);
      expect(await leftovers()).toEqual([]);
    },
  );

  it.each([
    { what: "at once", before: 100 * 1024 },
    { what: "after one upload part", before: 6 * MB },
  ])("[media store] a source that fails $what leaves nothing behind", async ({ before }) => {
    const failed = await store.put(failingAfter(before), { maxBytes: 100 * MB }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe("the phone went away");
    expect(await leftovers()).toEqual([]);
  });

  it("[media store] two puts of the same bytes at once both succeed, and the file is stored once", async () => {
    const bytes = Buffer.concat(Array.from({ length: 40 }, (_, index) => chunkAt(index, 16 * 1024)));
    const [first, second] = await Promise.all([
      store.put(Readable.from([bytes.subarray(0, 300_000), bytes.subarray(300_000)]), { maxBytes: MB }),
      store.put(Readable.from([bytes]), { maxBytes: MB }),
    ]);
    expect(first).toEqual(second);
    expect(await started.listKeys()).toHaveLength(1);
    expect((await readAll((await store.get(first.sha256))!.stream)).equals(bytes)).toBe(true);
    await store.delete(first.sha256);
  });

  it(
    "[media store] a 20 MB file streams through: memory does not grow with its size",
    { timeout: 120_000 },
    async () => {
      const gc = collector();
      gc();
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = 0;
      const total = 20 * MB;
      const source = generated(total, 64 * 1024, (index) => {
        // Every 1 MB: the live buffers (after a collection), wherever the put is.
        if (index % 16 !== 0) return;
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
      });
      const stored = await store.put(source.stream, { maxBytes: 25 * MB });
      expect(stored).toEqual({ sha256: source.state.sha256, size: total });
      // The filesystem store holds a few 64 KiB chunks; the S3 store one 5 MiB part.
      expect(peak).toBeLessThan(12 * MB);
      console.info(`${name}: live buffers peaked ${(peak / MB).toFixed(1)} MB above the start during a 20 MB put`);

      const copy = createHash("sha256");
      for await (const chunk of (await store.get(stored.sha256))!.stream) copy.update(chunk as Buffer);
      expect(copy.digest("hex")).toBe(stored.sha256);
      await store.delete(stored.sha256);
    },
  );

  it("[media store] a key that is not a SHA-256 finds nothing and removes nothing (no path traversal)", async () => {
    const { sha256 } = await store.put(Readable.from([Buffer.from("kept")]), { maxBytes: MB });
    for (const key of ["../../etc/passwd", `../${sha256}`, `${sha256}/..`, sha256.toUpperCase(), "", "tmp"]) {
      expect(await store.get(key)).toBeNull();
      expect(await store.has(key)).toBe(false);
      await store.delete(key);
    }
    expect(await store.has(sha256)).toBe(true);
    expect(await started.listKeys()).toHaveLength(1);
    await store.delete(sha256);
  });
});

describe("the s3 media store's errors", () => {
  let server: TS3Server;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(() => server?.stop());

  it("[media store] name the bucket and the operation, never the secret key", async () => {
    const missing = createMediaStore(ZMediaEnv.parse({ ...server.vars, MEDIA_S3_BUCKET: "no-such-bucket" }));
    const refused = await missing
      .put(Readable.from([Buffer.from("x")]), { maxBytes: MB })
      .catch((error: unknown) => error);
    expect((refused as Error).message).toMatch(/^S3 PutObject on bucket "no-such-bucket" failed: NoSuchBucket/);

    // s3rver checks the access key id (not the SigV4 signature itself): an unknown key is refused.
    const secret = "a-secret-that-must-not-leak";
    const wrongKey = createMediaStore(
      ZMediaEnv.parse({ ...server.vars, MEDIA_S3_ACCESS_KEY_ID: "UNKNOWN", MEDIA_S3_SECRET_ACCESS_KEY: secret }),
    );
    const denied = await wrongKey.has("0".repeat(64)).catch((error: unknown) => error);
    expect((denied as Error).message).toMatch(
      new RegExp(`^S3 HeadObject on bucket "${server.bucket}" failed: .*\\(HTTP 403\\)$`),
    );
    expect(JSON.stringify(denied, Object.getOwnPropertyNames(denied))).not.toContain(secret);
  });
});
