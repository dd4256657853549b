import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { ZMediaEnv, type TMediaEnv } from "~/server/media/env";
import type { TMediaStore } from "~/server/media/store";
import { createMediaStore } from "~/server/media/store-env";
import { startS3Server } from "./s3-server";

export type TStartedMediaStore = {
  /** Made by `createMediaStore(env)`, as the web and the worker make theirs. */
  store: TMediaStore;
  /** The whole media configuration (DATA_DIR a temp directory; MEDIA_S3_* for the S3 variant). */
  env: TMediaEnv;
  /** The same as environment variables, for a web or worker process a test starts. */
  vars: Record<string, string>;
  /** Every object or file in the store, temporary ones included (relative keys, sorted). */
  listKeys: () => Promise<string[]>;
  stop: () => Promise<void>;
};
export type TMediaStoreVariant = { name: "filesystem" | "s3"; start: () => Promise<TStartedMediaStore> };

/**
 * Both media stores, for `describe.each(mediaStoreVariants())`: integration tests that touch
 * media run against the filesystem store and against a real S3-compatible server (s3rver, see
 * s3-server.ts), as the issue asks. Each `start()` gives a fresh, empty store.
 */
export function mediaStoreVariants(): TMediaStoreVariant[] {
  return [
    {
      name: "filesystem",
      async start() {
        const dataDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-media-"));
        const vars = { DATA_DIR: dataDir };
        const env = ZMediaEnv.parse(vars);
        const root = path.join(dataDir, "media");
        return {
          store: createMediaStore(env),
          env,
          vars,
          listKeys: async () => {
            const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
            return entries
              .filter((entry) => entry.isFile())
              .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
              .sort();
          },
          stop: () => rm(dataDir, { recursive: true, force: true }),
        };
      },
    },
    {
      name: "s3",
      async start() {
        const server = await startS3Server();
        const dataDir = await mkdtemp(path.join(os.tmpdir(), "switchboard-media-"));
        const vars = { DATA_DIR: dataDir, ...server.vars };
        const env = ZMediaEnv.parse(vars);
        const client = new S3Client({
          region: env.MEDIA_S3_REGION,
          endpoint: server.endpoint,
          forcePathStyle: true,
          credentials: {
            accessKeyId: server.vars.MEDIA_S3_ACCESS_KEY_ID!,
            secretAccessKey: server.vars.MEDIA_S3_SECRET_ACCESS_KEY!,
          },
        });
        return {
          store: createMediaStore(env),
          env,
          vars,
          listKeys: async () => {
            const keys: string[] = [];
            let token: string | undefined;
            do {
              const page = await client.send(
                new ListObjectsV2Command({ Bucket: server.bucket, ...(token ? { ContinuationToken: token } : {}) }),
              );
              keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ""));
              token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token);
            return keys.sort();
          },
          stop: async () => {
            client.destroy();
            await server.stop();
            await rm(dataDir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}
