import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { TMediaEnv } from "~/server/media/env";

/** s3rver's one built-in key pair (it refuses other access key ids; it does not verify SigV4 signatures). */
const S3RVER_KEY = "S3RVER";
const ROOT = path.resolve(import.meta.dirname, "../..");

export type TS3Server = {
  /** The MEDIA_S3_* settings that point at it, parsed (for ZMediaEnv-typed code). */
  env: Partial<TMediaEnv>;
  /** The same as environment variables (for a web or worker process a test starts). */
  vars: Record<string, string>;
  endpoint: string;
  bucket: string;
  stop: () => Promise<void>;
};

/**
 * A real S3-compatible server for tests, in a child process of its own (so a test measuring
 * memory measures only the client side, and the server is as remote as a real one): s3rver
 * (npm `s3rver` 3.7.1, a devDependency) on 127.0.0.1, on a port the OS picks, storing into a temp
 * directory of its own, with the bucket created. It checks the access key id (not the SigV4
 * signature itself, which it does not compute) and implements what the store uses: Put/Get (ranges)/Head/Copy/Delete object and multipart uploads
 * (not AbortMultipartUpload, which the store tries and tolerates).
 *
 * Why s3rver: it is pure JavaScript from the npm registry these machines reach, so `npm ci`
 * brings it to every developer and CI with nothing else to install and no container (none
 * can be pulled here). MinIO is in neither registry (`apt-cache policy minio`: no package;
 * `npm view minio-server`: 404; npm `minio` is only a client), and Debian's `radosgw` (Ceph 16)
 * serves S3 only in front of a running Ceph cluster (monitors and OSDs), far too much to start
 * per test file. It is the test double of the bucket, not of the client: the store's real SDK
 * calls go over HTTP to it.
 *
 * The child exits when `stop` is called or when this process goes away (its stdin closes).
 */
export async function startS3Server(options: { bucket?: string } = {}): Promise<TS3Server> {
  const bucket = options.bucket ?? "switchboard-media-test";
  const directory = await mkdtemp(path.join(os.tmpdir(), "switchboard-s3-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "tests/support/s3-server.ts"), "--serve", directory, bucket],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME } as unknown as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 20 s: ${output}`)), 20_000);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^listening (\d+)$/m.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (code ${code}) before it listened: ${output}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const vars = {
    MEDIA_S3_BUCKET: bucket,
    MEDIA_S3_ENDPOINT: endpoint,
    MEDIA_S3_REGION: "us-east-1",
    MEDIA_S3_ACCESS_KEY_ID: S3RVER_KEY,
    MEDIA_S3_SECRET_ACCESS_KEY: S3RVER_KEY,
    MEDIA_S3_FORCE_PATH_STYLE: "true",
  };
  let stopped: Promise<void> | null = null;
  return {
    env: { ...vars, MEDIA_S3_FORCE_PATH_STYLE: true },
    vars,
    endpoint,
    bucket,
    stop: () =>
      (stopped ??= (async () => {
        child.stdin.end();
        const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killer);
        await rm(directory, { recursive: true, force: true });
      })()),
  };
}

type TS3rver = { run: () => Promise<AddressInfo> };
type TS3rverOptions = {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
};

/** The child: `tsx tests/support/s3-server.ts --serve <directory> <bucket>`. */
async function serve(directory: string, bucket: string) {
  const S3rver = createRequire(import.meta.url)("s3rver") as new (options: TS3rverOptions) => TS3rver;
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  process.stdout.write(`listening ${address.port}\n`);
  // No graceful close: clients' keep-alive sockets would hold it open, and nothing needs flushing.
  const close = () => process.exit(0);
  process.stdin.on("end", close);
  process.stdin.on("close", close);
  process.stdin.resume();
  process.on("SIGTERM", close);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2] === "--serve") {
  const [directory, bucket] = process.argv.slice(3);
  if (!directory || !bucket) throw new Error("usage: s3-server.ts --serve <directory> <bucket>");
  serve(directory, bucket).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
