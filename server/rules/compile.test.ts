import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbFacts, arbTopCondition } from "./arbitraries.test-support";
import { compileCondition } from "./compile";
import { engineMatches } from "./engine";
import { ZConditions } from "./schema";

describe("compiled conditions", () => {
  it("generated conditions are valid rules", () => {
    fc.assert(
      fc.property(arbTopCondition, (condition) => {
        expect(ZConditions.safeParse(condition).error?.issues ?? []).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("treat an empty group as json-rules-engine does (true), though rules cannot save one", async () => {
    const facts = fc.sample(arbFacts, 1)[0]!;
    for (const condition of [{ all: [] }, { any: [] }]) {
      expect(compileCondition(condition)(facts)).toBe(await engineMatches(condition, facts));
      expect(ZConditions.safeParse(condition).success).toBe(false);
    }
  });

  it("decide exactly as json-rules-engine does, on generated rules and messages", async () => {
    await fc.assert(
      fc.asyncProperty(arbTopCondition, arbFacts, async (condition, facts) => {
        expect(compileCondition(condition)(facts)).toBe(await engineMatches(condition, facts));
      }),
      { numRuns: 1_000 },
    );
  });
});
