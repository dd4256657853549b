"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { TeamSelect } from "~/components/teams/team-select";
import { useId, useMemo } from "react";
import { ConditionBuilder } from "~/components/rules/condition-builder";
import { ReplyMediaPicker } from "~/components/rules/reply-media";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";
import {
  ANSWER_TYPES,
  HTTP_METHODS,
  variablesSetBy,
  type TFlowDefinition,
  type TFlowStep,
  type TStepOf,
} from "~/server/flows/definition";
import { fromQuery, toQuery, type TQueryGroup } from "~/server/rules/convert";
import type { RuleGroupType } from "react-querybuilder";
import { handlesOf, renameOptions } from "./graph";
import { useHandleLabel, useStepTypeLabel } from "./labels";

const TEXTAREA =
  "min-h-20 w-full rounded-md border border-border bg-background px-3 py-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-primary disabled:opacity-60";

type TProps<K extends TFlowStep["type"]> = {
  step: TStepOf<K>;
  onChange: (step: TFlowStep) => void;
  disabled?: boolean;
};

/** A labelled text input (or area) bound to one string. */
function TextInput({
  label,
  value,
  onChange,
  multiline,
  placeholder,
  disabled,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  placeholder?: string;
  disabled?: boolean;
  hint?: string;
}) {
  const id = useId();
  return (
    <Field label={label} htmlFor={id} hint={hint}>
      {multiline ? (
        <textarea
          id={id}
          className={TEXTAREA}
          value={value}
          placeholder={placeholder}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <Input
          id={id}
          value={value}
          placeholder={placeholder}
          disabled={disabled}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

function NumberInput({
  label,
  value,
  onChange,
  min,
  max,
  disabled,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  min?: number;
  max?: number;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <Field label={label} htmlFor={id}>
      <Input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        value={Number.isFinite(value) ? value : ""}
        disabled={disabled}
        onChange={(event) => onChange(Math.trunc(Number(event.target.value)))}
      />
    </Field>
  );
}

function SelectInput<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <Field label={label} htmlFor={id}>
      <Select id={id} value={value} disabled={disabled} onChange={(event) => onChange(event.target.value as T)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** Rows of small inputs (headers, response fields, assignments), each removable, with an add button. */
function Rows<T>({
  legend,
  rows,
  onChange,
  blank,
  render,
  addLabel,
  disabled,
}: {
  legend: string;
  rows: T[];
  onChange: (rows: T[]) => void;
  blank: T;
  render: (row: T, set: (row: T) => void, index: number) => React.ReactNode;
  addLabel: string;
  disabled?: boolean;
}) {
  const t = useTranslations("flows.form");
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {rows.map((row, index) => (
        <div key={index} className="flex flex-wrap items-center gap-2">
          {render(row, (next) => onChange(rows.map((old, i) => (i === index ? next : old))), index)}
          <Button
            size="sm"
            variant="ghost"
            disabled={disabled}
            aria-label={t("removeRow", { number: index + 1 })}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            ✕
          </Button>
        </div>
      ))}
      <div>
        <Button size="sm" variant="secondary" disabled={disabled} onClick={() => onChange([...rows, blank])}>
          {addLabel}
        </Button>
      </div>
    </fieldset>
  );
}

function SendForm({ step, onChange, disabled }: TProps<"send">) {
  const t = useTranslations("flows.form");
  return (
    <>
      <TextInput
        label={t("message")}
        multiline
        value={step.text}
        placeholder={t("messagePlaceholder")}
        hint={t("variablesHint")}
        disabled={disabled}
        onChange={(text) => onChange({ ...step, text })}
      />
      <ReplyMediaPicker
        value={step.mediaAssetId ?? undefined}
        number={1}
        disabled={disabled}
        onChange={(mediaAssetId) => onChange({ ...step, mediaAssetId: mediaAssetId ?? null })}
      />
    </>
  );
}

function AskForm({ step, onChange, disabled }: TProps<"ask">) {
  const t = useTranslations("flows.form");
  const titles = (step.choices?.options ?? []).map((option) => option.title);
  const style = step.choices?.style ?? "buttons";
  return (
    <>
      <TextInput
        label={t("question")}
        multiline
        value={step.text}
        disabled={disabled}
        onChange={(text) => onChange({ ...step, text })}
      />
      <SelectInput
        label={t("answerType")}
        value={step.answer}
        disabled={disabled}
        options={ANSWER_TYPES.map((answer) => ({ value: answer, label: t(`answers.${answer}`) }))}
        onChange={(answer) =>
          onChange(
            answer === "choice"
              ? renameOptions({ ...step, answer }, titles.length > 0 ? titles : [t("firstOption")], style)
              : { ...step, answer, choices: null, routes: {} },
          )
        }
      />
      {step.answer === "choice" ? (
        <>
          <SelectInput
            label={t("choiceStyle")}
            value={style}
            disabled={disabled}
            options={[
              { value: "buttons", label: t("styleButtons") },
              { value: "list", label: t("styleList") },
            ]}
            onChange={(next) => onChange(renameOptions(step, titles, next))}
          />
          <Rows
            legend={t("options")}
            rows={titles}
            blank=""
            addLabel={t("addOption")}
            disabled={disabled}
            onChange={(next) => onChange(renameOptions(step, next, style))}
            render={(title, set, index) => (
              <Input
                aria-label={t("option", { number: index + 1 })}
                className="min-w-0 flex-1"
                value={title}
                disabled={disabled}
                onChange={(event) => set(event.target.value)}
              />
            )}
          />
        </>
      ) : null}
      <TextInput
        label={t("variable")}
        value={step.variable}
        hint={t("variableHint")}
        disabled={disabled}
        onChange={(variable) => onChange({ ...step, variable })}
      />
      <TextInput
        label={t("retryText")}
        value={step.retryText}
        placeholder={t("retryPlaceholder")}
        disabled={disabled}
        onChange={(retryText) => onChange({ ...step, retryText })}
      />
      <NumberInput
        label={t("attempts")}
        value={step.maxAttempts}
        min={1}
        max={10}
        disabled={disabled}
        onChange={(maxAttempts) => onChange({ ...step, maxAttempts })}
      />
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={step.timeoutSeconds !== null}
          disabled={disabled}
          onChange={(event) =>
            onChange({
              ...step,
              timeoutSeconds: event.target.checked ? 3_600 : null,
              onTimeout: event.target.checked ? step.onTimeout : null,
            })
          }
        />
        {t("hasTimeout")}
      </label>
      {step.timeoutSeconds !== null ? (
        <NumberInput
          label={t("timeoutSeconds")}
          value={step.timeoutSeconds}
          min={10}
          disabled={disabled}
          onChange={(timeoutSeconds) => onChange({ ...step, timeoutSeconds })}
        />
      ) : null}
    </>
  );
}

function SetForm({ step, onChange, disabled, fields }: TProps<"set"> & { fields: { key: string; label: string }[] }) {
  const t = useTranslations("flows.form");
  const listId = useId();
  return (
    <>
      <datalist id={listId}>
        {fields.map((field) => (
          <option key={field.key} value={field.key}>
            {field.label}
          </option>
        ))}
      </datalist>
      <Rows
        legend={t("assignments")}
        rows={step.assignments}
        blank={{ target: "variable" as const, name: "", value: "" }}
        addLabel={t("addAssignment")}
        disabled={disabled}
        onChange={(assignments) => onChange({ ...step, assignments })}
        render={(row, set, index) => (
          <>
            <Select
              aria-label={t("assignmentTarget", { number: index + 1 })}
              className="w-32"
              value={row.target}
              disabled={disabled}
              onChange={(event) => set({ ...row, target: event.target.value as "variable" | "field" })}
            >
              <option value="variable">{t("targetVariable")}</option>
              <option value="field">{t("targetField")}</option>
            </Select>
            <Input
              aria-label={t("assignmentName", { number: index + 1 })}
              list={row.target === "field" ? listId : undefined}
              className="w-32"
              value={row.name}
              disabled={disabled}
              onChange={(event) => set({ ...row, name: event.target.value })}
            />
            <Input
              aria-label={t("assignmentValue", { number: index + 1 })}
              className="min-w-0 flex-1"
              value={row.value}
              placeholder="{{var.order}}"
              disabled={disabled}
              onChange={(event) => set({ ...row, value: event.target.value })}
            />
          </>
        )}
      />
    </>
  );
}

function BranchForm({
  step,
  onChange,
  disabled,
  facts,
}: TProps<"branch"> & { facts: { name: string; label: string }[] }) {
  const t = useTranslations("flows.form");
  return (
    <fieldset className="flex flex-col gap-3">
      <legend className="mb-1 text-sm font-medium">{t("branches")}</legend>
      {step.branches.map((branch, index) => (
        <div key={branch.id} className="flex flex-col gap-2 rounded-md border border-border p-2">
          <div className="flex items-center gap-2">
            <Input
              aria-label={t("branchLabel", { number: index + 1 })}
              placeholder={t("branchLabelPlaceholder", { number: index + 1 })}
              className="min-w-0 flex-1"
              value={branch.label}
              disabled={disabled}
              onChange={(event) =>
                onChange({
                  ...step,
                  branches: step.branches.map((old) =>
                    old.id === branch.id ? { ...old, label: event.target.value } : old,
                  ),
                })
              }
            />
            <Button
              size="sm"
              variant="ghost"
              disabled={disabled || step.branches.length === 1}
              aria-label={t("removeBranch", { number: index + 1 })}
              onClick={() => onChange({ ...step, branches: step.branches.filter((old) => old.id !== branch.id) })}
            >
              ✕
            </Button>
          </div>
          <ConditionBuilder
            query={toQuery(branch.conditions) as RuleGroupType}
            onChange={(query) =>
              onChange({
                ...step,
                branches: step.branches.map((old) =>
                  old.id === branch.id ? { ...old, conditions: fromQuery(query as TQueryGroup) } : old,
                ),
              })
            }
            invalidRuleIds={new Set()}
            disabled={disabled}
            extraFacts={facts}
          />
        </div>
      ))}
      <div>
        <Button
          size="sm"
          variant="secondary"
          disabled={disabled}
          onClick={() => {
            const taken = new Set(step.branches.map((branch) => branch.id));
            let n = step.branches.length + 1;
            while (taken.has(`b${n}`)) n += 1;
            onChange({
              ...step,
              branches: [...step.branches, { id: `b${n}`, label: "", conditions: { all: [] }, next: null }],
            });
          }}
        >
          {t("addBranch")}
        </Button>
      </div>
    </fieldset>
  );
}

function HttpForm({ step, onChange, disabled }: TProps<"http">) {
  const t = useTranslations("flows.form");
  return (
    <>
      <SelectInput
        label={t("method")}
        value={step.method}
        disabled={disabled}
        options={HTTP_METHODS.map((method) => ({ value: method, label: method }))}
        onChange={(method) => onChange({ ...step, method })}
      />
      <TextInput
        label={t("url")}
        value={step.url}
        placeholder="https://shop.example/orders/{{var.order}}"
        hint={t("urlHint")}
        disabled={disabled}
        onChange={(url) => onChange({ ...step, url })}
      />
      <Rows
        legend={t("headers")}
        rows={step.headers}
        blank={{ name: "", value: "" }}
        addLabel={t("addHeader")}
        disabled={disabled}
        onChange={(headers) => onChange({ ...step, headers })}
        render={(row, set, index) => (
          <>
            <Input
              aria-label={t("headerName", { number: index + 1 })}
              className="w-36"
              value={row.name}
              placeholder={t("headerNamePlaceholder")}
              disabled={disabled}
              onChange={(event) => set({ ...row, name: event.target.value })}
            />
            <Input
              aria-label={t("headerValue", { number: index + 1 })}
              className="min-w-0 flex-1"
              value={row.value}
              placeholder={t("headerValuePlaceholder")}
              disabled={disabled}
              onChange={(event) => set({ ...row, value: event.target.value })}
            />
          </>
        )}
      />
      {step.method !== "GET" ? (
        <TextInput
          label={t("body")}
          multiline
          value={step.body}
          disabled={disabled}
          onChange={(body) => onChange({ ...step, body })}
        />
      ) : null}
      <NumberInput
        label={t("timeoutMs")}
        value={step.timeoutMs}
        min={500}
        max={30_000}
        disabled={disabled}
        onChange={(timeoutMs) => onChange({ ...step, timeoutMs })}
      />
      <Rows
        legend={t("responseMap")}
        rows={step.map}
        blank={{ variable: "", path: "" }}
        addLabel={t("addMapping")}
        disabled={disabled}
        onChange={(map) => onChange({ ...step, map })}
        render={(row, set, index) => (
          <>
            <Input
              aria-label={t("mapPath", { number: index + 1 })}
              className="min-w-0 flex-1"
              value={row.path}
              placeholder="order.status"
              disabled={disabled}
              onChange={(event) => set({ ...row, path: event.target.value })}
            />
            <span aria-hidden>→</span>
            <Input
              aria-label={t("mapVariable", { number: index + 1 })}
              className="w-32"
              value={row.variable}
              placeholder={t("mapVariablePlaceholder")}
              disabled={disabled}
              onChange={(event) => set({ ...row, variable: event.target.value })}
            />
          </>
        )}
      />
      <TextInput
        label={t("statusVariable")}
        value={step.statusVariable ?? ""}
        placeholder="http_status"
        disabled={disabled}
        onChange={(value) => onChange({ ...step, statusVariable: value.trim() ? value : null })}
      />
    </>
  );
}

function AiReplyForm({ step, onChange, disabled }: TProps<"ai_reply">) {
  const t = useTranslations("flows.form");
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  const id = useId();
  return (
    <Field label={t("profile")} htmlFor={id}>
      <Select
        id={id}
        value={step.profileId ?? ""}
        disabled={disabled}
        onChange={(event) => onChange({ ...step, profileId: event.target.value || null })}
      >
        <option value="">{t("contactsProfile")}</option>
        {profiles.data?.map((profile) => (
          <option key={profile.id} value={profile.id}>
            {profile.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}

const splitTags = (text: string) =>
  text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);

function TagForm({ step, onChange, disabled }: TProps<"tag">) {
  const t = useTranslations("flows.form");
  return (
    <>
      <TextInput
        label={t("tagsAdd")}
        value={step.add.join(", ")}
        hint={t("tagsHint")}
        disabled={disabled}
        onChange={(text) => onChange({ ...step, add: splitTags(text) })}
      />
      <TextInput
        label={t("tagsRemove")}
        value={step.remove.join(", ")}
        disabled={disabled}
        onChange={(text) => onChange({ ...step, remove: splitTags(text) })}
      />
    </>
  );
}

function HandoffForm({ step, onChange, disabled }: TProps<"handoff">) {
  const t = useTranslations("flows.form");
  const tTeams = useTranslations("domain.teamsUi.picker");
  const trpc = useTRPC();
  const agents = useQuery(trpc.inbox.agents.queryOptions());
  const id = useId();
  return (
    <>
      <TextInput
        label={t("note")}
        multiline
        value={step.note}
        hint={t("noteHint")}
        disabled={disabled}
        onChange={(note) => onChange({ ...step, note })}
      />
      <Field label={tTeams("team")} htmlFor={`${id}-team`} hint={tTeams("hint")}>
        <TeamSelect
          id={`${id}-team`}
          value={step.teamId ?? null}
          disabled={disabled}
          onChange={(teamId) => onChange({ ...step, teamId })}
        />
      </Field>
      <Field label={t("assignee")} htmlFor={id}>
        <Select
          id={id}
          value={step.assigneeId ?? ""}
          disabled={disabled}
          onChange={(event) => onChange({ ...step, assigneeId: event.target.value || null })}
        >
          <option value="">{t("nobody")}</option>
          {agents.data?.map((agent) => (
            <option key={agent.id} value={agent.id}>
              {agent.name || agent.email}
            </option>
          ))}
        </Select>
      </Field>
    </>
  );
}

function WaitForm({ step, onChange, disabled }: TProps<"wait">) {
  const t = useTranslations("flows.form");
  const id = useId();
  return (
    <>
      <SelectInput
        label={t("waitMode")}
        value={step.mode}
        disabled={disabled}
        options={[
          { value: "delay", label: t("waitDelay") },
          { value: "until", label: t("waitUntil") },
        ]}
        onChange={(mode) => onChange({ ...step, mode })}
      />
      {step.mode === "delay" ? (
        <NumberInput
          label={t("seconds")}
          value={step.seconds}
          min={1}
          disabled={disabled}
          onChange={(seconds) => onChange({ ...step, seconds })}
        />
      ) : (
        <Field label={t("time")} htmlFor={id}>
          <Input
            id={id}
            type="time"
            value={step.time}
            disabled={disabled}
            onChange={(event) => onChange({ ...step, time: event.target.value })}
          />
        </Field>
      )}
    </>
  );
}

function GotoFlowForm({ step, onChange, disabled, flowId }: TProps<"goto_flow"> & { flowId: string }) {
  const t = useTranslations("flows.form");
  const trpc = useTRPC();
  const context = useQuery(trpc.flows.editorContext.queryOptions());
  const id = useId();
  return (
    <Field label={t("flow")} htmlFor={id}>
      <Select
        id={id}
        value={step.flowId}
        disabled={disabled}
        onChange={(event) => onChange({ ...step, flowId: event.target.value })}
      >
        <option value="">{t("pickFlow")}</option>
        {context.data?.flows
          .filter((flow) => flow.id !== flowId)
          .map((flow) => (
            <option key={flow.id} value={flow.id}>
              {flow.name}
            </option>
          ))}
      </Select>
    </Field>
  );
}

/** Where each way out of a step leads, as selects: connecting without dragging (keyboard, small screens). */
function Connections({
  step,
  definition,
  onConnect,
  disabled,
}: {
  step: TFlowStep;
  definition: TFlowDefinition;
  onConnect: (key: string, target: string | null) => void;
  disabled?: boolean;
}) {
  const t = useTranslations("flows.form");
  const handleLabel = useHandleLabel();
  const typeLabel = useStepTypeLabel();
  const handles = handlesOf(step);
  if (handles.length === 0) return <p className="text-sm text-muted-foreground">{t("terminal")}</p>;
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">{t("connections")}</legend>
      {handles.map((handle) => (
        <label key={handle.key} className="flex flex-wrap items-center gap-2 text-sm">
          <span className="w-32 truncate">{handleLabel(handle)}</span>
          <Select
            aria-label={handleLabel(handle)}
            className="min-w-0 flex-1"
            value={handle.target ?? ""}
            disabled={disabled}
            onChange={(event) => onConnect(handle.key, event.target.value || null)}
          >
            <option value="">{t("nowhere")}</option>
            {definition.steps
              .filter((other) => other.id !== step.id)
              .map((other) => (
                <option key={other.id} value={other.id}>
                  {other.title || `${typeLabel(other.type)} (${other.id})`}
                </option>
              ))}
          </Select>
        </label>
      ))}
    </fieldset>
  );
}

/** The side panel's form for one step: its title, its type's fields, and where it leads. */
export function StepForm({
  step,
  definition,
  flowId,
  fields,
  onChange,
  onConnect,
  disabled,
}: {
  step: TFlowStep;
  definition: TFlowDefinition;
  flowId: string;
  fields: { key: string; label: string }[];
  onChange: (step: TFlowStep) => void;
  onConnect: (key: string, target: string | null) => void;
  disabled?: boolean;
}) {
  const t = useTranslations("flows.form");
  // Facts a branch can test besides the rules' and the contact fields: the variables the flow sets.
  const facts = useMemo(() => {
    const variables = [...new Set(definition.steps.flatMap(variablesSetBy))].sort();
    // Contact fields: the condition editor offers them itself.
    return variables.map((name) => ({ name: `var.${name}`, label: t("factVariable", { name }) }));
  }, [definition.steps, t]);
  const common = { onChange, disabled };
  return (
    <div className="flex flex-col gap-3">
      <TextInput
        label={t("title")}
        value={step.title}
        placeholder={t("titlePlaceholder")}
        disabled={disabled}
        onChange={(title) => onChange({ ...step, title })}
      />
      {step.type === "send" ? <SendForm step={step} {...common} /> : null}
      {step.type === "ask" ? <AskForm step={step} {...common} /> : null}
      {step.type === "set" ? <SetForm step={step} fields={fields} {...common} /> : null}
      {step.type === "branch" ? <BranchForm step={step} facts={facts} {...common} /> : null}
      {step.type === "http" ? <HttpForm step={step} {...common} /> : null}
      {step.type === "ai_reply" ? <AiReplyForm step={step} {...common} /> : null}
      {step.type === "tag" ? <TagForm step={step} {...common} /> : null}
      {step.type === "handoff" ? <HandoffForm step={step} {...common} /> : null}
      {step.type === "wait" ? <WaitForm step={step} {...common} /> : null}
      {step.type === "goto_flow" ? <GotoFlowForm step={step} flowId={flowId} {...common} /> : null}
      <Connections step={step} definition={definition} onConnect={onConnect} disabled={disabled} />
    </div>
  );
}
