"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCallback, useId, useMemo } from "react";
import {
  type Field,
  QueryBuilder,
  type RuleGroupType,
  toOptions,
  useSelectElementChangeHandler,
  useValueSelector,
  ValueEditor,
  type ValueEditorProps,
  type ValueEditorType,
  type ValueSelectorProps,
} from "react-querybuilder";
import "react-querybuilder/dist/query-builder.css";
import { useTRPC } from "~/components/trpc/client";
import type { TContactFieldType } from "~/db/schema/flows";
import { FACTS, type TFactName, type TFactType } from "~/server/rules/facts";
import { OPERATORS, type TOperatorName } from "~/server/rules/operators";
import { type TRuleLabels, useRuleLabels } from "./labels";

const FACT_LIST = Object.entries(FACTS) as [TFactName, (typeof FACTS)[TFactName]][];
const OPERATOR_LIST = Object.entries(OPERATORS) as [TOperatorName, (typeof OPERATORS)[TOperatorName]][];

/** A contact field defined in Settings, tested as the fact `field.<key>`. */
type TContactFieldFact = { key: string; label: string; type: TContactFieldType; options: string[] };

/** The fact type a contact field's values compare as (dates, `YYYY-MM-DD`, as text). */
const FIELD_FACT_TYPES: Record<TContactFieldType, TFactType> = {
  text: "text",
  number: "number",
  boolean: "boolean",
  choice: "choice",
  date: "text",
};

/** What the editor knows of a fact: its type and, for a choice, the values to pick from. */
type TFactInfo = { type: TFactType; choices?: readonly string[] };

function factInfo(field: string, contactFields: ReadonlyMap<string, TContactFieldFact>): TFactInfo | undefined {
  const custom = contactFields.get(field);
  if (custom)
    return { type: FIELD_FACT_TYPES[custom.type], choices: custom.type === "choice" ? custom.options : undefined };
  const fact = FACTS[field as TFactName] as (typeof FACTS)[TFactName] | undefined;
  return fact && { type: fact.type, choices: "choices" in fact ? fact.choices : undefined };
}

/** The facts, labelled in the reader's language (their names, the stored form, stay), then the contact fields. */
function fieldsFor(labels: TRuleLabels, contactFields: ReadonlyMap<string, TContactFieldFact>): Field[] {
  const facts: Field[] = FACT_LIST.map(([name, fact]) => ({
    name,
    label: labels.fact(name),
    ...(fact.type === "number" ? { inputType: "number" } : {}),
    ...("choices" in fact
      ? { values: fact.choices.map((choice) => ({ name: choice, label: labels.value(name, choice) })) }
      : {}),
  }));
  const custom: Field[] = [...contactFields].map(([name, field]) => ({
    name,
    label: labels.fact(name),
    ...(field.type === "number" ? { inputType: "number" } : {}),
    ...(field.type === "date" ? { inputType: "date" } : {}),
    ...(field.type === "choice" ? { values: field.options.map((option) => ({ name: option, label: option })) } : {}),
  }));
  return [...facts, ...custom];
}

/** The operators that fit a fact's type (an extra fact, of any type: those of text and numbers). */
function operatorsFor(field: string, labels: TRuleLabels, contactFields: ReadonlyMap<string, TContactFieldFact>) {
  const type = factInfo(field, contactFields)?.type;
  const fits = (types: readonly string[]) =>
    type ? types.includes(type) : types.includes("text") || types.includes("number");
  return OPERATOR_LIST.filter(([, operator]) => fits(operator.types)).map(([name]) => ({
    name,
    label: labels.operator(name),
  }));
}

const LIST_OPERATORS = new Set(["in", "notIn", "inList", "containsAnyOf", "between"]);

function valueEditorType(
  field: string,
  operator: string,
  contactFields: ReadonlyMap<string, TContactFieldFact>,
): ValueEditorType {
  const type = factInfo(field, contactFields)?.type;
  if (type === "boolean") return "select";
  if (type === "choice" && (operator === "equal" || operator === "notEqual")) return "select";
  return "text";
}

