import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isMediaKey, MediaTooLargeError, type TMediaStore, type TStoredObject } from "./store";

/**
 * A transform that hashes and counts what passes through it, and fails past `maxBytes`
 * (so a source that lies about its size is cut off while it streams, not after).
 */
export function createMeter(maxBytes: number) {
  const hash = createHash("sha256");
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(new MediaTooLargeError(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  return { transform, result: (): TStoredObject => ({ sha256: hash.digest("hex"), size }) };
}

/**
 * The filesystem media store: each file at `<root>/<aa>/<bb>/<sha256>`. A file is written to
 * `<root>/tmp/` while it is hashed, then renamed into place (atomic on one filesystem): a
 * reader never sees half a file, and a crash leaves only a temporary file behind.
 */
export function createFsMediaStore(root: string): TMediaStore {
  const dir = path.resolve(root);
  const tmp = path.join(dir, "tmp");
  const fileOf = (sha256: string) => {
    if (!isMediaKey(sha256)) throw new Error("not a media key");
    return path.join(dir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  const sizeOf = async (file: string) => {
    try {
      return (await stat(file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  };
  return {
    description: `filesystem at ${dir}`,
    async put(source: Readable, { maxBytes }) {
      await mkdir(tmp, { recursive: true });
      const temporary = path.join(tmp, `${randomUUID()}.part`);
      const meter = createMeter(maxBytes);
      try {
        await pipeline(source, meter.transform, createWriteStream(temporary, { flags: "wx" }));
        const stored = meter.result();
        const file = fileOf(stored.sha256);
        if ((await sizeOf(file)) === stored.size) {
          await rm(temporary, { force: true });
        } else {
          await mkdir(path.dirname(file), { recursive: true });
          await rename(temporary, file);
        }
        return stored;
      } catch (error) {
        source.destroy();
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(sha256, range) {
      if (!isMediaKey(sha256)) return null;
      const file = fileOf(sha256);
      const size = await sizeOf(file);
      if (size === null) return null;
      // A range starting past the end reads nothing (createReadStream refuses start > end).
      if (range && range.start >= size) return { stream: Readable.from([]), size };
      const stream = createReadStream(file, range ? { start: range.start, end: Math.min(range.end, size - 1) } : {});
      return { stream, size };
    },
    async has(sha256) {
      return isMediaKey(sha256) && (await sizeOf(fileOf(sha256))) !== null;
    },
    async delete(sha256) {
      if (!isMediaKey(sha256)) return;
      await rm(fileOf(sha256), { force: true });
    },
  };
}
