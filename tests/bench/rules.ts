import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { Engine, type RuleProperties } from "json-rules-engine";
import { arbFacts, arbTopCondition } from "~/server/rules/arbitraries.test-support";
import { compileRuleset, evaluateRuleset } from "~/server/rules/evaluate";
import type { TFacts } from "~/server/rules/facts";
import { CUSTOM_OPERATORS } from "~/server/rules/operators";
import type { TCondition, TRule } from "~/server/rules/schema";
import { note, percentile, report } from "./report";

const BENCH = "rules";
const HOURS = { mon: [{ start: "09:00", end: "17:00" }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

/** Deterministic rules and messages (fixed seeds), so every run measures the same work. */
function generate(count: number) {
  const conditions = fc.sample(arbTopCondition, { seed: 42 + count, numRuns: count });
  const rules: TRule[] = conditions.map((condition, index) => ({
    id: randomUUID(),
    name: `Rule ${index + 1}`,
    description: "",
    enabled: true,
    priority: 0,
    conditions: condition,
    actions: [{ type: "reply", text: `answer ${index + 1}` }],
    stopOnMatch: false,
    cooldownS: 0,
    schedule: null,
  }));
  const messages = fc.sample(arbFacts, { seed: 7, numRuns: 200 });
  return { rules, messages };
}

/** The same condition as json-rules-engine's docs write it: a nested fact and a JSONPath. */
function documentedCondition(condition: TCondition): unknown {
  if ("all" in condition) return { all: condition.all.map(documentedCondition) };
  if ("any" in condition) return { any: condition.any.map(documentedCondition) };
  if ("not" in condition) return { not: documentedCondition(condition.not) };
  const [object, key] = condition.fact.split(".");
  return { fact: object, path: `$.${key}`, operator: condition.operator, value: condition.value };
}

function nested(facts: TFacts) {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(facts)) {
    const [object, key] = name.split(".") as [string, string];
    (result[object] ??= {})[key] = value;
  }
  return result;
}

function time(run: () => void, iterations: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

async function timeAsync(run: () => Promise<unknown>, iterations: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

export async function runRulesBench() {
  for (const count of [10, 200, 1_000]) {
    const { rules, messages } = generate(count);
    const ruleset = compileRuleset(rules, 1, null);
    const context = { now: new Date(), timeZone: "UTC", businessHours: HOURS, coolingDown: () => false };
    let next = 0;
    const production = () => {
      evaluateRuleset(ruleset, messages[next++ % messages.length]!, context);
    };
    time(production, 500); // warm-up
    const ours = time(production, 5_000);

    const documentedRules: RuleProperties[] = rules.map((rule) => ({
      name: rule.id,
      conditions: documentedCondition(rule.conditions) as RuleProperties["conditions"],
      event: { type: "matched" },
    }));
    const documented = async () => {
      const engine = new Engine(documentedRules, { allowUndefinedFacts: true });
      for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
      await engine.run(nested(messages[next++ % messages.length]!));
    };
    const iterations = count >= 1_000 ? 40 : count >= 200 ? 150 : 1_000;
    await timeAsync(documented, Math.ceil(iterations / 10)); // warm-up
    const theirs = await timeAsync(documented, iterations);

    note(`${count} rules: production ${ours.length} runs, documented json-rules-engine ${theirs.length} runs`);
    report(BENCH, `eval_${count}_p50_ms`, percentile(ours, 50), { rules: count });
    report(BENCH, `eval_${count}_p95_ms`, percentile(ours, 95), { rules: count });
    report(BENCH, `documented_${count}_p50_ms`, percentile(theirs, 50), { rules: count });
    report(BENCH, `documented_${count}_p95_ms`, percentile(theirs, 95), { rules: count });
    report(BENCH, `speedup_${count}_vs_documented`, percentile(theirs, 95) / percentile(ours, 95), {
      rules: count,
      at: "p95",
    });
  }
}
