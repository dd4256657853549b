import type { Readable } from "node:stream";

/**
 * The media store: where the bytes of photos, voice notes, videos and documents live, by the
 * SHA-256 of their content (the same file is stored once). Two implementations:
 * the filesystem under DATA_DIR (store-fs.ts, the default) and any S3-compatible bucket
 * (store-s3.ts, `MEDIA_S3_*`) for deployments with several workers or machines. Everything
 * streams: no implementation holds a whole file in memory.
 *
 * Callers do not use `put` directly for files from outside: `intakeMedia` (intake.ts) checks
 * the real type and the size limit first, and records the file in `media_objects`.
 */

/** A stored file: its key (SHA-256, 64 lower-case hex digits) and size in bytes. */
export type TStoredObject = { sha256: string; size: number };

/** A byte range of a file, both ends included (HTTP `Range: bytes=start-end`). */
export type TByteRange = { start: number; end: number };

export type TMediaStore = {
  /** "filesystem at /srv/switchboard/.data/media", "S3 bucket media at https://…": for logs and the Settings page. */
  readonly description: string;
  /**
   * Streams `source` into the store and resolves with its SHA-256 and size. Past `maxBytes` it
   * stops reading, leaves nothing behind and rejects with `MediaTooLargeError`; a failing
   * source leaves nothing behind either. Storing bytes already stored is a no-op that resolves
   * with the same key.
   */
  put: (source: Readable, options: { maxBytes: number }) => Promise<TStoredObject>;
  /** The file's bytes (all, or one range) as a stream and the file's whole size; null when it is not there. */
  get: (sha256: string, range?: TByteRange) => Promise<{ stream: Readable; size: number } | null>;
  has: (sha256: string) => Promise<boolean>;
  /** Removes the file; removing one that is not there is not an error. */
  delete: (sha256: string) => Promise<void>;
};

/** A source passed `maxBytes` while being stored. */
export class MediaTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = "MediaTooLargeError";
  }
}

/** Whether a key is a SHA-256 as the store writes it (guards paths and object keys against anything else). */
export function isMediaKey(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
