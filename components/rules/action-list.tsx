"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { TeamSelect } from "~/components/teams/team-select";
import { useId } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { ACTION_TYPES, type TRuleAction } from "~/server/rules/schema";
import { TEMPLATE_VARIABLES, type TTemplateVariable } from "~/server/rules/templates";
import { isSilentHandoff, withHandoffReply } from "./handoff-reply";
import { insertAt } from "./insert-at";
import { ReplyChoicesEditor, useChoiceTargets } from "./reply-choices";
import { ReplyMediaPicker } from "./reply-media";
import { TemplateActionFields } from "./template-action";

const VARIABLES = Object.keys(TEMPLATE_VARIABLES) as TTemplateVariable[];

/**
 * A reply's text with a picker of the variables the renderer fills in (server/rules/templates.ts),
 * inserted as `{{name}}` where the cursor was (at the end when the field was never focused).
 */
function ReplyField({
  text,
  number,
  disabled,
  onChange,
}: {
  text: string;
  number: number;
  disabled?: boolean;
  onChange: (text: string) => void;
}) {
  const t = useTranslations("rules");
  const id = useId();
  const insert = (variable: string) => {
    const field = document.getElementById(id) as HTMLInputElement | null;
    const next = insertAt(
      text,
      `{{${variable}}}`,
      field?.selectionStart ?? text.length,
      field?.selectionEnd ?? text.length,
    );
    onChange(next.text);
    requestAnimationFrame(() => {
      field?.focus();
      field?.setSelectionRange(next.cursor, next.cursor);
    });
  };
  return (
    <div className="flex min-w-0 flex-1 basis-full flex-col gap-2 sm:flex-row xl:basis-0">
      <Input
        id={id}
        aria-label={t("actions.replyText", { number })}
        className="min-w-0 flex-1"
        placeholder={t("actions.replyPlaceholder")}
        value={text}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      />
      <Select
        aria-label={t("variables.insertLabel", { number })}
        className="w-full sm:w-48"
        value=""
        disabled={disabled}
        onChange={(event) => {
          if (event.target.value) insert(event.target.value);
        }}
      >
        <option value="">{t("variables.insert")}</option>
        {VARIABLES.map((variable) => (
          <option key={variable} value={variable}>
            {t(`variables.names.${variable}`)}
          </option>
        ))}
      </Select>
    </div>
  );
}

function blank(type: TRuleAction["type"]): TRuleAction {
  switch (type) {
    case "reply":
      return { type, text: "" };
    case "ai_reply":
      return { type, profileId: null };
    case "handoff":
      return { type, assigneeId: null, teamId: null, note: "" };
    case "tag":
    case "untag":
      return { type, tag: "" };
    case "set_profile":
      return { type, profileId: "" };
    case "set_relationship":
      return { type, relationship: "client" };
    case "emit_event":
      return { type, name: "", data: {} };
    case "send_template":
      return { type, name: "", language: "", values: { header: [], body: [], buttons: {} } };
    case "start_flow":
      return { type, flowId: "" };
    case "opt_out":
    case "stop":
      return { type };
  }
}

/** The actions of a rule, as typed forms, run top to bottom. */
export function ActionList({
  actions,
  onChange,
  errors,
  disabled,
}: {
  actions: TRuleAction[];
  onChange: (actions: TRuleAction[]) => void;
  errors: Record<string, string>;
  disabled?: boolean;
}) {
  const t = useTranslations("rules.actions");
  // Templates are offered only when some published engine sends them.
  const { templates } = useChoiceTargets();
  const set = (index: number, action: TRuleAction) => onChange(actions.map((old, i) => (i === index ? action : old)));
  const move = (index: number, by: number) => {
    const next = [...actions];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    onChange(next);
  };
  return (
    <div className="flex flex-col gap-2">
      {actions.map((action, index) => {
        const error = Object.entries(errors).find(
          ([key]) => key === `actions.${index}` || key.startsWith(`actions.${index}.`),
        )?.[1];
        return (
          <div key={index} className="flex flex-col gap-1 rounded-md border border-border p-2">
            <div className="flex flex-wrap items-center gap-2">
              <span className="w-5 text-xs text-muted-foreground">{index + 1}.</span>
              <Select
                aria-label={t("action", { number: index + 1 })}
                className="w-auto max-w-full min-w-0 flex-1 sm:w-64 sm:flex-none"
                value={action.type}
                disabled={disabled}
                onChange={(event) => set(index, blank(event.target.value as TRuleAction["type"]))}
              >
                {ACTION_TYPES.filter(
                  (type) => type !== "send_template" || templates || action.type === "send_template",
                ).map((type) => (
                  <option key={type} value={type}>
                    {t(`type.${type}`)}
                  </option>
                ))}
              </Select>
              <ActionFields action={action} onChange={(next) => set(index, next)} disabled={disabled} index={index} />
              <div className="ml-auto flex gap-1">
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled || index === 0}
                  onClick={() => move(index, -1)}
                  aria-label={t("moveUp")}
                >
                  ↑
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled || index === actions.length - 1}
                  onClick={() => move(index, 1)}
                  aria-label={t("moveDown")}
                >
                  ↓
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled}
                  onClick={() => onChange(actions.filter((_, i) => i !== index))}
                  aria-label={t("remove")}
                >
                  ✕
                </Button>
              </div>
            </div>
            {error ? (
              <p role="alert" className="text-xs text-destructive">
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      {isSilentHandoff(actions) && !disabled ? (
        <Alert tone="warning" className="flex flex-wrap items-center gap-2">
          <span className="min-w-0 flex-1">{t("handoffHint")}</span>
          <Button
            size="sm"
            variant="secondary"
            onClick={() => onChange(withHandoffReply(actions, t("handoffDefaultReply")))}
          >
            {t("handoffAddReply")}
          </Button>
        </Alert>
      ) : null}
      <div>
        <Button
          size="sm"
          variant="secondary"
          disabled={disabled}
          onClick={() => onChange([...actions, blank("reply")])}
        >
          {t("add")}
        </Button>
      </div>
    </div>
  );
}

/** Profiles to pick from; `allowContacts` adds "the contact's own profile" (no override). */
function ProfileSelect({
  label,
  value,
  allowContacts,
  disabled,
  onChange,
}: {
  label: string;
  value: string | null;
  allowContacts?: boolean;
  disabled?: boolean;
  onChange: (profileId: string | null) => void;
}) {
  const t = useTranslations("rules.actions");
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  return (
    <Select
      aria-label={label}
      className="w-full sm:w-64"
      value={value ?? ""}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value || null)}
    >
      <option value="">{allowContacts ? t("contactsProfile") : t("pickProfile")}</option>
      {profiles.data?.map((profile) => (
        <option key={profile.id} value={profile.id}>
          {profile.isDefault ? t("defaultProfile", { name: profile.name }) : profile.name}
        </option>
      ))}
    </Select>
  );
}

/** The flows a "start flow" action may start (an unpublished one starts nothing until it is published). */
function FlowSelect({
  label,
  value,
  disabled,
  onChange,
}: {
  label: string;
  value: string;
  disabled?: boolean;
  onChange: (flowId: string) => void;
}) {
  const t = useTranslations("rules.actions");
  const trpc = useTRPC();
  const flows = useQuery(trpc.flows.list.queryOptions());
  return (
    <Select
      aria-label={label}
      className="w-full sm:w-64"
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value)}
    >
      <option value="">{t("pickFlow")}</option>
      {flows.data?.map((flow) => (
        <option key={flow.id} value={flow.id}>
          {flow.publishedVersion === null ? t("flowUnpublished", { name: flow.name }) : flow.name}
        </option>
      ))}
    </Select>
  );
}

