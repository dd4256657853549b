import { z } from "zod";

const ZFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((value) => value === "true" || value === "1");

/** A size limit in megabytes, which may only lower WhatsApp's own. */
const limitMb = (whatsapp: number) => z.coerce.number().positive().max(whatsapp).default(whatsapp);

type TMediaS3Fields = {
  MEDIA_S3_BUCKET?: string | undefined;
  MEDIA_S3_ENDPOINT?: string | undefined;
  MEDIA_S3_ACCESS_KEY_ID?: string | undefined;
  MEDIA_S3_SECRET_ACCESS_KEY?: string | undefined;
};

/**
 * Refuses a half S3 configuration, which would otherwise fail on the first file (a key without
 * its secret) or silently keep the files on this machine's disk (S3 settings without a bucket).
 * ZMediaEnv applies it; a schema that spreads `ZMediaEnv.shape` into its own (the web's, the
 * worker's) must apply it too (`.superRefine(checkMediaS3Env)`), since a spread drops it.
 * English only: these messages speak to whoever starts the processes, in their logs.
 */
export function checkMediaS3Env(env: TMediaS3Fields, context: z.RefinementCtx): void {
  const hasKey = Boolean(env.MEDIA_S3_ACCESS_KEY_ID);
  const hasSecret = Boolean(env.MEDIA_S3_SECRET_ACCESS_KEY);
  if (hasKey && !hasSecret)
    context.addIssue({
      code: "custom",
      path: ["MEDIA_S3_SECRET_ACCESS_KEY"],
      message:
        "is missing while MEDIA_S3_ACCESS_KEY_ID is set: set both, or neither (the AWS SDK's own credentials: instance role, AWS_* variables)",
    });
  if (hasSecret && !hasKey)
    context.addIssue({
      code: "custom",
      path: ["MEDIA_S3_ACCESS_KEY_ID"],
      message:
        "is missing while MEDIA_S3_SECRET_ACCESS_KEY is set: set both, or neither (the AWS SDK's own credentials: instance role, AWS_* variables)",
    });
  if (!env.MEDIA_S3_BUCKET)
    for (const name of ["MEDIA_S3_ENDPOINT", "MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY"] as const)
      if (env[name])
        context.addIssue({
          code: "custom",
          path: [name],
          message:
            "is set but MEDIA_S3_BUCKET is not: set the bucket to store media in S3, or unset the MEDIA_S3_* variables to keep media on disk",
        });
}

/**
 * The media store and its limits, read by the web (uploads, serving) and the worker
 * (downloads, sends): both must point at the same store. With `MEDIA_S3_BUCKET` set, the store
 * is that S3-compatible bucket; otherwise the filesystem under `DATA_DIR/media`.
 */
export const ZMediaEnv = z
  .object({
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
  })
  .superRefine(checkMediaS3Env);
export type TMediaEnv = z.infer<typeof ZMediaEnv>;
