import { describe, expect, it } from "vitest";
import { transcriptOf } from "./transcript";

describe("transcriptOf", () => {
  it("writes a page (newest first) oldest first, one line each: time, who, our messages' status", () => {
    const page = [
      {
        direction: "out",
        source: "api",
        body: "It ships today.",
        status: "read",
        createdAt: "2026-12-07T21:31:46.120Z",
      },
      {
        direction: "out",
        source: "ai",
        body: "Let me check.",
        status: "sent",
        createdAt: new Date("2026-12-07T21:31:45Z"),
      },
      {
        direction: "in",
        source: "contact",
        body: "Where is 1042?",
        status: "received",
        createdAt: "2026-12-07T21:31:44Z",
      },
    ] as const;
    expect(transcriptOf(page)).toBe(
      [
        "[2026-12-07 21:31:44] Contact: Where is 1042?",
        "[2026-12-07 21:31:45] Bot (AI) (sent): Let me check.",
        "[2026-12-07 21:31:46] API (read): It ships today.",
      ].join("\n"),
    );
  });

  it("says so when there is nothing", () => {
    expect(transcriptOf([])).toBe("(no messages)");
  });
});
