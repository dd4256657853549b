import { FACTS, type TFactName, type TFactType } from "./facts";
import type { TOperatorName } from "./operators";
import type { TCondition, TLeafCondition, TTopCondition } from "./schema";

/** react-querybuilder's query shapes (structurally; the server does not import React code). */
export type TQueryRule = { id?: string; field: string; operator: string; value: unknown };
export type TQueryGroup = { id?: string; combinator: string; not?: boolean; rules: (TQueryRule | TQueryGroup)[] };

const LIST_OPERATORS = new Set<string>(["in", "notIn", "inList", "containsAnyOf"]);
const NUMBER_OPERATORS = new Set<string>(["lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive"]);

function isGroup(item: TQueryRule | TQueryGroup): item is TQueryGroup {
  return "rules" in item;
}

/** A json-rules-engine condition tree → a react-querybuilder query (what the editor shows). */
export function toQuery(condition: TTopCondition | TCondition): TQueryGroup {
  if ("all" in condition) return { combinator: "and", rules: condition.all.map(toQueryItem) };
  if ("any" in condition) return { combinator: "or", rules: condition.any.map(toQueryItem) };
  if ("not" in condition) {
    const inner = condition.not;
    if ("fact" in inner) return { combinator: "and", not: true, rules: [toQueryItem(inner)] };
    const { not, ...group } = toQuery(inner);
    return not ? group : { ...group, not: true };
  }
  return { combinator: "and", rules: [toQueryItem(condition)] };
}

function toQueryItem(condition: TCondition): TQueryRule | TQueryGroup {
  if ("fact" in condition) return { field: condition.fact, operator: condition.operator, value: condition.value };
  return toQuery(condition);
}

/**
 * What a typed value means for the fact and operator: the editor's text inputs give strings,
 * so "8, 17" becomes [8, 17] for `between`, "a, b" a list, "3" a number, "true" a boolean.
 * Values already of the right shape pass through, so converting twice changes nothing.
 */
export function normalizeValue(
  fact: string,
  operator: string,
  value: unknown,
  typeOf: TFactTypeOf = factTypeOf,
): unknown {
  const type = typeOf(fact);
  const number = (item: unknown) =>
    typeof item === "string" && item.trim() !== "" && !Number.isNaN(Number(item)) ? Number(item) : item;
  const list = (item: unknown): unknown[] =>
    Array.isArray(item)
      ? item
      : typeof item === "string"
        ? item
            .split(",")
            .map((part) => part.trim())
            .filter(Boolean)
        : item === undefined || item === null
          ? []
          : [item];
  if (operator === "between") return list(value).map(number);
  if (LIST_OPERATORS.has(operator)) return type === "number" ? list(value).map(number) : list(value);
  if (NUMBER_OPERATORS.has(operator) || type === "number") return number(value);
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

/** A fact's type by name; the editor adds contact fields' (`field.<key>`), which only Settings knows. */
export type TFactTypeOf = (fact: string) => TFactType | undefined;
const factTypeOf: TFactTypeOf = (fact) => (FACTS[fact as TFactName] as { type: TFactType } | undefined)?.type;

/** A react-querybuilder query → a json-rules-engine condition tree (what is stored). */
export function fromQuery(group: TQueryGroup, typeOf: TFactTypeOf = factTypeOf): TTopCondition {
  const children = group.rules.map((item) => fromQueryItem(item, typeOf));
  const base: TTopCondition = group.combinator === "or" ? { any: children } : { all: children };
  return group.not ? { not: base } : base;
}

function fromQueryItem(item: TQueryRule | TQueryGroup, typeOf: TFactTypeOf): TCondition {
  if (isGroup(item)) return fromQuery(item, typeOf);
  const leaf: TLeafCondition = {
    fact: item.field as TFactName,
    operator: item.operator as TOperatorName,
    value: normalizeValue(item.field, item.operator, item.value, typeOf),
  };
  return leaf;
}
