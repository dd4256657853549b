import { randomUUID } from "node:crypto";
import { pipeline, Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { createMeter } from "./store-fs";
import { isMediaKey, type TMediaStore, type TStoredObject } from "./store";

/** S3's smallest part (all but the last) of a multipart upload: also the most a put holds in memory. */
export const S3_MIN_PART_BYTES = 5 * 1024 * 1024;

export type TS3MediaStoreOptions = {
  bucket: string;
  /** Prepended to every key ("switchboard/"), to share a bucket. */
  prefix?: string;
  region: string;
  /** An S3-compatible server's address; unset for AWS itself. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Unset: the AWS SDK's own chain (AWS_* variables, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bytes per multipart part (at least S3's 5 MiB). */
  partBytes?: number;
};

function endpointForDisplay(endpoint: string): string {
  if (!URL.canParse(endpoint)) return "a custom endpoint";
  const url = new URL(endpoint);
  url.username = "";
  url.password = "";
  return url.href.replace(/\/$/, "");
}

/** An S3 call that failed, naming the bucket and the operation (never the credentials). */
export class MediaStoreS3Error extends Error {
  constructor(
    readonly operation: string,
    readonly bucket: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    // A HEAD answer has no body: its status is all there is to say.
    const status = statusOf(cause);
    super(`S3 ${operation} on bucket "${bucket}" failed: ${reason}${status ? ` (HTTP ${status})` : ""}`, { cause });
    this.name = "MediaStoreS3Error";
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return statusOf(error) === 404 || name === "NotFound" || name === "NoSuchKey";
}

/**
 * The media store in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, …), content-addressed
 * like the filesystem store: `<prefix><aa>/<bb>/<sha256>`.
 *
 * A put streams the source through `createMeter` (hashed and cut off past `maxBytes` while it
 * streams) into a temporary object `<prefix>tmp/<uuid>`, then copies it to its key unless that
 * already exists, and always removes the temporary object. The key is known only once the last
 * byte is read, hence the copy. Large files go up as a multipart upload, one part at a time
 * through ONE reused part buffer: a put holds at most `partBytes` (5 MiB) whatever the file's
 * size. (lib-storage's `Upload` keeps the previous part alive while its chunker gathers and
 * concatenates the next: measured like the contract test's 20 MB put, 10 MB of live buffers
 * with `queueSize: 1` and 21 MB with its default 4, against under 6 MB here.) A failed or too
 * large put aborts its multipart upload. On AWS, a bucket lifecycle rule "abort incomplete multipart uploads after 1 day"
 * cleans up after a process killed mid-upload; a leftover `tmp/` object is harmless.
 *
 * The client sends checksums only when an operation requires them: newer SDKs add CRC32
 * checksums by default, which many S3-compatible servers refuse.
 */
export function createS3MediaStore(options: TS3MediaStoreOptions): TMediaStore {
  const { bucket } = options;
  const prefix = options.prefix ?? "";
  const partBytes = Math.max(S3_MIN_PART_BYTES, options.partBytes ?? S3_MIN_PART_BYTES);
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A server that does not answer fails the call instead of hanging a job or a request forever;
    // no whole-request timeout, which would cut a long download a slow reader is still taking.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 300_000 },
  });
  // For logs and Settings: the endpoint without any user:password in it.
  const where = options.endpoint ? endpointForDisplay(options.endpoint) : `AWS ${options.region}`;
  const keyOf = (sha256: string) => `${prefix}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw new MediaStoreS3Error(operation, bucket, error);
    }
  };
  /** The object's size, or null when it is not there. */
  const sizeOf = async (key: string): Promise<number | null> => {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw new MediaStoreS3Error("HeadObject", bucket, error);
    }
  };

  /** Streams `metered` into `key`: one PutObject for a small file, a multipart upload for a large one. */
  const upload = async (metered: Readable, key: string) => {
    let part: Buffer | null = null;
    let filled = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];
    const sendPart = async () => {
      if (!part) return;
      if (!uploadId) {
        const created = await call("CreateMultipartUpload", () =>
          client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })),
        );
        uploadId = created.UploadId;
      }
      const PartNumber = parts.length + 1;
      // The buffer is reused only after this part is acknowledged (retries resend the same bytes).
      const sent = await call("UploadPart", () =>
        client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber,
            Body: part!.subarray(0, filled),
            ContentLength: filled,
          }),
        ),
      );
      parts.push({ PartNumber, ETag: sent.ETag });
      filled = 0;
    };
    try {
      for await (const chunk of metered as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          part ??= Buffer.allocUnsafe(partBytes);
          const copied = chunk.copy(part, filled, offset);
          filled += copied;
          offset += copied;
          if (filled === partBytes) await sendPart();
        }
      }
      if (!uploadId) {
        const body = part ? part.subarray(0, filled) : Buffer.alloc(0);
        await call("PutObject", () =>
          client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length })),
        );
        return;
      }
      if (filled > 0) await sendPart();
      await call("CompleteMultipartUpload", () =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (error) {
      // Best effort: the first error is the one that matters (some S3-compatible servers lack Abort).
      if (uploadId)
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
      throw error;
    } finally {
      part = null;
    }
  };

  return {
    description: `S3 bucket ${bucket}${prefix ? ` (keys under ${prefix})` : ""} at ${where}`,
    async put(source, { maxBytes }): Promise<TStoredObject> {
      const temporary = `${prefix}tmp/${randomUUID()}`;
      const meter = createMeter(maxBytes);
      // Reading `metered` fails with the meter's error (MediaTooLargeError) or the source's own.
      const metered = pipeline(source, meter.transform, () => undefined);
      let stored: TStoredObject;
      try {
        await upload(metered, temporary);
        stored = meter.result();
        const key = keyOf(stored.sha256);
        if ((await sizeOf(key)) !== stored.size)
          await call("CopyObject", () =>
            client.send(
              new CopyObjectCommand({
                Bucket: bucket,
                Key: key,
                CopySource: `${encodeURIComponent(bucket)}/${temporary.split("/").map(encodeURIComponent).join("/")}`,
              }),
            ),
          );
      } catch (error) {
        source.destroy();
        metered.destroy();
        // Deleting a key that was never written is not an error in S3; the first error is the one to report.
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: temporary })).catch(() => undefined);
        throw error;
      }
      await call("DeleteObject", () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: temporary })));
      return stored;
    },
    async get(sha256, range) {
      if (!isMediaKey(sha256)) return null;
      const key = keyOf(sha256);
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        const total = answer.ContentRange ? Number(answer.ContentRange.split("/")[1]) : answer.ContentLength;
        return { stream: answer.Body as Readable, size: total ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return null;
        // A range starting past the end: as the filesystem store, no bytes (the caller knows the size).
        if (range && statusOf(error) === 416) {
          const size = await sizeOf(key);
          return size === null ? null : { stream: Readable.from([]), size };
        }
        throw new MediaStoreS3Error("GetObject", bucket, error);
      }
    },
    async has(sha256) {
      return isMediaKey(sha256) && (await sizeOf(keyOf(sha256))) !== null;
    },
    async delete(sha256) {
      if (!isMediaKey(sha256)) return;
      await call("DeleteObject", () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(sha256) })));
    },
  };
}
