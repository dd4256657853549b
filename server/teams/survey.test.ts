import { describe, expect, it } from "vitest";
import type { TMessageContent } from "~/server/messages/content";
import { parseSurveyAnswer, parseSurveyComment, surveyContent } from "./survey";

const text = (value: string): TMessageContent => ({ kind: "text", text: value });

describe("reading an answer to the satisfaction survey", () => {
  it.each([
    ["4", 4],
    [" 5 ", 5],
    ["1.", 1],
    ["3)", 3],
    ["4/5", 4],
    ["4 / 5", 4],
    ["5 stars", 5],
    ["2 estrellas", 2],
    ["3 estrelas", 3],
    ["5⭐", 5],
    ["4️⃣", 4],
    ["⭐⭐⭐", 3],
    ["★ ★ ★ ★ ★", 5],
    ["🌟", 1],
    ["Excellent", 5],
    ["very POOR", 1],
    ["Excelente", 5],
    ["Muito ruim", 1],
    ["Regular", 3],
  ])("takes %j as the score %i", (answer, score) => {
    expect(parseSurveyAnswer(text(answer))).toEqual({ score, comment: null });
  });

  it.each(["0", "6", "10", "45", "2 pizzas please", "hello", "", "⭐⭐⭐⭐⭐⭐", "5 - ", "1,5"])(
    "does not take %j",
    (answer) => {
      expect(parseSurveyAnswer(text(answer))).toBeNull();
    },
  );

  it("keeps what follows a separator as the comment", () => {
    expect(parseSurveyAnswer(text("4 - quick and kind"))).toEqual({ score: 4, comment: "quick and kind" });
    expect(parseSurveyAnswer(text("2: it took too long\nreally"))).toEqual({
      score: 2,
      comment: "it took too long\nreally",
    });
    expect(parseSurveyAnswer(text("5/5, great"))).toEqual({ score: 5, comment: "great" });
  });

  it("takes a tapped option by its id, whatever its title says", () => {
    expect(parseSurveyAnswer({ kind: "list_reply", id: "survey:2", title: "Poor" })).toEqual({
      score: 2,
      comment: null,
    });
    expect(parseSurveyAnswer({ kind: "button_reply", id: "survey:5", title: "x" })).toEqual({
      score: 5,
      comment: null,
    });
    expect(parseSurveyAnswer({ kind: "button_reply", id: "orders", title: "Orders" })).toBeNull();
  });

  it("takes no other kind as an answer, and only text as a comment", () => {
    expect(parseSurveyAnswer({ kind: "reaction", emoji: "⭐", targetWaMessageId: "x" })).toBeNull();
    expect(parseSurveyComment(text("  thanks a lot  "))).toBe("thanks a lot");
    expect(parseSurveyComment(text("   "))).toBeNull();
    expect(parseSurveyComment({ kind: "reaction", emoji: "👍", targetWaMessageId: "x" })).toBeNull();
    expect(parseSurveyComment(text("x".repeat(5_000)))).toHaveLength(2_000);
  });

  it("asks with five options, 1 first, within WhatsApp's list limits, in the org's language", () => {
    const en = surveyContent("en");
    expect(en.options.map((option) => option.id)).toEqual(["survey:1", "survey:2", "survey:3", "survey:4", "survey:5"]);
    for (const locale of ["en", "es", "pt-BR"] as const) {
      const content = surveyContent(locale);
      expect(content.button!.length).toBeLessThanOrEqual(20);
      for (const option of content.options) expect(option.title.length).toBeLessThanOrEqual(24);
    }
    expect(surveyContent("es").options[4]!.title).toBe("Excelente");
  });
});
