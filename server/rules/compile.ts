import type { TFacts } from "./facts";
import { OPERATOR_FNS } from "./operators";
import type { TCondition } from "./schema";

export type TCompiledCondition = (facts: TFacts) => boolean;

/**
 * Compiles a stored json-rules-engine condition tree to a plain function, for the hot path.
 * It decides exactly as json-rules-engine 7 does (`all` and `any` of nothing are both true;
 * operators are the same functions); the differential test in `compile.test.ts` holds
 * it to that on generated rules and messages.
 */
export function compileCondition(condition: TCondition): TCompiledCondition {
  if ("all" in condition) {
    const parts = condition.all.map(compileCondition);
    return (facts) => parts.every((part) => part(facts));
  }
  if ("any" in condition) {
    const parts = condition.any.map(compileCondition);
    if (parts.length === 0) return () => true;
    return (facts) => parts.some((part) => part(facts));
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not);
    return (facts) => !inner(facts);
  }
  const operator = OPERATOR_FNS[condition.operator];
  if (!operator) throw new Error(`Unknown operator ${condition.operator}`);
  const { fact, value } = condition;
  return (facts) => operator(facts[fact], value);
}
