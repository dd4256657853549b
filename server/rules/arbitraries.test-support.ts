import fc from "fast-check";
import { FACT_NAMES, FACTS, type TFactName, type TFacts } from "./facts";
import { OPERATOR_NAMES, OPERATORS, type TOperatorName } from "./operators";
import type { TCondition, TLeafCondition, TTopCondition } from "./schema";

/** Words with case and accents, so folding is exercised. */
const WORDS = [
  "price",
  "Preço",
  "PRICE",
  "hello",
  "olá",
  "Olà",
  "refund",
  "help",
  "agent",
  "menu",
  "",
  "price-list",
  "é",
];
const arbText = fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }).map((parts) => parts.join(" "));
const arbNumber = fc.oneof(fc.integer({ min: -5, max: 30 }), fc.constantFrom(0, 1, 23));

function arbFactValue(fact: TFactName) {
  const definition = FACTS[fact];
  switch (definition.type) {
    case "text":
      return fact === "contact.name" || fact === "contact.profile" ? fc.option(arbText, { nil: null }) : arbText;
    case "number":
      return fact === "thread.minutesSinceLastBotReply" || fact === "message.latitude" || fact === "message.longitude"
        ? fc.option(arbNumber, { nil: null })
        : arbNumber;
    case "boolean":
      return fc.boolean();
    case "list":
      return fc.array(fc.constantFrom("vip", "lead", "Lead", "late payer"), { maxLength: 3 });
    case "choice":
      return fc.constantFrom(...("choices" in definition ? definition.choices : ["x"]));
  }
}

export const arbFacts: fc.Arbitrary<TFacts> = fc.record(
  Object.fromEntries(FACT_NAMES.map((fact) => [fact, arbFactValue(fact)])) as Record<TFactName, fc.Arbitrary<never>>,
);

function arbValue(fact: TFactName, operator: TOperatorName): fc.Arbitrary<unknown> {
  const definition = FACTS[fact];
  const choice =
    "choices" in definition ? fc.constantFrom(...definition.choices) : fc.constantFrom(...WORDS.filter(Boolean));
  const scalar: fc.Arbitrary<unknown> =
    definition.type === "number" ? arbNumber : definition.type === "boolean" ? fc.boolean() : choice;
  switch (operator) {
    case "lessThan":
    case "lessThanInclusive":
    case "greaterThan":
    case "greaterThanInclusive":
      return arbNumber;
    case "between":
      return fc.tuple(arbNumber, arbNumber).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
    case "in":
    case "notIn":
    case "inList":
    case "containsAnyOf":
      return fc.array(definition.type === "list" ? fc.constantFrom("vip", "LEAD", "lead") : scalar, {
        minLength: 1,
        maxLength: 3,
      });
    case "contains":
    case "doesNotContain":
      return fc.constantFrom("vip", "lead", "Lead");
    case "matchesRegex":
      return fc.constantFrom("^pri", "pre[cç]o", "\\bhelp\\b", "(refund|agent)$", "o.á");
    case "containsWord":
    case "startsWith":
      return fc.constantFrom(...WORDS.filter(Boolean));
    default:
      return scalar;
  }
}

export const arbLeaf: fc.Arbitrary<TLeafCondition> = fc
  .constantFrom(...FACT_NAMES)
  .chain((fact) =>
    fc
      .constantFrom(
        ...OPERATOR_NAMES.filter((operator) =>
          (OPERATORS[operator].types as readonly string[]).includes(FACTS[fact].type),
        ),
      )
      .chain((operator) => arbValue(fact, operator).map((value) => ({ fact, operator, value }))),
  );

const { tree } = fc.letrec<{ tree: TCondition }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arbLeaf,
    fc.array(tie("tree"), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie("tree"), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie("tree").map((not) => ({ not })),
  ),
}));

/** A condition tree as rules store it: `all`, `any` or `not` at the top. */
export const arbTopCondition: fc.Arbitrary<TTopCondition> = tree.map((condition) =>
  "all" in condition || "any" in condition || "not" in condition ? condition : { all: [condition] },
);
