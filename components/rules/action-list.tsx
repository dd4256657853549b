"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Input, Select } from "~/components/ui/input";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import type { TRuleAction } from "~/server/rules/schema";
import { TEMPLATE_VARIABLES } from "~/server/rules/templates";

const LABELS: Record<TRuleAction["type"], string> = {
  reply: "Reply with text",
  ai_reply: "Reply with AI",
  handoff: "Hand off to a human",
  tag: "Tag the contact",
  untag: "Remove a tag",
  set_profile: "Set the contact's profile",
  set_relationship: "Set the relationship",
  emit_event: "Emit a webhook event",
  opt_out: "Mark opted out",
  stop: "Stop (no more actions or rules)",
};

function blank(type: TRuleAction["type"]): TRuleAction {
  switch (type) {
    case "reply":
      return { type, text: "" };
    case "ai_reply":
      return { type, profileId: null };
    case "handoff":
      return { type, assigneeId: null, note: "" };
    case "tag":
    case "untag":
      return { type, tag: "" };
    case "set_profile":
      return { type, profileId: "" };
    case "set_relationship":
      return { type, relationship: "client" };
    case "emit_event":
      return { type, name: "", data: {} };
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
            <div className="flex items-center gap-2">
              <span className="w-5 text-xs text-muted-foreground">{index + 1}.</span>
              <Select
                aria-label={`Action ${index + 1}`}
                className="w-64"
                value={action.type}
                disabled={disabled}
                onChange={(event) => set(index, blank(event.target.value as TRuleAction["type"]))}
              >
                {(Object.keys(LABELS) as TRuleAction["type"][]).map((type) => (
                  <option key={type} value={type}>
                    {LABELS[type]}
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
                  aria-label="Move up"
                >
                  ↑
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled || index === actions.length - 1}
                  onClick={() => move(index, 1)}
                  aria-label="Move down"
                >
                  ↓
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={disabled}
                  onClick={() => onChange(actions.filter((_, i) => i !== index))}
                  aria-label="Remove action"
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
      <div>
        <Button
          size="sm"
          variant="secondary"
          disabled={disabled}
          onClick={() => onChange([...actions, blank("reply")])}
        >
          + Action
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
  const trpc = useTRPC();
  const profiles = useQuery(trpc.profiles.list.queryOptions());
  return (
    <Select
      aria-label={label}
      className="w-64"
      value={value ?? ""}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value || null)}
    >
      <option value="">{allowContacts ? "The contact's profile" : "Pick a profile…"}</option>
      {profiles.data?.map((profile) => (
        <option key={profile.id} value={profile.id}>
          {profile.name}
          {profile.isDefault ? " (default)" : ""}
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
  switch (action.type) {
    case "reply":
      return (
        <Input
          aria-label={`Reply text ${index + 1}`}
          placeholder={`Hi {{contact.firstName | there}}! Variables: ${Object.keys(TEMPLATE_VARIABLES).join(", ")}`}
          value={action.text}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, text: event.target.value })}
        />
      );
    case "tag":
    case "untag":
      return (
        <Input
          aria-label={`Tag ${index + 1}`}
          className="w-48"
          placeholder="lead"
          value={action.tag}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, tag: event.target.value })}
        />
      );
    case "handoff":
      return (
        <Input
          aria-label={`Hand-off note ${index + 1}`}
          placeholder="Note for the agent (optional)"
          value={action.note}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, note: event.target.value })}
        />
      );
    case "set_relationship":
      return (
        <Select
          aria-label={`Relationship ${index + 1}`}
          className="w-40"
          value={action.relationship}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, relationship: event.target.value as typeof action.relationship })}
        >
          {RELATIONSHIPS.map((relationship) => (
            <option key={relationship}>{relationship}</option>
          ))}
        </Select>
      );
    case "set_profile":
      return (
        <ProfileSelect
          label={`Profile ${index + 1}`}
          value={action.profileId}
          disabled={disabled}
          onChange={(profileId) => onChange({ ...action, profileId: profileId ?? "" })}
        />
      );
    case "ai_reply":
      return (
        <ProfileSelect
          label={`AI profile ${index + 1}`}
          value={action.profileId}
          allowContacts
          disabled={disabled}
          onChange={(profileId) => onChange({ ...action, profileId })}
        />
      );
    case "emit_event":
      return (
        <Input
          aria-label={`Event name ${index + 1}`}
          className="w-56"
          placeholder="order.requested"
          value={action.name}
          disabled={disabled}
          onChange={(event) => onChange({ ...action, name: event.target.value })}
        />
      );
    default:
      return null;
  }
}
