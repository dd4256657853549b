import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./callback-url";

describe("safeCallbackPath", () => {
  it.each([
    ["/users", "/users"],
    ["/audit?entity=user#top", "/audit?entity=user#top"],
    ["/a/../settings", "/settings"],
  ])("keeps the same-site path %s", (raw, expected) => {
    expect(safeCallbackPath(raw)).toBe(expected);
  });

  it.each([
    undefined,
    "",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "users",
  ])("sends %j home instead", (raw) => {
    expect(safeCallbackPath(raw)).toBe("/");
  });
});
