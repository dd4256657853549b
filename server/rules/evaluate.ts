import type { TBusinessHours } from "~/server/settings/schema";
import { compileCondition, type TCompiledCondition } from "./compile";
import { isBusinessHours, localTime, type TFacts } from "./facts";
import type { TRuleAsset } from "./media";
import type { TRule, TRuleAction, TRuleSchedule } from "./schema";

export type TCompiledRule = TRule & { test: TCompiledCondition };
/** A published ruleset, compiled once and reused for every message until the next publish, with the library files its replies send. */
export type TCompiledRuleset = {
  versionId: string | null;
  version: number;
  rules: TCompiledRule[];
  assets: ReadonlyMap<string, TRuleAsset>;
};

/** Rules in the order they run: priority, highest first; ties keep the ruleset's order. */
export function orderRules<T extends Pick<TRule, "priority">>(rules: readonly T[]): T[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

export function compileRuleset(
  rules: readonly TRule[],
  version: number,
  versionId: string | null,
  assets: ReadonlyMap<string, TRuleAsset> = new Map(),
): TCompiledRuleset {
  return {
    versionId,
    version,
    assets,
    rules: orderRules(rules).map((rule) => ({ ...rule, test: compileCondition(rule.conditions) })),
  };
}

/** Whether a rule's schedule lets it fire at `now`. */
export function scheduleAllows(
  schedule: TRuleSchedule | null,
  now: Date,
  timeZone: string,
  businessHours: TBusinessHours,
): boolean {
  if (!schedule) return true;
  if (schedule.days.length > 0 && !schedule.days.includes(localTime(now, timeZone).weekday)) return false;
  if (schedule.hours === "any") return true;
  return isBusinessHours(now, timeZone, businessHours) === (schedule.hours === "inside");
}

export type TEvaluationContext = {
  now: Date;
  timeZone: string;
  businessHours: TBusinessHours;
  /** Whether the rule is cooling down for this message's contact. */
  coolingDown: (rule: TCompiledRule) => boolean;
};

export type TRuleOutcome = {
  ruleId: string;
  name: string;
  /** Why the rule's conditions were not tested, when they were not. */
  skipped: "disabled" | "schedule" | "cooldown" | "stopped" | null;
  matched: boolean;
};

export type TEvaluation = {
  outcomes: TRuleOutcome[];
  /** The actions to run, in order: each matching rule's, by priority, up to a stop. */
  actions: { ruleId: string; action: TRuleAction }[];
  /** Whether any rule matched (if none did, the org default applies). */
  matchedAny: boolean;
};

/**
 * Runs a compiled ruleset on one message's facts. Rules run by priority; a disabled rule, one
 * outside its schedule or cooling down for the contact is skipped; a match queues its actions;
 * stop-on-match (or a `stop` action) ends the evaluation.
 */
export function evaluateRuleset(ruleset: TCompiledRuleset, facts: TFacts, context: TEvaluationContext): TEvaluation {
  const outcomes: TRuleOutcome[] = [];
  const actions: TEvaluation["actions"] = [];
  let stopped = false;
  for (const rule of ruleset.rules) {
    const outcome: TRuleOutcome = { ruleId: rule.id, name: rule.name, skipped: null, matched: false };
    outcomes.push(outcome);
    if (stopped) outcome.skipped = "stopped";
    else if (!rule.enabled) outcome.skipped = "disabled";
    else if (!scheduleAllows(rule.schedule, context.now, context.timeZone, context.businessHours))
      outcome.skipped = "schedule";
    else if (rule.cooldownS > 0 && context.coolingDown(rule)) outcome.skipped = "cooldown";
    if (outcome.skipped) continue;
    outcome.matched = rule.test(facts);
    if (!outcome.matched) continue;
    for (const action of rule.actions) {
      if (action.type === "stop") {
        stopped = true;
        break;
      }
      actions.push({ ruleId: rule.id, action });
    }
    if (rule.stopOnMatch) stopped = true;
  }
  return { outcomes, actions, matchedAny: outcomes.some((outcome) => outcome.matched) };
}
