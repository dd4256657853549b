import path from "node:path";
import { ConfigError } from "~/server/env";
import type { TMediaEnv } from "./env";
import { createFsMediaStore } from "./store-fs";
import { createS3MediaStore } from "./store-s3";
import type { TMediaStore } from "./store";

/**
 * The media store the configuration names: the S3-compatible bucket when `MEDIA_S3_BUCKET` is
 * set, else the filesystem under `MEDIA_DIR` (default `DATA_DIR/media`). The web
 * (`webMediaStore()`) and the worker (workers/main.ts) each make one from their own env; both
 * must name the same store. Throws ConfigError for a half S3 configuration (as ZMediaEnv does),
 * so an env built by hand cannot slip past it.
 */
export function createMediaStore(env: TMediaEnv): TMediaStore {
  if (!env.MEDIA_S3_BUCKET) {
    if (env.MEDIA_S3_ENDPOINT || env.MEDIA_S3_ACCESS_KEY_ID || env.MEDIA_S3_SECRET_ACCESS_KEY)
      throw new ConfigError("invalid configuration: MEDIA_S3_* is set but MEDIA_S3_BUCKET is not");
    return createFsMediaStore(env.MEDIA_DIR ?? path.join(env.DATA_DIR, "media"));
  }
  const accessKeyId = env.MEDIA_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.MEDIA_S3_SECRET_ACCESS_KEY;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new ConfigError(
      "invalid configuration: MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY go together: set both, or neither",
    );
  return createS3MediaStore({
    bucket: env.MEDIA_S3_BUCKET,
    prefix: env.MEDIA_S3_PREFIX,
    region: env.MEDIA_S3_REGION,
    ...(env.MEDIA_S3_ENDPOINT ? { endpoint: env.MEDIA_S3_ENDPOINT } : {}),
    forcePathStyle: env.MEDIA_S3_FORCE_PATH_STYLE,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  });
}
