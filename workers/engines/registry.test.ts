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
    expect([...runnableEngines(options).keys()]).toEqual(["simulator", "wwebjs"]);
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