function ActionFields({
  action,
  onChange,
  disabled,
  index,
}: {
  action: TRuleAction;
  onChange: (action: TRuleAction) => void;
  disabled?: boolean;
  index: number;
}) {
  const t = useTranslations("rules.actions");
  const tr = useTranslations("rules.choices.relationship");
  const tTeams = useTranslations("domain.teamsUi.picker");
  const number = index + 1;
  switch (action.type) {
    case "reply":
      return (
        <>
          <ReplyField
            text={action.text}
            number={number}
            disabled={disabled}
            onChange={(text) => onChange({ ...action, text })}
          />
          <ReplyMediaPicker
            value={action.mediaAssetId}
            number={number}
            disabled={disabled}
            onChange={(mediaAssetId) => {
              onChange({ ...action, mediaAssetId });
            }}
          />
          <ReplyChoicesEditor
            choices={action.choices}
            number={number}
            disabled={disabled}
            hasFile={Boolean(action.mediaAssetId)}
            onChange={(choices) => {
              onChange({ ...action, choices });
            }}
          />
        </>
      );
    case "send_template":
      return <TemplateActionFields action={action} number={number} disabled={disabled} onChange={onChange} />;
    case "tag":
    case "untag":
      return (
        <Input
          aria-label={t("tag", { number })}
          className="w-full sm:w-48"
          placeholder={t("tagPlaceholder")}
          value={action.tag}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, tag: event.target.value })}
        />
      );
    case "handoff":
      return (
        <>
          <TeamSelect
            aria-label={tTeams("teamOf", { number })}
            className="w-full sm:w-48"
            value={action.teamId ?? null}
            disabled={disabled}
            onChange={(teamId) => onChange({ ...action, teamId })}
          />
          <Input
            aria-label={t("handoffNote", { number })}
            className="min-w-0 flex-1 basis-full lg:basis-0"
            placeholder={t("handoffPlaceholder")}
            value={action.note}
            disabled={disabled}
            onChange={(event) => onChange({ ...action, note: event.target.value })}
          />
        </>
      );
    case "set_relationship":
      return (
        <Select
          aria-label={t("relationship", { number })}
          className="w-full sm:w-40"
          value={action.relationship}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, relationship: event.target.value as typeof action.relationship })}
        >
          {RELATIONSHIPS.map((relationship) => (
            <option key={relationship} value={relationship}>
              {tr(relationship)}
            </option>
          ))}
        </Select>
      );
    case "set_profile":
      return (
        <ProfileSelect
          label={t("profile", { number })}
          value={action.profileId}
          disabled={disabled}
          onChange={(profileId) => onChange({ ...action, profileId: profileId ?? "" })}
        />
      );
    case "ai_reply":
      return (
        <ProfileSelect
          label={t("aiProfile", { number })}
          value={action.profileId}
          allowContacts
          disabled={disabled}
          onChange={(profileId) => onChange({ ...action, profileId })}
        />
      );
    case "start_flow":
      return (
        <FlowSelect
          label={t("flow", { number })}
          value={action.flowId}
          disabled={disabled}
          onChange={(flowId) => onChange({ ...action, flowId })}
        />
      );
    case "emit_event":
      return (
        <Input
          aria-label={t("eventName", { number })}
          className="w-full sm:w-56"
          placeholder={t("eventPlaceholder")}
          value={action.name}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, name: event.target.value })}
        />
      );
    default:
      return null;
  }
}
