import { Engine, type RuleProperties } from "json-rules-engine";
import type { TFacts } from "./facts";
import { CUSTOM_OPERATORS } from "./operators";
import type { TCondition, TRule } from "./schema";

/** One condition of a rule as json-rules-engine evaluated it, with the fact value it saw. */
export type TConditionExplanation =
  | { kind: "all" | "any"; result: boolean; children: TConditionExplanation[] }
  | { kind: "not"; result: boolean; child: TConditionExplanation }
  | { kind: "fact"; fact: string; operator: string; value: unknown; factValue: unknown; result: boolean };

/**
 * A json-rules-engine `Engine` for a set of rules, with our operators. Facts are flat, so the
 * engine never resolves a JSONPath. Used where the explanation matters more than speed: the
 * test panel, and as the reference the compiled evaluator is tested against.
 */
export function createEngine(rules: readonly Pick<TRule, "id" | "conditions">[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
  for (const rule of rules) {
    const properties: RuleProperties = {
      name: rule.id,
      conditions: rule.conditions,
      event: { type: "matched", params: { ruleId: rule.id } },
    };
    engine.addRule(properties);
  }
  return engine;
}

type TEngineCondition = {
  all?: TEngineCondition[];
  any?: TEngineCondition[];
  not?: TEngineCondition;
  fact?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  result?: boolean;
};

function explain(condition: TEngineCondition): TConditionExplanation {
  if (condition.all || condition.any) {
    const kind = condition.all ? "all" : "any";
    const children = (condition.all ?? condition.any ?? []).map(explain);
    // As the engine decides: an empty `any` is true, like an empty `all`.
    const result =
      kind === "all" || children.length === 0
        ? children.every((child) => child.result)
        : children.some((child) => child.result);
    return { kind, result, children };
  }
  if (condition.not) {
    const child = explain(condition.not);
    return { kind: "not", result: !child.result, child };
  }
  return {
    kind: "fact",
    fact: condition.fact ?? "",
    operator: condition.operator ?? "",
    value: condition.value,
    factValue: condition.factResult ?? null,
    result: condition.result === true,
  };
}

/** Runs json-rules-engine on the facts: for each rule, whether it matched and why. */
export async function explainRules(
  rules: readonly Pick<TRule, "id" | "conditions">[],
  facts: TFacts,
): Promise<Map<string, { matched: boolean; conditions: TConditionExplanation }>> {
  const engine = createEngine(rules);
  const { results, failureResults } = await engine.run({ ...facts });
  const explained = new Map<string, { matched: boolean; conditions: TConditionExplanation }>();
  for (const [matched, list] of [
    [true, results],
    [false, failureResults],
  ] as const) {
    for (const result of list) {
      const conditions = (result.conditions as unknown as TEngineCondition) ?? {};
      explained.set(result.name, { matched, conditions: explain(conditions) });
    }
  }
  return explained;
}

/** json-rules-engine's verdict alone, for one condition tree (the differential test's reference). */
export async function engineMatches(conditions: TCondition, facts: TFacts): Promise<boolean> {
  const engine = createEngine([{ id: "r", conditions: conditions as TRule["conditions"] }]);
  const { results } = await engine.run({ ...facts });
  return results.length === 1;
}
