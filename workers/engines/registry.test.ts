import { describe, expect, it } from "vitest";
import { ConfigError } from "~/server/env";
import { ZEngineDescriptor } from "~/server/sessions/engine-capabilities";
import { ENGINES, engineOptionsFromEnv, runnableEngines } from "./registry";

describe("the engine registry", () => {
  it("lists each engine under its own kind, with a descriptor the web can read", () => {
    for (const [kind, engine] of Object.entries(ENGINES)) {
      expect(engine.descriptor.kind).toBe(kind);
      expect(ZEngineDescriptor.parse(engine.descriptor)).toEqual(engine.descriptor);
    }
  });

  it("runs engines that need no options always, and the others only with their options", () => {
    expect([...runnableEngines({}).keys()]).toEqual(["simulator"]);
    const options = engineOptionsFromEnv({ CHROMIUM_PATH: "/opt/chromium" }, { APP_SECRET: "s".repeat(40) });
    expect(options.wwebjs).toMatchObject({ chromiumPath: "/opt/chromium", appSecret: "s".repeat(40) });
    expect([...runnableEngines(options).keys()]).toEqual(["simulator", "wwebjs", "cloud", "baileys"]);
  });

  it("runs the Cloud API engine on every worker: against Meta, or CLOUD_API_BASE_URL when set", () => {
    const common = { APP_SECRET: "s".repeat(40) };
    expect(engineOptionsFromEnv({}, common).cloud).toMatchObject({ appSecret: common.APP_SECRET });
    expect(engineOptionsFromEnv({}, common).cloud).not.toHaveProperty("baseUrl");
    expect(engineOptionsFromEnv({ CLOUD_API_BASE_URL: "http://127.0.0.1:9" }, common).cloud).toMatchObject({
      baseUrl: "http://127.0.0.1:9",
    });
    expect(() => engineOptionsFromEnv({ CLOUD_API_BASE_URL: "not a url" }, common)).toThrow(/CLOUD_API_BASE_URL/);
  });

  it("refuses an engine's invalid variable by its name", () => {
    expect(() => engineOptionsFromEnv({ WWEBJS_MEMORY_LIMIT_MB: "lots" }, { APP_SECRET: "s".repeat(40) })).toThrow(
      ConfigError,
    );
    expect(() => engineOptionsFromEnv({ WWEBJS_MEMORY_LIMIT_MB: "lots" }, { APP_SECRET: "s".repeat(40) })).toThrow(
      /WWEBJS_MEMORY_LIMIT_MB/,
    );
  });
});
