import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbTopCondition } from "./arbitraries.test-support";
import { fromQuery, toQuery } from "./convert";
import { ZConditions } from "./schema";

describe("query builder ⇄ json-rules-engine", () => {
  it("convert → back → convert is stable for generated trees, and back gives a valid rule", () => {
    fc.assert(
      fc.property(arbTopCondition, (condition) => {
        const query = toQuery(condition);
        const stored = fromQuery(query);
        expect(toQuery(stored)).toEqual(query);
        expect(ZConditions.safeParse(stored).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps not, nesting and typed values, reading the editor's strings", () => {
    const stored = fromQuery({
      combinator: "and",
      rules: [
        { field: "message.text", operator: "containsAnyOf", value: "price, preço" },
        { field: "time.hour", operator: "between", value: "8, 17" },
        { combinator: "or", not: true, rules: [{ field: "contact.optedOut", operator: "equal", value: "true" }] },
      ],
    });
    expect(stored).toEqual({
      all: [
        { fact: "message.text", operator: "containsAnyOf", value: ["price", "preço"] },
        { fact: "time.hour", operator: "between", value: [8, 17] },
        { not: { any: [{ fact: "contact.optedOut", operator: "equal", value: true }] } },
      ],
    });
    expect(toQuery({ not: { fact: "message.isFirst", operator: "equal", value: true } })).toEqual({
      combinator: "and",
      not: true,
      rules: [{ field: "message.isFirst", operator: "equal", value: true }],
    });
  });
});
