import { z } from "zod";
import { domainText, serverText } from "~/server/i18n/domain";
import { RELATIONSHIPS } from "~/db/schema/contacts";
import { WEEKDAYS } from "~/server/settings/schema";
import { FACT_NAMES, FACTS, type TFactName, type TFactType } from "./facts";
import { OPERATOR_NAMES, OPERATORS, type TOperatorName } from "./operators";
import { TEMPLATE_VARIABLES, unknownVariables } from "./templates";
import { INTERACTIVE_LIMITS } from "~/server/messages/content";
import { ZTemplateValues } from "~/server/cloud/template-shape";

/** A json-rules-engine condition: a fact test, or `all` / `any` / `not` of conditions. */
export type TLeafCondition = { fact: TFactName | `field.${string}`; operator: TOperatorName; value: unknown };
export type TCondition = { all: TCondition[] } | { any: TCondition[] } | { not: TCondition } | TLeafCondition;
export type TTopCondition = { all: TCondition[] } | { any: TCondition[] } | { not: TCondition };

const MAX_DEPTH = 8;
const MAX_LEAVES = 100;

/** Checks a condition tree, reporting each problem at its path (so the editor can show it in place). */
/**
 * What a condition may test: a fact's type and label by its name, or null for an unknown fact.
 * Rules test `FACTS`; flows also test their variables (`var.name`) and contact fields (`field.key`),
 * whose type is `any` (every operator applies; the value decides).
 */
export type TFactResolver = (name: string) => { type: TFactType | "any"; label: string } | null;

/** A contact field's fact: `field.<key>` (keys as server/contacts/fields.ts's FIELD_KEY). */
const FIELD_FACT = /^field\.[a-z][a-z0-9_]{0,39}$/;

/** The facts rules test: `FACTS`, and the contact's custom fields as `field.<key>` (any type). */
export const ruleFactResolver: TFactResolver = (name) =>
  (FACT_NAMES as string[]).includes(name)
    ? FACTS[name as TFactName]
    : FIELD_FACT.test(name)
      ? { type: "any", label: name }
      : null;