function valuesFor(field: string, labels: TRuleLabels, contactFields: ReadonlyMap<string, TContactFieldFact>) {
  const fact = factInfo(field, contactFields);
  if (fact?.type === "boolean")
    return ["true", "false"].map((value) => ({ name: value, label: labels.value(field, value) }));
  return (fact?.choices ?? []).map((choice) => ({ name: choice, label: labels.value(field, choice) }));
}

/**
 * The type of a fact, contact fields included: what the stored condition's value is converted to
 * (a number field's "12" → 12, a yes/no field's "true" → true), as `fromQuery` needs it.
 */
export function useFactTypeOf(): (fact: string) => TFactType | undefined {
  const contactFields = useContactFieldFacts();
  return useCallback((fact: string) => factInfo(fact, contactFields)?.type, [contactFields]);
}

/** The contact fields defined in Settings, by fact name (`field.<key>`), for the fact picker. */
function useContactFieldFacts(): ReadonlyMap<string, TContactFieldFact> {
  const trpc = useTRPC();
  const list = useQuery(trpc.contactFields.list.queryOptions());
  return useMemo(() => new Map((list.data ?? []).map((field) => [`field.${field.key}`, field] as const)), [list.data]);
}

/** Inputs and buttons in the theme's colours (the browser's defaults vanish in dark mode). */
const CONTROL =
  "h-8 max-w-full min-w-0 rounded-md border border-border bg-background px-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-primary disabled:opacity-60";
const BUTTON =
  "h-8 rounded-md border border-border bg-background px-2 text-sm text-foreground hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary disabled:opacity-60";

/**
 * react-querybuilder's select, named by `aria-label` as well as `title`: a title alone is no
 * accessible label (axe: label-title-only), and these controls have no visible label.
 */
function LabelledSelector(props: ValueSelectorProps) {
  const { onChange, val } = useValueSelector(props);
  const handleChange = useSelectElementChangeHandler({ multiple: props.multiple, onChange });
  return (
    <select
      data-testid={props.testID}
      className={props.className}
      value={val}
      title={props.title}
      aria-label={props.title}
      disabled={props.disabled}
      multiple={Boolean(props.multiple)}
      onChange={handleChange}
    >
      {toOptions(props.options)}
    </select>
  );
}

/**
 * The value of a condition: selects as react-querybuilder draws them (through LabelledSelector),
 * text and number inputs labelled like the selects. "between" is one text field too ("8, 17"),
 * as the editor's hint says.
 */
function LabelledValueEditor(props: ValueEditorProps) {
  if (props.type === "select" || props.type === "multiselect") return <ValueEditor {...props} />;
  const isList = LIST_OPERATORS.has(props.operator);
  const context = props.context as
    { listPlaceholder?: string; replyOptions?: TReplyOption[]; listId?: string } | undefined;
  // The ids of the choices the rules offer, suggested for "Button or list choice".
  const suggest = props.field === "message.replyId" && !isList && (context?.replyOptions?.length ?? 0) > 0;
  return (
    <input
      list={suggest ? context?.listId : undefined}
      data-testid={props.testID}
      type={isList ? "text" : (props.inputType ?? "text")}
      className={props.className}
      value={String(props.value ?? "")}
      title={props.title}
      aria-label={props.title}
      placeholder={isList ? context?.listPlaceholder : ""}
      disabled={props.disabled}
      onChange={(event) => props.handleOnChange(event.target.value)}
    />
  );
}

/** An option a rule's reply offers (its id is what `message.replyId` holds when it is chosen). */
export type TReplyOption = { id: string; title: string };

/**
 * The visual condition editor: react-querybuilder over the facts and operators rules support.
 * Lists are typed comma-separated ("price, preço"; "8, 17" for between); the stored form is
 * always json-rules-engine's (server/rules/convert.ts).
 */
