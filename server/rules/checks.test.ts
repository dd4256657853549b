import { describe, expect, it } from "vitest";
import { checkRuleset } from "./checks";
import type { TRule } from "./schema";

let next = 0;
function rule(overrides: Partial<TRule>): TRule {
  next += 1;
  return {
    id: `00000000-0000-4000-8000-${String(next).padStart(12, "0")}`,
    name: `Rule ${next}`,
    description: "",
    enabled: true,
    priority: 0,
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
    actions: [{ type: "reply", text: "x" }],
    stopOnMatch: false,
    cooldownS: 0,
    schedule: null,
    ...overrides,
  };
}

describe("checks before publish", () => {
  it("warns about a rule shadowed by an earlier, broader rule that stops", () => {
    const broad = rule({ name: "Any price", priority: 10, stopOnMatch: true });
    const narrow = rule({
      name: "Price at night",
      conditions: {
        all: [
          { fact: "message.text", operator: "containsWord", value: "price" },
          { fact: "time.hour", operator: "greaterThan", value: 20 },
        ],
      },
    });
    expect(checkRuleset([narrow, broad]).map((warning) => [warning.kind, warning.rule])).toEqual([
      ["unreachable", "Price at night"],
    ]);
    // Not when the earlier rule does not stop, is cooling down sometimes, or comes later.
    expect(checkRuleset([narrow, { ...broad, stopOnMatch: false }])).toEqual([]);
    expect(checkRuleset([narrow, { ...broad, cooldownS: 60 }])).toEqual([]);
    expect(checkRuleset([{ ...narrow, priority: 20 }, broad])).toEqual([]);
  });

  it("warns about contradictory conditions and about duplicates", () => {
    const impossible = rule({
      name: "Night and morning",
      conditions: {
        all: [
          { fact: "time.hour", operator: "greaterThan", value: 20 },
          { fact: "time.hour", operator: "lessThan", value: 8 },
        ],
      },
    });
    const twinA = rule({ name: "A" });
    const twinB = rule({ name: "B" });
    const kinds = checkRuleset([impossible, twinA, twinB]).map((warning) => `${warning.kind}:${warning.rule}`);
    expect(kinds).toEqual(["contradictory:Night and morning", "duplicate:B"]);
  });
});
