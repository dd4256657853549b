import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "./env";
import { createLogger, webLogger } from "./logger";

/** A logger's lines, parsed, as pino writes them. */
function capture() {
  const lines: { level: number; msg: string }[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  };
}

describe("the web process's loggers", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("log at LOG_LEVEL: with warn, info lines are dropped and warnings kept", () => {
    vi.stubEnv("LOG_LEVEL", "warn");
    const { lines, destination } = capture();
    const log = webLogger("trpc", destination);
    log.info("routine");
    log.warn("careful");
    log.error("broken");
    expect(log.level).toBe("warn");
    expect(lines.map((line) => line.msg)).toEqual(["careful", "broken"]);
  });

  it("log debug lines when LOG_LEVEL asks for them, and only then", () => {
    vi.stubEnv("LOG_LEVEL", "debug");
    const debug = capture();
    webLogger("events", debug.destination).debug("detail");
    vi.stubEnv("LOG_LEVEL", "");
    const unset = capture();
    const log = webLogger("events", unset.destination);
    log.debug("detail");
    expect(debug.lines.map((line) => line.msg)).toEqual(["detail"]);
    expect(log.level).toBe("info");
    expect(unset.lines).toEqual([]);
  });

  it("refuse a LOG_LEVEL that is not a level, naming it, with no other variable needed", () => {
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("LOG_LEVEL", "verbose");
    expect(() => webLogger("health")).toThrow(ConfigError);
    expect(() => webLogger("health")).toThrow(/LOG_LEVEL/);
  });

  it("createLogger takes the level it is given (the worker and the launcher pass theirs)", () => {
    vi.stubEnv("LOG_LEVEL", "trace");
    expect(createLogger("worker", "error").level).toBe("error");
  });
});
