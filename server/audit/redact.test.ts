import { describe, expect, it } from "vitest";
import { redactSecrets } from "./audit";

describe("redactSecrets", () => {
  it("replaces secret fields at any depth and keeps everything else", () => {
    expect(
      redactSecrets({
        email: "a@b.c",
        passwordHash: "$argon2id$…",
        webhooks: [{ url: "https://x", secret: "s" }],
        n: 1,
        none: null,
      }),
    ).toEqual({
      email: "a@b.c",
      passwordHash: "[redacted]",
      webhooks: [{ url: "https://x", secret: "[redacted]" }],
      n: 1,
      none: null,
    });
  });
});
