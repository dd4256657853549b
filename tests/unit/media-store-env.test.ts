import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, webEnv } from "~/server/env";
import { workerEnv } from "~/workers/env";
import { ZMediaEnv } from "~/server/media/env";
import { createMediaStore } from "~/server/media/store-env";

const S3 = {
  MEDIA_S3_BUCKET: "media",
  MEDIA_S3_ENDPOINT: "http://127.0.0.1:9000",
  MEDIA_S3_ACCESS_KEY_ID: "AKIAEXAMPLE",
  MEDIA_S3_SECRET_ACCESS_KEY: "a-secret-that-must-not-leak",
};
const without = (name: keyof typeof S3) => Object.fromEntries(Object.entries(S3).filter(([key]) => key !== name));
const problemsOf = (source: Record<string, string>) => {
  const parsed = ZMediaEnv.safeParse(source);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
};

describe("the media store from configuration", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("[media env] without a bucket: the filesystem under MEDIA_DIR, or DATA_DIR/media", () => {
    expect(createMediaStore(ZMediaEnv.parse({ DATA_DIR: "/srv/sb" })).description).toBe(
      `filesystem at ${path.resolve("/srv/sb/media")}`,
    );
    expect(createMediaStore(ZMediaEnv.parse({ DATA_DIR: "/srv/sb", MEDIA_DIR: "/mnt/media" })).description).toBe(
      "filesystem at /mnt/media",
    );
  });

  it("[media env] with a bucket: the S3 store, described without its secret", () => {
    const store = createMediaStore(ZMediaEnv.parse({ ...S3, MEDIA_S3_PREFIX: "sb/" }));
    expect(store.description).toBe("S3 bucket media (keys under sb/) at http://127.0.0.1:9000");
    expect(store.description).not.toContain(S3.MEDIA_S3_SECRET_ACCESS_KEY);
    expect(
      createMediaStore(ZMediaEnv.parse({ ...S3, MEDIA_S3_ENDPOINT: "https://user:pw-in-url@minio.local:9000/" }))
        .description,
    ).toBe("S3 bucket media at https://minio.local:9000");
    expect(createMediaStore(ZMediaEnv.parse({ MEDIA_S3_BUCKET: "media" })).description).toBe(
      "S3 bucket media at AWS us-east-1",
    );
  });

  it("[media env] refuses a key without its secret, a secret without its key, and S3 settings without a bucket", () => {
    expect(problemsOf(S3)).toEqual([]);
    expect(problemsOf(without("MEDIA_S3_SECRET_ACCESS_KEY"))).toEqual([
      expect.stringMatching(/^MEDIA_S3_SECRET_ACCESS_KEY is missing while MEDIA_S3_ACCESS_KEY_ID is set/),
    ]);
    expect(problemsOf(without("MEDIA_S3_ACCESS_KEY_ID"))).toEqual([
      expect.stringMatching(/^MEDIA_S3_ACCESS_KEY_ID is missing while MEDIA_S3_SECRET_ACCESS_KEY is set/),
    ]);
    expect(problemsOf(without("MEDIA_S3_BUCKET"))).toHaveLength(3);
    expect(problemsOf(without("MEDIA_S3_BUCKET"))[0]).toMatch(/^MEDIA_S3_ENDPOINT is set but MEDIA_S3_BUCKET is not/);
    // A hand-made env cannot slip past the factory either.
    expect(() =>
      createMediaStore({ ...ZMediaEnv.parse({}), MEDIA_S3_BUCKET: "media", MEDIA_S3_ACCESS_KEY_ID: "x" }),
    ).toThrow(ConfigError);
  });

  it("[media env] the worker's configuration refuses a half S3 configuration in one line, without the secret", () => {
    vi.stubEnv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/db");
    vi.stubEnv("APP_SECRET", "x".repeat(32));
    vi.stubEnv("MEDIA_S3_BUCKET", "media");
    vi.stubEnv("MEDIA_S3_SECRET_ACCESS_KEY", S3.MEDIA_S3_SECRET_ACCESS_KEY);
    const refused = (() => {
      try {
        workerEnv();
        return null;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toMatch(/MEDIA_S3_ACCESS_KEY_ID is missing/);
    expect((refused as Error).message).not.toContain(S3.MEDIA_S3_SECRET_ACCESS_KEY);
    vi.stubEnv("MEDIA_S3_ACCESS_KEY_ID", S3.MEDIA_S3_ACCESS_KEY_ID);
    expect(workerEnv().MEDIA_S3_BUCKET).toBe("media");
  });

  it("[media env] the web's configuration applies the same check", () => {
    vi.stubEnv("DATABASE_URL", "postgres://u:p@127.0.0.1:5432/db");
    vi.stubEnv("APP_SECRET", "x".repeat(32));
    vi.stubEnv("MEDIA_S3_BUCKET", "media");
    vi.stubEnv("MEDIA_S3_ACCESS_KEY_ID", S3.MEDIA_S3_ACCESS_KEY_ID);
    expect(() => webEnv()).toThrow(/MEDIA_S3_SECRET_ACCESS_KEY is missing/);
  });
});
