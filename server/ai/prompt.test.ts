import { describe, expect, it } from "vitest";
import { buildPrompt } from "./prompt";

const profile = {
  name: "Default",
  persona: "",
  businessInfo: {},
  tone: "friendly",
  formality: "neutral",
  responseLength: "short",
  emoji: "some",
  language: "en",
  topics: [],
  topicsToAvoid: [],
  instructions: "",
};

describe("buildPrompt", () => {
  it("keeps the newest history that fits the budget, oldest first, and merges same-side turns", () => {
    const history = Array.from({ length: 10 }, (_, index) => ({
      direction: index % 2 === 0 ? ("in" as const) : ("out" as const),
      body: `message ${index} ${"x".repeat(30)}`,
    }));
    const prompt = buildPrompt({
      profile,
      contact: { name: null, relationship: "other", tags: [] },
      history,
      message: "latest",
      historyTokens: 25,
    });
    const texts = prompt.contents.flatMap((turn) => turn.parts.map((part) => part.text));
    expect(texts.at(-1)).toBe("latest");
    expect(texts).toEqual(["message 8 " + "x".repeat(30), "message 9 " + "x".repeat(30), "latest"]);
    expect(prompt.contents.map((turn) => turn.role)).toEqual(["user", "model", "user"]);
    expect(prompt.systemInstruction).toContain("name unknown");
  });
});
