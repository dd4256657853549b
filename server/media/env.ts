import { z } from "zod";

const ZFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

/** A size limit in megabytes, which may only lower WhatsApp's own. */
const limitMb = (whatsapp: number) => z.coerce.number().positive().max(whatsapp).default(whatsapp);

/**
 * The media store and its limits, read by the web (uploads, serving) and the worker
 * (downloads, sends): both must point at the same store. With `MEDIA_S3_BUCKET` set, the store
 * is that S3-compatible bucket; otherwise the filesystem under `DATA_DIR/media`.
 */
export const ZMediaEnv = z.object({
  /** Where the embedded database, the supervisor's state and (without S3) the media live. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** The filesystem store's folder (default: DATA_DIR/media). */
  MEDIA_DIR: z.string().min(1).optional(),
  MEDIA_S3_BUCKET: z.string().trim().min(3).max(63).optional(),
  /** An S3-compatible server's address (MinIO, Ceph, R2, …); unset for AWS itself. */
  MEDIA_S3_ENDPOINT: z.url().optional(),
  MEDIA_S3_REGION: z.string().trim().min(1).default("us-east-1"),
  MEDIA_S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  MEDIA_S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  /** Addresses objects as endpoint/bucket/key (most S3-compatible servers need it). */
  MEDIA_S3_FORCE_PATH_STYLE: ZFlag,
  /** A prefix for every object key, to share a bucket. */
  MEDIA_S3_PREFIX: z
    .string()
    .regex(/^[\w./-]*$/, "letters, digits, dots, dashes, underscores and slashes only")
    .default(""),
  /** Size limits per kind, in MB (WhatsApp's own are the defaults and the maximum). */
  MEDIA_MAX_IMAGE_MB: limitMb(5),
  MEDIA_MAX_AUDIO_MB: limitMb(16),
  MEDIA_MAX_VIDEO_MB: limitMb(16),
  MEDIA_MAX_DOCUMENT_MB: limitMb(100),
  /** How long a signed media URL in a webhook or an API answer stays valid, in seconds. */
  MEDIA_URL_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3_600),
});
export type TMediaEnv = z.infer<typeof ZMediaEnv>;