function checkCondition(
  value: unknown,
  path: (string | number)[],
  context: z.RefinementCtx,
  state: { leaves: number; resolve: TFactResolver },
) {
  const issue = (message: string, at = path) => context.addIssue({ code: "custom", message, path: at });
  if (path.length / 2 > MAX_DEPTH) return issue(`Conditions nest at most ${MAX_DEPTH} levels deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return issue("Expected a condition");
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  for (const group of ["all", "any"] as const) {
    if (group in record) {
      if (keys.length !== 1) return issue(`"${group}" stands alone in its condition`);
      const list = record[group];
      if (!Array.isArray(list)) return issue(`"${group}" holds a list of conditions`, [...path, group]);
      if (list.length === 0) return issue("Add a condition to this group, or remove the group", [...path, group]);
      list.forEach((child, index) => checkCondition(child, [...path, group, index], context, state));
      return;
    }
  }
  if ("not" in record) {
    if (keys.length !== 1) return issue(`"not" stands alone in its condition`);
    return checkCondition(record.not, [...path, "not"], context, state);
  }
  state.leaves += 1;
  if (state.leaves === MAX_LEAVES + 1) issue(`At most ${MAX_LEAVES} conditions in a rule`);
  const extra = keys.filter((key) => !["fact", "operator", "value"].includes(key));
  if (extra.length > 0) return issue(`Unknown key${extra.length > 1 ? "s" : ""}: ${extra.join(", ")}`);
  const fact = record.fact;
  const known = typeof fact === "string" ? state.resolve(fact) : null;
  if (!known) {
    return issue(`Unknown fact ${JSON.stringify(fact)}`, [...path, "fact"]);
  }
  const operator = record.operator;
  if (typeof operator !== "string" || !(OPERATOR_NAMES as string[]).includes(operator)) {
    return issue(`Unknown operator ${JSON.stringify(operator)}`, [...path, "operator"]);
  }
  const definition = OPERATORS[operator as TOperatorName];
  if (known.type !== "any" && !(definition.types as readonly string[]).includes(known.type)) {
    return issue(`"${definition.label}" does not apply to ${known.label}`, [...path, "operator"]);
  }
  const parsed = definition.value.safeParse(record.value);
  if (!parsed.success) {
    for (const problem of parsed.error.issues)
      issue(problem.message, [...path, "value", ...(problem.path as (string | number)[])]);
  }
}

/** A condition tree's schema over the facts `resolve` knows. */
export function conditionsSchema(resolve: TFactResolver) {
  return z.unknown().superRefine((value, context) => {
    if (typeof value !== "object" || value === null || !("all" in value || "any" in value || "not" in value)) {
      context.addIssue({ code: "custom", message: 'A rule\'s conditions start with "all", "any" or "not"' });
      return;
    }
    checkCondition(value, [], context, { leaves: 0, resolve });
  }) as unknown as z.ZodType<TTopCondition>;
}

export const ZConditions = conditionsSchema(ruleFactResolver);

/** Refuses template variables the renderer does not know, naming them and the known ones. */
function refuseUnknownVariables(text: string, context: z.RefinementCtx) {
  const unknown = unknownVariables(text);
  if (unknown.length > 0) {
    const message = serverText("rules.unknownVariables", {
      count: unknown.length,
      names: unknown.map((name) => `{{${name}}}`).join(", "),
      known: Object.keys(TEMPLATE_VARIABLES)
        .map((name) => `{{${name}}}`)
        .join(", "),
    });
    // English as the message; the key travels in params, so the dashboard gets the person's language.
    context.addIssue({ code: "custom", message: domainText("en", message), params: { text: message } });
  }
}

/** A reply's text that may be empty: the caption of a file. */
const ZCaptionTemplate = z.string().trim().max(4_096, "At most 4,096 characters").superRefine(refuseUnknownVariables);

/** A contact tag, as rules' and flows' tag actions take it. */
export const ZTag = z
  .string()
  .trim()
  .min(1, "Enter a tag")
  .max(40)
  .regex(/^[\p{L}\p{N} _.-]+$/u, "Letters, digits, space, _ . - only");

/**
 * An option's id made from its title: lower-case letters and digits joined by dashes, accents
 * dropped ("Talk to us" → `talk-to-us`), `option` when nothing is left.
 */
export function slugOfTitle(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "option";
}

/** One option of a reply's choice; its id defaults to a slug of its title (unique within the reply). */
const ZReplyChoiceOption = z
  .object({
    id: z
      .string()
      .trim()
      .max(INTERACTIVE_LIMITS.id, "At most 256 characters")
      .transform((id) => id || undefined)
      .optional(),
    title: z
      .string()
      .trim()
      .min(1, "Give the option a title")
      .max(INTERACTIVE_LIMITS.rowTitle, "At most 24 characters"),
    description: z
      .string()
      .trim()
      .max(INTERACTIVE_LIMITS.rowDescription, "At most 72 characters")
      .transform((description) => description || undefined)
      .optional(),
  })
  .strict();

/**
 * A choice a reply offers: reply buttons (up to 3, titles up to 20 characters) or a list (up to
 * 10 rows behind a button; titles up to 24, descriptions up to 72), by WhatsApp's limits. Every
 * option leaves the schema with an id. Engines without buttons send it as a numbered menu.
 */
export const ZReplyChoices = z
  .object({
    style: z.enum(["buttons", "list"]),
    /** A list's button label ("Choose"). */
    button: z
      .string()
      .trim()
      .max(INTERACTIVE_LIMITS.listButton, "At most 20 characters")
      .transform((button) => button || undefined)
      .optional(),
    options: z
      .array(ZReplyChoiceOption)
      .min(1, "Add at least one option")
      .max(INTERACTIVE_LIMITS.rows, "At most 10 options"),
  })
  .strict()
  .superRefine((choices, context) => {
    if (choices.style !== "buttons") return;
    if (choices.options.length > INTERACTIVE_LIMITS.buttons)
      context.addIssue({ code: "custom", message: "At most 3 buttons", path: ["options"] });
    choices.options.forEach((option, index) => {
      if (option.title.length > INTERACTIVE_LIMITS.buttonTitle)
        context.addIssue({ code: "custom", message: "At most 20 characters", path: ["options", index, "title"] });
    });
  })
  .transform((choices, context) => {
    const given = new Set<string>();
    choices.options.forEach((option, index) => {
      if (!option.id) return;
      if (given.has(option.id))
        context.addIssue({ code: "custom", message: "Two options have this id", path: ["options", index, "id"] });
      given.add(option.id);
    });
    const taken = new Set(given);
    const options = choices.options.map((option) => {
      if (option.id) return { ...option, id: option.id };
      const base = slugOfTitle(option.title);
      let id = base;
      for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
      taken.add(id);
      return { ...option, id };
    });
    return { ...choices, options };
  });
export type TReplyChoices = z.output<typeof ZReplyChoices>;

/** The values a `send_template` action gives a template's variables, each value a reply template. */
export const ZRuleTemplateValues = ZTemplateValues;

/** What a matching rule does, in order. */
export const ZRuleAction = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("reply"),
      /** The reply; with a file, its caption (may then be empty); with choices, the message above them. */
      text: ZCaptionTemplate,
      /** A file of the media library (Settings → Media) the reply sends, the text as its caption. */
      mediaAssetId: z.uuid("Pick a file").optional(),
      /** Options the contact picks from: buttons or a list, or a numbered menu where an engine has no buttons. */
      choices: ZReplyChoices.optional(),
    })
    .strict()
    .superRefine((action, context) => {
      if (!action.text && !action.mediaAssetId)
        context.addIssue({ code: "custom", message: "Enter the reply", path: ["text"] });
      if (action.choices && action.mediaAssetId)
        context.addIssue({ code: "custom", message: "A choice cannot carry a file", path: ["choices"] });
      if (action.choices && action.text.length > INTERACTIVE_LIMITS.body)
        context.addIssue({ code: "custom", message: "At most 1,024 characters", path: ["text"] });
    }),
  z
    .object({
      type: z.literal("send_template"),
      /** A synced template of the number the message came to (Cloud API numbers), by name and language. */
      name: z.string().trim().min(1, "Pick a template").max(512, "At most 512 characters"),
      language: z.string().trim().min(1, "Pick a template").max(20, "At most 20 characters"),
      /** Its variables' values; they may use the reply variables ({{contact.name}}), filled per message. */
      values: ZRuleTemplateValues.superRefine((values, context) => {
        for (const text of [...values.header, ...values.body, ...Object.values(values.buttons)])
          refuseUnknownVariables(text, context);
      }),
    })
    .strict(),
  z.object({ type: z.literal("ai_reply"), profileId: z.uuid().nullable().default(null) }).strict(),
  z
    .object({
      type: z.literal("handoff"),
      assigneeId: z.uuid().nullable().default(null),
      /** The team whose queue it goes to (its auto-assignment picks the agent); null: the shared queue. */
      teamId: z.uuid().nullable().default(null),
      note: z.string().trim().max(500).default(""),
    })
    .strict(),
  z.object({ type: z.literal("tag"), tag: ZTag }).strict(),
  z.object({ type: z.literal("untag"), tag: ZTag }).strict(),
  z.object({ type: z.literal("set_profile"), profileId: z.uuid("Pick a profile") }).strict(),
  z.object({ type: z.literal("set_relationship"), relationship: z.enum(RELATIONSHIPS) }).strict(),
  z
    .object({
      type: z.literal("emit_event"),
      name: z
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9_.-]{0,59}$/, "Lower-case letters, digits, _ . - (starting with a letter), at most 60"),
      data: z.record(z.string().max(60), z.string().max(500)).default({}),
    })
    .strict(),
  z.object({ type: z.literal("opt_out") }).strict(),
  z.object({ type: z.literal("stop") }).strict(),
  /** Starts a published flow in the conversation, ending the one running there (a disabled or unpublished flow: nothing). */
  z.object({ type: z.literal("start_flow"), flowId: z.uuid("Pick a flow") }).strict(),
]);
export type TRuleAction = z.infer<typeof ZRuleAction>;
export const ACTION_TYPES = ZRuleAction.options.map((option) => option.shape.type.value);

export const ZRuleSchedule = z
  .object({
    /** Only inside business hours, only outside them, or at any time. */
    hours: z.enum(["any", "inside", "outside"]).default("any"),
    /** Weekdays (in the org's time zone) on which the rule may fire; empty = every day. */
    days: z.array(z.enum(WEEKDAYS)).max(7).default([]),
  })
  .strict();
export type TRuleSchedule = z.infer<typeof ZRuleSchedule>;

export const ZRuleInput = z
  .object({
    name: z.string().trim().min(1, "Name the rule").max(120),
    description: z.string().trim().max(1_000).default(""),
    enabled: z.boolean().default(true),
    /** Higher runs first. */
    priority: z.number().int().min(-10_000).max(10_000).default(0),
    conditions: ZConditions,
    actions: z.array(ZRuleAction).min(1, "Add at least one action").max(20),
    stopOnMatch: z.boolean().default(false),
    /** Per contact: after the rule fired for a contact, it stays quiet for them this long. */
    cooldownS: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(0),
    schedule: ZRuleSchedule.nullable().default(null),
  })
  .strict();
export type TRuleInput = z.input<typeof ZRuleInput>;
export type TRule = z.infer<typeof ZRuleInput> & { id: string };
