"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import type { RuleGroupType } from "react-querybuilder";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import { fromQuery, toQuery, type TQueryGroup } from "~/server/rules/convert";
import { type TRule, type TRuleAction, ZReplyChoices, ZRuleInput } from "~/server/rules/schema";
import { WEEKDAYS } from "~/server/settings/schema";
import { ActionList } from "./action-list";
import { ConditionBuilder, type TReplyOption, useFactTypeOf } from "./condition-builder";

export const NEW_RULE: Omit<TRule, "id"> = {
  name: "",
  description: "",
  enabled: true,
  priority: 0,
  conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "" }] },
  actions: [{ type: "reply", text: "" }],
  stopOnMatch: false,
  cooldownS: 0,
  schedule: null,
};

/** The query item (rule id) at a stored-condition path like ["all", 0, "any", 1, "value"]. */
function queryIdAt(query: TQueryGroup, path: PropertyKey[]): string | undefined {
  let node: TQueryGroup | TQueryGroup["rules"][number] = query;
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i];
    if (key === "not") continue;
    if ((key === "all" || key === "any") && typeof path[i + 1] === "number" && "rules" in node) {
      node = node.rules[path[i + 1] as number]!;
      i += 1;
      continue;
    }
    break;
  }
  return node?.id;
}

/** Creates or edits one rule: conditions in the visual builder, actions as forms, checked as you type. */
export function RuleEditor({ rule, onDone, canWrite }: { rule: TRule | null; onDone: () => void; canWrite: boolean }) {
  const t = useTranslations("rules.editor");
  const tc = useTranslations("common");
  const tw = useTranslations("rules.weekdays");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const initial = rule ?? { ...NEW_RULE, id: "" };
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [enabled, setEnabled] = useState(initial.enabled);
  const [stopOnMatch, setStopOnMatch] = useState(initial.stopOnMatch);
  const [cooldownMin, setCooldownMin] = useState(String(Math.round(initial.cooldownS / 60)));
  const [hours, setHours] = useState(initial.schedule?.hours ?? "any");
  const [days, setDays] = useState<string[]>(initial.schedule?.days ?? []);
  const [query, setQuery] = useState<RuleGroupType>(() => toQuery(initial.conditions) as RuleGroupType);
  const [actions, setActions] = useState<TRuleAction[]>(initial.actions);
  const [touched, setTouched] = useState(false);
  // The options every reply of the rule set offers (this rule's as edited), for `message.replyId`.
  const ruleList = useQuery(trpc.rules.list.queryOptions());
  const replyOptions = useMemo(() => {
    const others = (ruleList.data ?? []).filter((other) => other.id !== initial.id).flatMap((other) => other.actions);
    const seen = new Map<string, TReplyOption>();
    for (const action of [...actions, ...others]) {
      if (action.type !== "reply" || !action.choices) continue;
      const parsed = ZReplyChoices.safeParse(action.choices);
      for (const option of parsed.success ? parsed.data.options : [])
        if (!seen.has(option.id)) seen.set(option.id, { id: option.id, title: option.title });
    }
    return [...seen.values()];
  }, [actions, ruleList.data, initial.id]);

  const factTypeOf = useFactTypeOf();
  const draft = {
    name,
    description,
    enabled,
    priority: initial.priority,
    stopOnMatch,
    cooldownS: Math.max(0, Math.round(Number(cooldownMin || "0") * 60)),
    schedule: hours === "any" && days.length === 0 ? null : { hours, days },
    conditions: fromQuery(query as TQueryGroup, factTypeOf),
    actions,
  };
  // The server's own schema, run as you type: the same messages, in place.
  const draftKey = JSON.stringify(draft);
  const check = useMemo(() => ZRuleInput.safeParse(JSON.parse(draftKey)), [draftKey]);
  const errors: Record<string, string> = {};
  const invalidRuleIds = new Set<string>();
  for (const issue of check.error?.issues ?? []) {
    const key = issue.path.join(".");
    errors[key] ??= issue.message;
    if (issue.path[0] === "conditions") {
      const id = queryIdAt(query as TQueryGroup, issue.path.slice(1));
      if (id) invalidRuleIds.add(id);
    }
  }
  const conditionErrors = (check.error?.issues ?? []).filter((issue) => issue.path[0] === "conditions");

  const save = useMutation({
    mutationFn: async () => (rule ? updateRule() : createRule()),
    onSuccess: async () => {
      // The list, the checks and what publishing would change all follow the draft.
      await queryClient.invalidateQueries({ queryKey: trpc.rules.pathKey() });
      onDone();
    },
  });
  const create = useMutation(trpc.rules.create.mutationOptions());
  const update = useMutation(trpc.rules.update.mutationOptions());
  const createRule = () => create.mutateAsync(ZRuleInput.parse(draft));
  const updateRule = () => update.mutateAsync({ id: rule!.id, rule: ZRuleInput.parse(draft) });
  const serverError = save.error ? describeError(save.error) : null;
  const show = (key: string) =>
    touched ? (errors[key] ?? serverError?.fieldErrors[key] ?? serverError?.fieldErrors[`rule.${key}`]) : undefined;

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        if (check.success) save.mutate();
      }}
    >
      <div className="grid gap-4 md:grid-cols-2">
        <Field label={t("name")} htmlFor="rule-name" error={show("name")}>
          <Input id="rule-name" value={name} disabled={!canWrite} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label={t("description")} htmlFor="rule-description" error={show("description")}>
          <Input
            id="rule-description"
            value={description}
            disabled={!canWrite}
            onChange={(event) => setDescription(event.target.value)}
          />
        </Field>
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">{t("when")}</h3>
        <ConditionBuilder
          replyOptions={replyOptions}
          query={query}
          onChange={setQuery}
          invalidRuleIds={touched ? invalidRuleIds : new Set()}
          disabled={!canWrite}
        />
        {touched && conditionErrors.length > 0 ? (
          <ul className="mt-1 text-xs text-destructive" role="alert">
            {conditionErrors.map((issue, index) => (
              <li key={index}>{issue.message}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">{t("then")}</h3>
        <ActionList actions={actions} onChange={setActions} errors={touched ? errors : {}} disabled={!canWrite} />
        {touched && errors.actions ? <p className="text-xs text-destructive">{errors.actions}</p> : null}
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field label={t("businessHours")} htmlFor="rule-hours" error={show("schedule.hours")}>
          <Select
            id="rule-hours"
            value={hours}
            disabled={!canWrite}
            onChange={(event) => setHours(event.target.value as typeof hours)}
          >
            <option value="any">{t("hoursAny")}</option>
            <option value="inside">{t("hoursInside")}</option>
            <option value="outside">{t("hoursOutside")}</option>
          </Select>
        </Field>
        <Field label={t("days")} htmlFor="rule-days" error={show("schedule.days")}>
          <div id="rule-days" className="flex flex-wrap gap-1 text-xs">
            {WEEKDAYS.map((day) => (
              <label key={day} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={days.includes(day)}
                  disabled={!canWrite}
                  onChange={(event) => setDays(event.target.checked ? [...days, day] : days.filter((d) => d !== day))}
                />
                {tw(day)}
              </label>
            ))}
          </div>
        </Field>
        <Field label={t("cooldown")} htmlFor="rule-cooldown" error={show("cooldownS")}>
          <Input
            id="rule-cooldown"
            type="number"
            min={0}
            value={cooldownMin}
            disabled={!canWrite}
            onChange={(event) => setCooldownMin(event.target.value)}
          />
        </Field>
        <div className="flex flex-col justify-end gap-1 text-sm">
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={enabled}
              disabled={!canWrite}
              onChange={(event) => setEnabled(event.target.checked)}
            />
            {t("enabled")}
          </label>
          <label className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={stopOnMatch}
              disabled={!canWrite}
              onChange={(event) => setStopOnMatch(event.target.checked)}
            />
            {t("stopOnMatch")}
          </label>
        </div>
      </div>
      {serverError ? <Alert tone="error">{serverError.message}</Alert> : null}
      {touched && !check.success ? <Alert tone="error">{t("fixFields")}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        {canWrite ? (
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? tc("saving") : rule ? t("save") : t("create")}
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onDone}>
          {tc("cancel")}
        </Button>
      </div>
    </form>
  );
}
