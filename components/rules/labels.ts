import { useFormatter, useTranslations } from "next-intl";
import { useMemo } from "react";
import { FACTS, type TFactName } from "~/server/rules/facts";
import type { TOperatorName } from "~/server/rules/operators";
import type { TSummaryWords } from "./condition-summary";

/** The catalogue group that names a fact's values, for the facts whose values people pick from a list. */
const CHOICE_GROUPS: Partial<Record<TFactName, "kind" | "relationship" | "mode" | "sentiment" | "weekday">> = {
  "message.type": "kind",
  "message.kind": "kind",
  "message.sentiment": "sentiment",
  "thread.sentiment": "sentiment",
  "contact.relationship": "relationship",
  "thread.mode": "mode",
  "time.weekday": "weekday",
};

/** What the rule components show for facts, operators and values (the stored names stay as they are). */
export type TRuleLabels = {
  fact: (name: string) => string;
  factDescription: (name: string) => string;
  operator: (name: string) => string;
  /** One value of a fact, translated when the fact's values are a fixed list (choices, yes/no). */
  value: (fact: string, value: unknown) => string;
};

/** The labels of facts, operators and choice values in the reader's language. */
export function useRuleLabels(): TRuleLabels {
  const t = useTranslations("rules");
  return useMemo(() => labelsFrom(t), [t]);
}

function labelsFrom(t: ReturnType<typeof useTranslations<"rules">>): TRuleLabels {
  const isFact = (name: string): name is TFactName => name in FACTS;
  const known = (key: string) => t.has(key as never);
  return {
    fact: (name) => (isFact(name) ? t(`facts.${name}.label`) : name),
    factDescription: (name) => (isFact(name) ? t(`facts.${name}.description`) : ""),
    operator: (name) => (known(`operators.${name}`) ? t(`operators.${name as TOperatorName}`) : name),
    value: (fact, value) => {
      if (!isFact(fact)) return String(value);
      const group = FACTS[fact].type === "boolean" ? "boolean" : CHOICE_GROUPS[fact];
      const key = `choices.${group}.${String(value)}`;
      return group && known(key) ? t(key as never) : String(value);
    },
  };
}

/** The words for `describeConditions`, from the catalogue and next-intl's list and number formats. */
export function useSummaryWords(): TSummaryWords {
  const t = useTranslations("rules.summary");
  const labels = useRuleLabels();
  const format = useFormatter();
  return useMemo(
    () => ({
      fact: labels.fact,
      operator: labels.operator,
      choice: labels.value,
      number: (value) => format.number(value),
      quote: (text) => t("quote", { text }),
      leaf: (fact, operator, value) => t("leaf", { fact, operator, value }),
      not: (condition) => t("not", { condition }),
      group: (condition) => t("group", { condition }),
      list: (items, type) => format.list(items, { type: type === "and" ? "conjunction" : "disjunction" }),
      range: (min, max) => t("range", { min, max }),
    }),
    [t, labels, format],
  );
}
