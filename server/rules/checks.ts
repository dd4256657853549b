import { orderRules } from "./evaluate";
import type { TCondition, TLeafCondition, TRule } from "./schema";

export type TRuleWarning = {
  ruleId: string;
  rule: string;
  kind: "unreachable" | "contradictory" | "duplicate";
  message: string;
  /** The other rule involved (the earlier rule that stops, or the twin), for the page to word it. */
  other?: string;
  /** The fact whose conditions contradict each other. */
  fact?: string;
};

/** A condition in a canonical text form (object keys sorted), to compare trees. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What a condition requires outright: itself, or each member of an `all` (one level down). */
function requiredLeaves(condition: TCondition): string[] {
  return "all" in condition ? condition.all.map(canonical) : [canonical(condition)];
}

/** Whether every message `narrow` matches, `broad` matches too (a sufficient test, not a complete one). */
function isBroaderOrEqual(broad: TCondition, narrow: TCondition): boolean {
  if (canonical(broad) === canonical(narrow)) return true;
  const need = requiredLeaves(broad);
  const have = new Set(requiredLeaves(narrow));
  return need.every((leaf) => have.has(leaf));
}

/** Numeric bounds one leaf puts on its fact, or null when it is not a numeric bound. */
function bounds(leaf: TLeafCondition): { min: number; max: number } | null {
  const value = leaf.value;
  switch (leaf.operator) {
    case "lessThan":
      return typeof value === "number"
        ? { min: -Infinity, max: value - Number.EPSILON * Math.max(1, Math.abs(value)) }
        : null;
    case "lessThanInclusive":
      return typeof value === "number" ? { min: -Infinity, max: value } : null;
    case "greaterThan":
      return typeof value === "number"
        ? { min: value + Number.EPSILON * Math.max(1, Math.abs(value)), max: Infinity }
        : null;
    case "greaterThanInclusive":
      return typeof value === "number" ? { min: value, max: Infinity } : null;
    case "between":
      return Array.isArray(value) ? { min: Number(value[0]), max: Number(value[1]) } : null;
    case "equal":
      return typeof value === "number" ? { min: value, max: value } : null;
    default:
      return null;
  }
}

/** A reason an `all` group can never hold (numeric bounds that do not meet, two different values), or null. */
function contradiction(condition: TCondition): { fact: string; text: string } | null {
  if ("any" in condition) {
    const reasons = condition.any.map(contradiction);
    return reasons.length > 0 && reasons.every(Boolean) ? reasons[0]! : null;
  }
  if ("not" in condition || "fact" in condition) return null;
  const ranges = new Map<string, { min: number; max: number }>();
  const equals = new Map<string, unknown>();
  for (const child of condition.all) {
    if (!("fact" in child)) {
      const nested = contradiction(child);
      if (nested) return nested;
      continue;
    }
    const range = bounds(child);
    if (range) {
      const current = ranges.get(child.fact) ?? { min: -Infinity, max: Infinity };
      const next = { min: Math.max(current.min, range.min), max: Math.min(current.max, range.max) };
      if (next.min > next.max)
        return { fact: child.fact, text: `its conditions on ${child.fact} cannot all hold at once` };
      ranges.set(child.fact, next);
    }
    if (child.operator === "equal" && typeof child.value !== "number") {
      if (equals.has(child.fact) && equals.get(child.fact) !== child.value) {
        return {
          fact: child.fact,
          text: `it needs ${child.fact} to be both ${JSON.stringify(equals.get(child.fact))} and ${JSON.stringify(child.value)}`,
        };
      }
      equals.set(child.fact, child.value);
    }
  }
  return null;
}

/**
 * Checks before publishing, as warnings (publishing stays possible): rules that can never fire
 * (an earlier enabled rule that stops, at least as broad, always active; or contradictory
 * conditions) and rules with the same conditions as another.
 */
export function checkRuleset(rules: readonly TRule[]): TRuleWarning[] {
  const ordered = orderRules(rules).filter((rule) => rule.enabled);
  const warnings: TRuleWarning[] = [];
  for (const [index, rule] of ordered.entries()) {
    const reason = contradiction(rule.conditions);
    if (reason) {
      warnings.push({
        ruleId: rule.id,
        rule: rule.name,
        kind: "contradictory",
        message: `“${rule.name}” can never match: ${reason.text}.`,
        fact: reason.fact,
      });
    }
    for (const earlier of ordered.slice(0, index)) {
      const stops = earlier.stopOnMatch || earlier.actions.some((action) => action.type === "stop");
      const alwaysActive =
        earlier.cooldownS === 0 &&
        (earlier.schedule === null || canonical(earlier.schedule) === canonical(rule.schedule));
      if (stops && alwaysActive && isBroaderOrEqual(earlier.conditions, rule.conditions)) {
        warnings.push({
          ruleId: rule.id,
          rule: rule.name,
          kind: "unreachable",
          message: `“${rule.name}” never runs: “${earlier.name}” comes first, matches every message it would, and stops.`,
          other: earlier.name,
        });
        break;
      }
    }
    const twin = ordered.slice(0, index).find((other) => canonical(other.conditions) === canonical(rule.conditions));
    if (twin) {
      warnings.push({
        ruleId: rule.id,
        rule: rule.name,
        kind: "duplicate",
        message: `“${rule.name}” has the same conditions as “${twin.name}”.`,
        other: twin.name,
      });
    }
  }
  return warnings;
}
