import { describe, expect, it } from "vitest";
import { OPERATOR_FNS, regexProblem } from "./operators";

const op = (name: string, fact: unknown, value: unknown) => OPERATOR_FNS[name]!(fact as never, value);

describe("operators", () => {
  it("containsWord matches whole words, ignoring case and accents", () => {
    expect(op("containsWord", "What is the PREÇO?", "preco")).toBe(true);
    expect(op("containsWord", "pricelist", "price")).toBe(false);
    expect(op("containsWord", 42, "price")).toBe(false);
  });
  it("containsWord also matches the word's plural and singular (English, Spanish, Portuguese)", () => {
    const pairs = [
      ["What are your prices?", "price"],
      ["one price only", "prices"],
      ["in all cities", "city"],
      ["las luces no funcionan", "luz"],
      ["Quais são os botões?", "botão"],
      ["meus pedidos", "pedido"],
      ["vendem animais?", "animal"],
      ["dois itens", "item"],
      ["Tienen FLORES?", "flor"],
    ];
    for (const [text, word] of pairs) expect(op("containsWord", text, word), `${word} in ${text}`).toBe(true);
    expect(op("containsWord", "the prize", "price")).toBe(false);
    expect(op("containsWord", "pricelists", "price")).toBe(false);
    expect(op("containsWord", "a cat", "cats")).toBe(true);
    expect(op("containsWord", "is", "i")).toBe(false);
  });
  it("containsAnyOf matches any phrase as a substring, ignoring case and accents", () => {
    expect(op("containsAnyOf", "Quero falar com um HUMANO", ["agent", "humano"])).toBe(true);
    expect(op("containsAnyOf", "Olá", ["ola"])).toBe(true);
    expect(op("containsAnyOf", "hello", ["bye"])).toBe(false);
  });
  it("startsWith ignores leading space, case and accents", () => {
    expect(op("startsWith", "  Éxito total", "exito")).toBe(true);
    expect(op("startsWith", "total exito", "exito")).toBe(false);
  });
  it("matchesRegex is case-insensitive and Unicode-aware", () => {
    expect(op("matchesRegex", "Order #1234", "order #\\d{4}")).toBe(true);
    expect(op("matchesRegex", "no order", "^order")).toBe(false);
  });
  it("inList compares text without case, and lists element by element", () => {
    expect(op("inList", "VIP", ["vip", "gold"])).toBe(true);
    expect(op("inList", ["late", "Gold"], ["gold"])).toBe(true);
    expect(op("inList", "silver", ["gold"])).toBe(false);
  });
  it("between is inclusive and needs a number", () => {
    expect(op("between", 8, [8, 17])).toBe(true);
    expect(op("between", 17, [8, 17])).toBe(true);
    expect(op("between", 18, [8, 17])).toBe(false);
    expect(op("between", null, [0, 1])).toBe(false);
  });
  it("json-rules-engine's built-ins keep their validators (a non-number is never less than anything)", () => {
    expect(op("lessThan", null, 5)).toBe(false);
    expect(op("greaterThanInclusive", 5, 5)).toBe(true);
    expect(op("contains", "vip", "vip")).toBe(false);
    expect(op("contains", ["vip"], "vip")).toBe(true);
    expect(op("in", "client", ["client", "friend"])).toBe(true);
    expect(op("notEqual", "a", "b")).toBe(true);
  });
  it("refuses unsafe, invalid and overlong patterns with the reason", () => {
    expect(regexProblem("(a+)+$")).toMatch(/exponential/);
    expect(regexProblem("([a-z]")).toMatch(/Not a valid pattern/);
    expect(regexProblem("a".repeat(201))).toMatch(/At most 200/);
    expect(regexProblem("^(price|preço)\\b")).toBeNull();
  });
});
