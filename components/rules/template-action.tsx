"use client";

import { useTranslations } from "next-intl";
import { Input, Select } from "~/components/ui/input";
import type { TRuleAction } from "~/server/rules/schema";
import { useChoiceTargets } from "./reply-choices";

type TSendTemplate = Extract<TRuleAction, { type: "send_template" }>;

/**
 * A `send_template` action: the template, picked from the approved templates of the numbers
 * that have them (grouped by number), and a field for each of its variables (header, body,
 * buttons), which may hold the reply variables ({{contact.name}}).
 */
export function TemplateActionFields({
  action,
  number,
  disabled,
  onChange,
}: {
  action: TSendTemplate;
  number: number;
  disabled?: boolean;
  onChange: (action: TSendTemplate) => void;
}) {
  const t = useTranslations("rules.actions.template");
  const { data } = useChoiceTargets();
  const numbers = data?.numbers ?? [];
  const key = action.name ? `${action.name}|${action.language}` : "";
  const picked = numbers
    .flatMap((entry) => entry.templates)
    .find((template) => `${template.name}|${template.language}` === key);
  const known = numbers.some((entry) =>
    entry.templates.some((template) => `${template.name}|${template.language}` === key),
  );
  const shape = picked?.shape;
  const setList = (part: "header" | "body", index: number, value: string) => {
    const list = [...action.values[part]];
    list[index] = value;
    onChange({ ...action, values: { ...action.values, [part]: list } });
  };
  const fields: { label: string; value: string; set: (value: string) => void }[] = [];
  if (shape?.header?.format === "TEXT") {
    for (let index = 0; index < shape.header.variables; index += 1)
      fields.push({
        label: t("headerVariable", { number, variable: `{{${index + 1}}}` }),
        value: action.values.header[index] ?? "",
        set: (value) => setList("header", index, value),
      });
  }
  for (let index = 0; index < (shape?.body.variables ?? 0); index += 1)
    fields.push({
      label: t("bodyVariable", { number, variable: `{{${index + 1}}}` }),
      value: action.values.body[index] ?? "",
      set: (value) => setList("body", index, value),
    });
  for (const button of shape?.buttons ?? []) {
    if (button.variables === 0) continue;
    fields.push({
      label: t("buttonVariable", { number, button: button.text }),
      value: action.values.buttons[String(button.index)] ?? "",
      set: (value) =>
        onChange({
          ...action,
          values: { ...action.values, buttons: { ...action.values.buttons, [button.index]: value } },
        }),
    });
  }
  return (
    <div className="flex min-w-0 basis-full flex-col gap-2">
      <Select
        aria-label={t("pick", { number })}
        className="w-full sm:w-80"
        value={key}
        disabled={disabled}
        onChange={(event) => {
          const [name = "", language = ""] = event.target.value.split("|");
          onChange({ type: "send_template", name, language, values: { header: [], body: [], buttons: {} } });
        }}
      >
        <option value="">{numbers.length === 0 ? t("none") : t("choose")}</option>
        {key && !known ? (
          <option value={key}>{t("unknown", { name: action.name, language: action.language })}</option>
        ) : null}
        {numbers.map((entry) => (
          <optgroup key={entry.sessionId} label={entry.phone ? `${entry.name} (${entry.phone})` : entry.name}>
            {entry.templates.map((template) => (
              <option key={`${template.name}|${template.language}`} value={`${template.name}|${template.language}`}>
                {`${template.name} · ${template.language}`}
              </option>
            ))}
          </optgroup>
        ))}
      </Select>
      {shape ? <p className="text-xs whitespace-pre-wrap text-muted-foreground">{shape.body.text}</p> : null}
      {fields.map((field) => (
        <Input
          key={field.label}
          aria-label={field.label}
          placeholder={field.label}
          className="w-full sm:w-80"
          value={field.value}
          disabled={disabled}
          onChange={(event) => field.set(event.target.value)}
        />
      ))}
      <p className="text-xs text-muted-foreground">{numbers.length === 0 ? t("noneHint") : t("hint")}</p>
    </div>
  );
}
