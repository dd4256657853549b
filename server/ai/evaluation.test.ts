import { describe, expect, it } from "vitest";
import {
  compareResults,
  containsFact,
  normaliseForCheck,
  scoreAnswer,
  scoreRun,
  ZEvalQuestionInput,
  type TEvalResult,
} from "./evaluation";

const answered = (text: string, handedOff = false) => ({ text, handedOff, error: null });

describe("evaluation checks", () => {
  it("finds a fact whatever its case and accents, and across kinds of dashes and spaces", () => {
    expect(containsFact("Abrimos de SEGUNDA a sexta, 9-17h.", "segunda")).toBe(true);
    expect(containsFact("O bolo grande custa R$ 80.", "bolo  GRANDE")).toBe(true);
    expect(containsFact("Preço: 25 €", "preco")).toBe(true);
    expect(containsFact("We open Mon–Fri 9–17", "9-17")).toBe(true);
    expect(containsFact("We open Mon-Fri 9-17", "9–17")).toBe(true);
    expect(containsFact("São Paulo", "sao paulo")).toBe(true);
    expect(containsFact("We open at 9", "10")).toBe(false);
    expect(normaliseForCheck("  Ação\n\tRÁPIDA ")).toBe("acao rapida");
  });

  it("accepts any alternative of a fact written a|b, and ignores empty alternatives", () => {
    expect(containsFact("It costs 25 euros", "25 €|25 euros")).toBe(true);
    expect(containsFact("It costs 25 €", "25 €|25 euros")).toBe(true);
    expect(containsFact("It costs 30 €", "25 €|25 euros")).toBe(false);
    expect(containsFact("anything", "|")).toBe(false);
    expect(containsFact("anything", "||x")).toBe(false);
  });

  it("passes a question only when every fact is found, nothing forbidden is there and the hand-off is as expected", () => {
    const expected = { mustContain: ["80", "large cake"], mustNotContain: ["60"], expectHandoff: false };
    expect(scoreAnswer(expected, answered("The large cake costs 80."))).toEqual({
      factsFound: ["80", "large cake"],
      factsMissing: [],
      forbiddenFound: [],
      checks: 4,
      checksMet: 4,
      passed: true,
    });
    expect(scoreAnswer(expected, answered("The cake costs 80."))).toMatchObject({
      factsMissing: ["large cake"],
      checks: 4,
      checksMet: 3,
      passed: false,
    });
    expect(scoreAnswer(expected, answered("The large cake costs 80, the small 60."))).toMatchObject({
      forbiddenFound: ["60"],
      checksMet: 3,
      passed: false,
    });
    // Handing off a question the bot should answer fails it.
    expect(scoreAnswer(expected, answered("The large cake costs 80.", true))).toMatchObject({
      checksMet: 3,
      passed: false,
    });
  });

  it("checks the hand-off: expected and made passes, expected and not made fails", () => {
    const expected = { mustContain: [], mustNotContain: [], expectHandoff: true };
    expect(scoreAnswer(expected, answered("I will pass this on.", true))).toMatchObject({
      checks: 1,
      checksMet: 1,
      passed: true,
    });
    expect(scoreAnswer(expected, answered("Sure, here is a made-up answer."))).toMatchObject({
      checks: 1,
      checksMet: 0,
      passed: false,
    });
  });

  it("fails an unanswered question (the model's error) with none of its checks met", () => {
    const expected = { mustContain: ["80"], mustNotContain: ["60"], expectHandoff: false };
    // Even when the fallback text happens to hold nothing forbidden and no hand-off.
    expect(scoreAnswer(expected, { text: "A person will answer.", handedOff: false, error: "timeout" })).toEqual({
      factsFound: [],
      factsMissing: ["80"],
      forbiddenFound: [],
      checks: 3,
      checksMet: 0,
      passed: false,
    });
  });
});

function result(id: string, passed: boolean, checks = 2, checksMet = passed ? checks : 0): TEvalResult {
  return {
    questionId: id,
    question: `Question ${id}?`,
    mustContain: [],
    mustNotContain: [],
    expectHandoff: false,
    state: "done",
    answer: "…",
    handedOff: false,
    factsFound: [],
    factsMissing: [],
    forbiddenFound: [],
    checks,
    checksMet,
    passed,
    latencyMs: 1,
    error: null,
  };
}

describe("evaluation runs", () => {
  it("scores checks met over checks made, counting answered questions only", () => {
    const pending = { ...result("c", false, 5, 0), state: "pending" as const };
    expect(scoreRun([result("a", true, 3), result("b", false, 1, 0), pending])).toEqual({ passed: 1, score: 3 / 4 });
    expect(scoreRun([])).toEqual({ passed: 0, score: null });
  });

  it("lines two runs up by question and says which broke and which were fixed", () => {
    const rows = compareResults(
      [result("a", true), result("b", false), result("c", true), result("gone", true)],
      [result("a", false), result("b", true), result("c", true), result("new", false)],
    );
    expect(rows.map((row) => [row.questionId, row.change])).toEqual([
      ["a", "broke"],
      ["b", "fixed"],
      ["c", "same"],
      ["new", "only_b"],
      ["gone", "only_a"],
    ]);
    // A question asked again under a new id (deleted and added back) still lines up by its text.
    const [row] = compareResults(
      [result("old-id", true)],
      [{ ...result("new-id", false), question: "question OLD-ID?" }],
    );
    expect(row).toMatchObject({ change: "broke", a: { questionId: "old-id" } });
  });
});

describe("evaluation questions", () => {
  it("drops blank facts and repeats, and refuses an empty question", () => {
    expect(
      ZEvalQuestionInput.parse({ question: " Price? ", mustContain: ["80", " ", "80", "|"], mustNotContain: [] }),
    ).toEqual({ question: "Price?", mustContain: ["80"], mustNotContain: [], expectHandoff: false });
    expect(ZEvalQuestionInput.safeParse({ question: "  " }).success).toBe(false);
    expect(ZEvalQuestionInput.safeParse({ question: "x", mustContain: Array(31).fill("a") }).success).toBe(false);
  });
});
