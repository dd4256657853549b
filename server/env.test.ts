import { describe, expect, it } from "vitest";
import { ConfigError, stackEnv } from "./env";

describe("stack configuration", () => {
  it("has defaults that start a laptop stack with nothing set", () => {
    const env = stackEnv({});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: ".data", LOG_JSON: false });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("treats empty strings as unset", () => {
    const env = stackEnv({ DATABASE_URL: "", PORT: "" });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("names every bad variable in one line", () => {
    let error: unknown;
    try {
      stackEnv({ DATABASE_URL: "localhost:5432", PORT: "http", APP_SECRET: "short" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("DATABASE_URL must be a postgres:// URL");
    expect(message).toContain("PORT");
    expect(message).toContain("APP_SECRET must be at least 32 characters");
  });
});
