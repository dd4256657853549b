import safeRegex from "safe-regex2";
import { z } from "zod";
import { fold } from "~/server/lib/fold";
import type { TFactType, TFactValue } from "./facts";
import { wordForms } from "./word-forms";

/**
 * The last message's text, folded and split once: every rule tests the same text, one message
 * after another, so a one-entry memo saves the work for all but the first rule.
 */
let memo: { text: string; folded: string; words: string[]; forms: Set<string> | null } | null = null;
function folded(text: string): { folded: string; words: string[]; forms: Set<string> | null } {
  if (memo?.text !== text) {
    const value = fold(text);
    memo = { text, folded: value, words: value.split(/[^\p{L}\p{N}]+/u).filter(Boolean), forms: null };
  }
  return memo;
}

/** Every form of every word of the text (plurals and singulars), built the first time a rule asks. */
function formsOf(text: string): Set<string> {
  const entry = folded(text);
  entry.forms ??= new Set(entry.words.flatMap(wordForms));
  return entry.forms;
}

const valueForms = new Map<string, string[]>();
/** A rule value's word forms, remembered (rule values repeat for every message). */
function formsOfValue(value: string): string[] {
  let forms = valueForms.get(value);
  if (!forms) {
    forms = wordForms(fold(value).trim());
    if (valueForms.size > 1_000) valueForms.clear();
    valueForms.set(value, forms);
  }
  return forms;
}

const regexCache = new Map<string, RegExp>();
function compiledRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, "iu");
    if (regexCache.size > 1_000) regexCache.clear();
    regexCache.set(pattern, regex);
  }
  return regex;
}

export const MAX_REGEX_LENGTH = 200;

/** Why a pattern is refused, or null when it is safe to run on every message. */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_LENGTH) return `At most ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(pattern, "iu");
  } catch (error) {
    return `Not a valid pattern: ${(error as Error).message.replace(/^Invalid regular expression: /, "")}`;
  }
  if (!safeRegex(pattern))
    return "This pattern can take exponential time on some messages (nested repetition); simplify it";
  return null;
}

type TOperatorFn = (factValue: TFactValue | undefined, value: unknown) => boolean;

const isNumberLike = (factValue: unknown) => Number.parseFloat(factValue as string).toString() !== "NaN";
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const equalFolded = (a: unknown, b: unknown) =>
  typeof a === "string" && typeof b === "string" ? fold(a) === fold(b) : a === b;

/**
 * json-rules-engine's built-in operators, as the engine runs them (a fact value its validator
 * refuses makes the condition false), and ours. The engine registers ours with `addOperator`;
 * the compiled evaluator calls the very same functions, so the two cannot disagree on them.
 */
export const BUILT_IN_OPERATORS: Record<string, TOperatorFn> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b as string) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b as string) === -1,
  lessThan: (a, b) => isNumberLike(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumberLike(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumberLike(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumberLike(a) && (a as number) >= (b as number),
};

export const CUSTOM_OPERATORS: Record<string, TOperatorFn> = {
  // The word, in any case, with or without accents, singular or plural (see word-forms.ts).
  containsWord: (a, b) =>
    typeof a === "string" &&
    typeof b === "string" &&
    (folded(a).words.includes(fold(b).trim()) || formsOfValue(b).some((form) => formsOf(a).has(form))),
  containsAnyOf: (a, b) =>
    typeof a === "string" &&
    asList(b).some((item) => typeof item === "string" && folded(a).folded.includes(fold(item))),
  startsWith: (a, b) =>
    typeof a === "string" && typeof b === "string" && folded(a).folded.trimStart().startsWith(fold(b)),
  matchesRegex: (a, b) => typeof a === "string" && typeof b === "string" && compiledRegex(b).test(a),
  inList: (a, b) =>
    Array.isArray(a)
      ? a.some((item) => asList(b).some((entry) => equalFolded(item, entry)))
      : asList(b).some((entry) => equalFolded(a, entry)),
  between: (a, b) => {
    const [min, max] = asList(b) as [number, number];
    return typeof a === "number" && a >= min && a <= max;
  },
};

export const OPERATOR_FNS: Record<string, TOperatorFn> = { ...BUILT_IN_OPERATORS, ...CUSTOM_OPERATORS };

const ZScalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const ZList = z
  .array(z.union([z.string().max(200), z.number()]))
  .min(1, "Add at least one item")
  .max(200);
const ZText = z.string().trim().min(1, "Enter a value").max(200);

/** Every operator rules may use: its label, the value it takes, and the fact types it fits. */
export const OPERATORS = {
  equal: { label: "is", value: ZScalar, types: ["text", "number", "boolean", "choice"] },
  notEqual: { label: "is not", value: ZScalar, types: ["text", "number", "boolean", "choice"] },
  lessThan: { label: "<", value: z.number(), types: ["number"] },
  lessThanInclusive: { label: "≤", value: z.number(), types: ["number"] },
  greaterThan: { label: ">", value: z.number(), types: ["number"] },
  greaterThanInclusive: { label: "≥", value: z.number(), types: ["number"] },
  in: { label: "is one of", value: ZList, types: ["number", "choice"] },
  notIn: { label: "is not one of", value: ZList, types: ["number", "choice"] },
  contains: { label: "has", value: ZText, types: ["list"] },
  doesNotContain: { label: "does not have", value: ZText, types: ["list"] },
  containsWord: { label: "contains the word", value: ZText, types: ["text"] },
  containsAnyOf: { label: "contains any of", value: ZList, types: ["text"] },
  startsWith: { label: "starts with", value: ZText, types: ["text"] },
  matchesRegex: {
    label: "matches pattern",
    value: ZText.superRefine((pattern, context) => {
      const problem = regexProblem(pattern);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
    types: ["text"],
  },
  inList: { label: "is any of (any case)", value: ZList, types: ["text", "list", "choice"] },
  between: {
    label: "between",
    value: z
      .tuple([z.number(), z.number()])
      .refine(([min, max]) => min <= max, "The first number must not be above the second"),
    types: ["number"],
  },
} as const satisfies Record<string, { label: string; value: z.ZodType; types: readonly TFactType[] }>;

export type TOperatorName = keyof typeof OPERATORS;
export const OPERATOR_NAMES = Object.keys(OPERATORS) as [TOperatorName, ...TOperatorName[]];
