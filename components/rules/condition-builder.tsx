"use client";

import { useMemo } from "react";
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
import { FACTS, type TFactName } from "~/server/rules/facts";
import { OPERATORS, type TOperatorName } from "~/server/rules/operators";

const FIELDS: Field[] = (Object.entries(FACTS) as [TFactName, (typeof FACTS)[TFactName]][]).map(([name, fact]) => ({
  name,
  label: fact.label,
  ...(fact.type === "number" ? { inputType: "number" } : {}),
  ...("choices" in fact ? { values: fact.choices.map((choice) => ({ name: choice, label: choice })) } : {}),
}));

const OPERATOR_LIST = Object.entries(OPERATORS) as [TOperatorName, (typeof OPERATORS)[TOperatorName]][];

/** The operators that fit a fact's type. */
function operatorsFor(field: string) {
  const type = FACTS[field as TFactName]?.type;
  return OPERATOR_LIST.filter(([, operator]) => (operator.types as readonly string[]).includes(type ?? "")).map(
    ([name, operator]) => ({ name, label: operator.label }),
  );
}

const LIST_OPERATORS = new Set(["in", "notIn", "inList", "containsAnyOf", "between"]);

function valueEditorType(field: string, operator: string): ValueEditorType {
  const type = FACTS[field as TFactName]?.type;
  if (type === "boolean") return "select";
  if (type === "choice" && (operator === "equal" || operator === "notEqual")) return "select";
  return "text";
}

function valuesFor(field: string) {
  const fact = FACTS[field as TFactName];
  if (fact?.type === "boolean")
    return [
      { name: "true", label: "true" },
      { name: "false", label: "false" },
    ];
  return fact && "choices" in fact ? fact.choices.map((choice) => ({ name: choice, label: choice })) : [];
}

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
  return (
    <input
      data-testid={props.testID}
      type={isList ? "text" : (props.inputType ?? "text")}
      className={props.className}
      value={String(props.value ?? "")}
      title={props.title}
      aria-label={props.title}
      placeholder={isList ? "a, b" : ""}
      disabled={props.disabled}
      onChange={(event) => props.handleOnChange(event.target.value)}
    />
  );
}

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
}: {
  query: RuleGroupType;
  onChange: (query: RuleGroupType) => void;
  invalidRuleIds: Set<string>;
  disabled?: boolean;
}) {
  const validator = useMemo(
    () => () =>
      Object.fromEntries([...invalidRuleIds].map((id) => [id, { valid: false, reasons: ["See the message below"] }])),
    [invalidRuleIds],
  );
  return (
    <div className="rules-builder rounded-md border border-border bg-muted/30 p-2 text-sm">
      <QueryBuilder
        fields={FIELDS}
        query={query}
        onQueryChange={onChange}
        disabled={disabled}
        showNotToggle
        addRuleToNewGroups
        combinators={[
          { name: "and", label: "all of" },
          { name: "or", label: "any of" },
        ]}
        getOperators={(field) => operatorsFor(field)}
        getDefaultOperator={(field) => operatorsFor(field)[0]?.name ?? "equal"}
        getValueEditorType={(field, operator) => valueEditorType(field, operator)}
        getValues={(field) => valuesFor(field)}
        getDefaultValue={({ field, operator }) =>
          FACTS[field as TFactName]?.type === "boolean" ? "true" : LIST_OPERATORS.has(operator) ? "" : ""
        }
        validator={validator}
        controlElements={{ valueSelector: LabelledSelector, valueEditor: LabelledValueEditor }}
        translations={{
          addRule: { label: "+ Condition", title: "Add a condition" },
          addGroup: { label: "+ Group", title: "Add a group of conditions" },
          removeRule: { label: "✕", title: "Remove this condition" },
          removeGroup: { label: "✕", title: "Remove this group" },
          notToggle: { label: "not", title: "Invert this group" },
        }}
      />
      <details className="mt-2 text-xs text-muted-foreground">
        <summary className="cursor-pointer">What each fact means</summary>
        <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5">
          {(Object.entries(FACTS) as [TFactName, (typeof FACTS)[TFactName]][]).map(([name, fact]) => (
            <div key={name} className="contents">
              <dt className="font-medium text-foreground">{fact.label}</dt>
              <dd>
                {fact.description} Example: <code>{fact.example}</code>
              </dd>
            </div>
          ))}
        </dl>
      </details>
    </div>
  );
}
