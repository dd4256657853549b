import { FACTS, type TFactName } from "~/server/rules/facts";
import type { TCondition } from "~/server/rules/schema";

/** The words a summary is made of, in the reader's language (built from the catalogue by the caller). */
export type TSummaryWords = {
  fact: (name: string) => string;
  operator: (name: string) => string;
  /** A value of a fact whose values are a fixed list (choices, yes/no), as people read it. */
  choice: (fact: string, value: string) => string;
  number: (value: number) => string;
  quote: (text: string) => string;
  leaf: (fact: string, operator: string, value: string) => string;
  not: (condition: string) => string;
  group: (condition: string) => string;
  list: (items: string[], type: "and" | "or") => string;
  range: (min: string, max: string) => string;
};

const isFact = (name: string): name is TFactName => name in FACTS;

function describeValue(fact: string, operator: string, value: unknown, words: TSummaryWords): string {
  if (operator === "between" && Array.isArray(value) && value.length === 2)
    return words.range(describeValue(fact, "equal", value[0], words), describeValue(fact, "equal", value[1], words));
  if (Array.isArray(value))
    return words.list(
      value.map((item) => describeValue(fact, "equal", item, words)),
      "or",
    );
  if (typeof value === "number") return words.number(value);
  const type = isFact(fact) ? FACTS[fact].type : "text";
  if (typeof value === "boolean" || type === "boolean" || type === "choice") return words.choice(fact, String(value));
  if (typeof value === "string") return words.quote(value);
  return value === null || value === undefined ? words.quote("") : words.quote(JSON.stringify(value));
}

function describe(condition: TCondition, words: TSummaryWords, isNested: boolean): string {
  if ("fact" in condition)
    return words.leaf(
      words.fact(condition.fact),
      words.operator(condition.operator),
      describeValue(condition.fact, condition.operator, condition.value, words),
    );
  if ("not" in condition) return words.not(describe(condition.not, words, false));
  const children = "all" in condition ? condition.all : condition.any;
  if (children.length === 1) return describe(children[0]!, words, isNested);
  const text = words.list(
    children.map((child) => describe(child, words, true)),
    "all" in condition ? "and" : "or",
  );
  return isNested ? words.group(text) : text;
}

/**
 * A rule's conditions in one readable line ("Message text contains the word “refund” and Contact
 * tags has “vip”"): nested groups in parentheses, choices by their labels, text values quoted.
 * Pure: the words come from the caller, so the same function serves every language.
 */
export function describeConditions(condition: TCondition, words: TSummaryWords): string {
  return describe(condition, words, false);
}