export function ConditionBuilder({
  query,
  onChange,
  invalidRuleIds,
  disabled,
  replyOptions = [],
  extraFacts = [],
}: {
  query: RuleGroupType;
  onChange: (query: RuleGroupType) => void;
  invalidRuleIds: Set<string>;
  disabled?: boolean;
  /** The options the rule set's replies offer: suggested as values of `message.replyId`. */
  replyOptions?: TReplyOption[];
  /** Facts besides the rules' and the contact fields (a flow's variables, `var.x`), offered first. */
  extraFacts?: { name: string; label: string }[];
}) {
  const listId = useId();
  const t = useTranslations("rules.builder");
  const contactFields = useContactFieldFacts();
  const baseLabels = useRuleLabels();
  // A contact field is named by its label from Settings.
  const labels = useMemo<TRuleLabels>(
    () => ({ ...baseLabels, fact: (name) => contactFields.get(name)?.label ?? baseLabels.fact(name) }),
    [baseLabels, contactFields],
  );
  const fields = useMemo(
    () => [...extraFacts, ...fieldsFor(labels, contactFields)],
    [labels, contactFields, extraFacts],
  );
  const seeBelow = t("seeBelow");
  const validator = useMemo(
    () => () => Object.fromEntries([...invalidRuleIds].map((id) => [id, { valid: false, reasons: [seeBelow] }])),
    [invalidRuleIds, seeBelow],
  );
  const listPlaceholder = t("listPlaceholder");
  return (
    <div className="rules-builder min-w-0 rounded-md border border-border bg-muted/30 p-2 text-sm [--rqb-background-color:transparent] [--rqb-border-color:var(--border)]">
      <QueryBuilder
        fields={fields}
        query={query}
        onQueryChange={onChange}
        disabled={disabled}
        showNotToggle
        addRuleToNewGroups
        combinators={[
          { name: "and", label: t("all") },
          { name: "or", label: t("any") },
        ]}
        getOperators={(field) => operatorsFor(field, labels, contactFields)}
        getDefaultOperator={(field) => operatorsFor(field, labels, contactFields)[0]?.name ?? "equal"}
        getValueEditorType={(field, operator) => valueEditorType(field, operator, contactFields)}
        getValues={(field) => valuesFor(field, labels, contactFields)}
        getDefaultValue={({ field, operator }) =>
          factInfo(field, contactFields)?.type === "boolean" ? "true" : LIST_OPERATORS.has(operator) ? "" : ""
        }
        validator={validator}
        controlElements={{ valueSelector: LabelledSelector, valueEditor: LabelledValueEditor }}
        context={{ listPlaceholder, replyOptions, listId }}
        controlClassnames={{
          queryBuilder: "queryBuilder-responsive",
          fields: CONTROL,
          operators: CONTROL,
          value: CONTROL,
          combinators: CONTROL,
          valueSelector: CONTROL,
          addRule: BUTTON,
          addGroup: BUTTON,
          removeRule: BUTTON,
          removeGroup: BUTTON,
          notToggle: "flex items-center gap-1",
        }}
        translations={{
          fields: { title: t("field") },
          operators: { title: t("operator") },
          value: { title: t("value") },
          combinators: { title: t("combinator") },
          addRule: { label: t("addRule"), title: t("addRuleTitle") },
          addGroup: { label: t("addGroup"), title: t("addGroupTitle") },
          removeRule: { label: "✕", title: t("removeRule") },
          removeGroup: { label: "✕", title: t("removeGroup") },
          notToggle: { label: t("not"), title: t("notTitle") },
        }}
      />
      <datalist id={listId}>
        {replyOptions.map((option) => (
          <option key={option.id} value={option.id}>
            {option.title}
          </option>
        ))}
      </datalist>
      <details className="mt-2 text-xs text-muted-foreground">
        <summary className="cursor-pointer">{t("factsHelp")}</summary>
        <dl className="mt-1 grid gap-x-3 gap-y-0.5 sm:grid-cols-[max-content_1fr]">
          {FACT_LIST.map(([name, fact]) => (
            <div key={name} className="contents">
              <dt className="mt-1 font-medium text-foreground sm:mt-0">{labels.fact(name)}</dt>
              <dd className="min-w-0 break-words">
                {labels.factDescription(name)} {t("example")} <code>{fact.example}</code>
              </dd>
            </div>
          ))}
          {[...contactFields].map(([name, field]) => (
            <div key={name} className="contents">
              <dt className="mt-1 font-medium text-foreground sm:mt-0">{field.label}</dt>
              <dd className="min-w-0 break-words">{t("fieldFact", { key: field.key })}</dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
