import { z } from "zod";
import { FACTS, FACT_NAMES, type TFactName } from "~/server/rules/facts";
import { conditionsSchema, slugOfTitle, ZReplyChoices, ZTag, type TFactResolver } from "~/server/rules/schema";
import { TEMPLATE_VARIABLES, variablesOf } from "~/server/rules/templates";
import { domainText, serverText } from "~/server/i18n/domain";
import { INTERACTIVE_LIMITS } from "~/server/messages/content";

/**
 * A flow: steps joined by transitions, drawn on the canvas and run by server/flows/run.ts.
 * Client-safe (the editor validates with it). Every transition is a step id (`next`,
 * `onInvalid`, a branch's `next`…); null means "nowhere" (a dead end the checks report).
 */

export const MAX_FLOW_STEPS = 500;
export const VARIABLE_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const STEP_ID = /^[A-Za-z0-9_-]{1,40}$/;

export const ZVariableName = z
  .string()
  .trim()
  .regex(VARIABLE_NAME, "Lower-case letters, digits and _, starting with a letter (at most 40)");
export const ZStepId = z.string().regex(STEP_ID, "A step id is letters, digits, _ and - (at most 40)");
const ZNext = ZStepId.nullable().default(null);
const ZPosition = z.object({ x: z.number().finite(), y: z.number().finite() }).strict().default({ x: 0, y: 0 });
/** Messages of the lengths used here, written out so the catalogue finds them (server/i18n/domain.ts). */
const AT_MOST = {
  80: "At most 80 characters",
  500: "At most 500 characters",
  1_000: "At most 1,000 characters",
  1_024: "At most 1,024 characters",
  2_000: "At most 2,000 characters",
  4_096: "At most 4,096 characters",
  20_000: "At most 20,000 characters",
} as const;
const ZText = (max: keyof typeof AT_MOST) => z.string().trim().max(max, AT_MOST[max]);

/** What an ask step accepts. */
export const ANSWER_TYPES = ["text", "number", "email", "phone", "date", "choice", "media"] as const;
export type TAnswerType = (typeof ANSWER_TYPES)[number];

const common = {
  id: ZStepId,
  /** The step's name on the canvas. */
  title: ZText(80).default(""),
  position: ZPosition,
};

export const ZSendStep = z
  .object({
    ...common,
    type: z.literal("send"),
    /** The message (with a file: its caption). Variables: `{{var.name}}`, `{{field.key}}`, `{{contact.name}}`… */
    text: ZText(4_096).default(""),
    mediaAssetId: z.uuid("Pick a file").nullable().default(null),
    next: ZNext,
  })
  .strict();

export const ZAskStep = z
  .object({
    ...common,
    type: z.literal("ask"),
    /** The question. With `answer: choice`, the text above the buttons, list or numbered menu. */
    text: ZText(1_024).min(1, "Enter the question"),
    answer: z.enum(ANSWER_TYPES),
    /** A choice's options (buttons up to 3, a list up to 10; a numbered menu where the engine has no buttons). */
    choices: ZReplyChoices.nullable().default(null),
    /** Where each option leads, by option id; an option without one follows `next`. */
    routes: z.record(z.string().max(INTERACTIVE_LIMITS.id), ZStepId).default({}),
    /** The variable the answer is stored in (a choice stores the option's id; its title in `<name>_title`). */
    variable: ZVariableName,
    /** Said when an answer is not valid, before asking again (empty: a sentence for the answer type). */
    retryText: ZText(1_000).default(""),
    /** Answers accepted before giving up (then `onInvalid`). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Seconds to wait for an answer before `onTimeout` (null: wait for ever). */
    timeoutSeconds: z
      .number()
      .int()
      .min(10, "At least 10 seconds")
      .max(30 * 86_400, "At most 30 days")
      .nullable()
      .default(null),
    next: ZNext,
    onInvalid: ZNext,
    onTimeout: ZNext,
  })
  .strict()
  .superRefine((step, context) => {
    if (step.answer === "choice" && !step.choices)
      context.addIssue({ code: "custom", message: "Add the options to choose from", path: ["choices"] });
    if (step.answer !== "choice" && step.choices)
      context.addIssue({ code: "custom", message: "Only a choice has options", path: ["choices"] });
  });

export const ZSetStep = z
  .object({
    ...common,
    type: z.literal("set"),
    assignments: z
      .array(
        z
          .object({
            /** A flow variable, or a contact field (Settings → Contact fields) by key. */
            target: z.enum(["variable", "field"]),
            name: ZVariableName,
            /** A template: `{{var.order}}`, text, or both. */
            value: ZText(1_000),
          })
          .strict(),
      )
      .min(1, "Add something to set")
      .max(20),
    next: ZNext,
  })
  .strict();

/** Facts a flow's branches test: the rules' facts, the flow's variables and the contact's fields. */
export const flowFactResolver: TFactResolver = (name) => {
  if ((FACT_NAMES as string[]).includes(name)) return FACTS[name as TFactName];
  if (name.startsWith("var.") && VARIABLE_NAME.test(name.slice(4))) return { type: "any", label: name };
  if (name.startsWith("field.") && VARIABLE_NAME.test(name.slice(6))) return { type: "any", label: name };
  return null;
};
export const ZFlowConditions = conditionsSchema(flowFactResolver);

export const ZBranchStep = z
  .object({
    ...common,
    type: z.literal("branch"),
    /** Tested in order; the first that matches leads on. */
    branches: z
      .array(
        z
          .object({
            id: ZStepId,
            label: ZText(80).default(""),
            conditions: ZFlowConditions,
            next: ZNext,
          })
          .strict(),
      )
      .min(1, "Add a branch")
      .max(20),
    /** When no branch matches. */
    otherwise: ZNext,
  })
  .strict();

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const ZHttpStep = z
  .object({
    ...common,
    type: z.literal("http"),
    method: z.enum(HTTP_METHODS).default("GET"),
    /** Templated: `https://shop.example/orders/{{var.order}}`; `{{secrets.NAME}}` from Settings. */
    url: ZText(2_000).min(1, "Enter the URL"),
    headers: z
      .array(
        z
          .object({
            name: z
              .string()
              .trim()
              .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "A header name"),
            value: ZText(2_000),
          })
          .strict(),
      )
      .max(20)
      .default([]),
    /** Templated; sent as given (JSON when it parses as JSON). */
    body: ZText(20_000).default(""),
    timeoutMs: z.number().int().min(500).max(30_000).default(10_000),
    /** Fields of the JSON answer stored in variables: `status`, `order.items.0.name`. */
    map: z
      .array(
        z
          .object({
            variable: ZVariableName,
            path: z
              .string()
              .trim()
              .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, "A path like order.status or items.0.name"),
          })
          .strict(),
      )
      .max(30)
      .default([]),
    /** The variable the HTTP status goes in (0 when no answer came). */
    statusVariable: ZVariableName.nullable().default(null),
    /** After a 2xx answer. */
    next: ZNext,
    /** After another status, a timeout or a refused address (null: `next` anyway). */
    onError: ZNext,
  })
  .strict();

export const ZAiReplyStep = z
  .object({
    ...common,
    type: z.literal("ai_reply"),
    /** The context profile that speaks (null: the contact's). */
    profileId: z.uuid().nullable().default(null),
    next: ZNext,
  })
  .strict();

export const ZTagStep = z
  .object({
    ...common,
    type: z.literal("tag"),
    add: z.array(ZTag).max(20).default([]),
    remove: z.array(ZTag).max(20).default([]),
    next: ZNext,
  })
  .strict()
  .refine((step) => step.add.length + step.remove.length > 0, { message: "Add a tag to add or remove", path: ["add"] });

export const ZHandoffStep = z
  .object({
    ...common,
    type: z.literal("handoff"),
    /** For the agent, above what the flow collected. */
    note: ZText(500).default(""),
    assigneeId: z.uuid().nullable().default(null),
    /** The team whose queue it goes to (its auto-assignment picks the agent); null: the shared queue. */
    teamId: z.uuid().nullable().default(null),
  })
  .strict();

export const ZWaitStep = z
  .object({
    ...common,
    type: z.literal("wait"),
    /** A delay, or until the next time of day (HH:MM) in the org's time zone. */
    mode: z.enum(["delay", "until"]).default("delay"),
    seconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(60),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM, 24-hour")
      .default("09:00"),
    next: ZNext,
  })
  .strict();

export const ZGotoFlowStep = z
  .object({
    ...common,
    type: z.literal("goto_flow"),
    flowId: z.uuid("Pick a flow"),
  })
  .strict();

export const ZEndStep = z.object({ ...common, type: z.literal("end") }).strict();

export const ZFlowStep = z.discriminatedUnion("type", [
  ZSendStep,
  ZAskStep,
  ZSetStep,
  ZBranchStep,
  ZHttpStep,
  ZAiReplyStep,
  ZTagStep,
  ZHandoffStep,
  ZWaitStep,
  ZGotoFlowStep,
  ZEndStep,
]);
export type TFlowStep = z.output<typeof ZFlowStep>;
export type TFlowStepType = TFlowStep["type"];
export type TStepOf<K extends TFlowStepType> = Extract<TFlowStep, { type: K }>;
export const FLOW_STEP_TYPES: TFlowStepType[] = ZFlowStep.options.map((option) => option.shape.type.value);

/** Every transition out of a step: `[label, target]` (targets may be null: dead ends). */
export function transitionsOf(step: TFlowStep): { key: string; target: string | null }[] {
  switch (step.type) {
    case "send":
    case "set":
    case "ai_reply":
    case "tag":
    case "wait":
      return [{ key: "next", target: step.next }];
    case "ask":
      return [
        ...(step.choices?.options ?? []).flatMap((option) => {
          const target = step.routes[option.id];
          return target ? [{ key: `route:${option.id}`, target }] : [];
        }),
        { key: "next", target: step.next },
        { key: "onInvalid", target: step.onInvalid },
        ...(step.timeoutSeconds !== null ? [{ key: "onTimeout", target: step.onTimeout }] : []),
      ];
    case "branch":
      return [
        ...step.branches.map((branch) => ({ key: `branch:${branch.id}`, target: branch.next })),
        { key: "otherwise", target: step.otherwise },
      ];
    case "http":
      return [
        { key: "next", target: step.next },
        { key: "onError", target: step.onError },
      ];
    case "handoff":
    case "goto_flow":
    case "end":
      return [];
  }
}

/** Variables the step sets. */
export function variablesSetBy(step: TFlowStep): string[] {
  switch (step.type) {
    case "ask":
      return step.answer === "choice" ? [step.variable, `${step.variable}_title`] : [step.variable];
    case "set":
      return step.assignments.filter((a) => a.target === "variable").map((a) => a.name);
    case "http":
      return [...step.map.map((entry) => entry.variable), ...(step.statusVariable ? [step.statusVariable] : [])];
    default:
      return [];
  }
}

/** Template variables the rules' replies know, plus `var.*`, `field.*` (and `secrets.*` in HTTP steps). */
export function isFlowTemplateVariable(name: string, options: { secrets?: boolean } = {}): boolean {
  if (name in TEMPLATE_VARIABLES) return true;
  const [scope, rest] = [name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1)];
  if (scope === "var" || scope === "field") return VARIABLE_NAME.test(rest);
  if (scope === "secrets" && options.secrets) return /^[A-Z][A-Z0-9_]{0,63}$/.test(rest);
  return false;
}

/** The variables (`var.x` → x) the step reads: in templates and in conditions. */
export function variablesReadBy(step: TFlowStep): string[] {
  const texts: string[] = [];
  const facts: string[] = [];
  switch (step.type) {
    case "send":
    case "ask":
      texts.push(step.text);
      if (step.type === "ask") texts.push(step.retryText);
      break;
    case "set":
      texts.push(...step.assignments.map((a) => a.value));
      break;
    case "http":
      texts.push(step.url, step.body, ...step.headers.map((header) => header.value));
      break;
    case "branch": {
      const walk = (node: unknown) => {
        if (!node || typeof node !== "object") return;
        const record = node as Record<string, unknown>;
        if (typeof record.fact === "string") facts.push(record.fact);
        for (const key of ["all", "any"]) if (Array.isArray(record[key])) (record[key] as unknown[]).forEach(walk);
        if (record.not) walk(record.not);
      };
      step.branches.forEach((branch) => walk(branch.conditions));
      break;
    }
    case "handoff":
      texts.push(step.note);
      break;
    default:
      break;
  }
  const names = [...texts.flatMap(variablesOf), ...facts];
  return [...new Set(names.filter((name) => name.startsWith("var.")).map((name) => name.slice(4)))];
}

export const ZFlowDefinition = z
  .object({
    /** The step a run starts at. */
    start: ZStepId.nullable().default(null),
    steps: z.array(ZFlowStep).max(MAX_FLOW_STEPS, "At most 500 steps").default([]),
  })
  .strict()
  .superRefine((definition, context) => {
    const ids = new Set<string>();
    definition.steps.forEach((step, index) => {
      if (ids.has(step.id))
        context.addIssue({ code: "custom", message: "Two steps have this id", path: ["steps", index, "id"] });
      ids.add(step.id);
    });
    if (definition.start !== null && !ids.has(definition.start))
      context.addIssue({ code: "custom", message: "The start step does not exist", path: ["start"] });
    definition.steps.forEach((step, index) => {
      for (const { key, target } of transitionsOf(step)) {
        if (target !== null && !ids.has(target))
          context.addIssue({
            code: "custom",
            message: domainText("en", serverText("flowDefinition.missingTarget", { target })),
            params: { text: serverText("flowDefinition.missingTarget", { target }) },
            path: ["steps", index, key],
          });
      }
      const texts =
        step.type === "send" || step.type === "ask"
          ? [step.text]
          : step.type === "set"
            ? step.assignments.map((a) => a.value)
            : step.type === "http"
              ? [step.url, step.body, ...step.headers.map((header) => header.value)]
              : [];
      for (const name of texts.flatMap(variablesOf)) {
        if (!isFlowTemplateVariable(name, { secrets: step.type === "http" }))
          context.addIssue({
            code: "custom",
            message: domainText("en", serverText("flowDefinition.unknownVariable", { name })),
            params: { text: serverText("flowDefinition.unknownVariable", { name }) },
            path: ["steps", index],
          });
      }
    });
  });
export type TFlowDefinition = z.output<typeof ZFlowDefinition>;

/** What starts a flow by itself (besides a rule's "start flow" action and the API). */
export const ZFlowTriggers = z
  .object({
    /** Whole messages that start it ("orders", "track my order"), compared without case or accents. */
    keywords: z.array(z.string().trim().min(1).max(100)).max(30).default([]),
    /** A contact's very first message starts it. */
    firstMessage: z.boolean().default(false),
  })
  .strict();
export type TFlowTriggers = z.output<typeof ZFlowTriggers>;

/** A flow as builders save it (and as import/export carries it). */
export const ZFlowInput = z
  .object({
    name: z.string().trim().min(1, "Name the flow").max(120),
    description: z.string().trim().max(1_000).default(""),
    enabled: z.boolean().default(true),
    definition: ZFlowDefinition,
    triggers: ZFlowTriggers.default({ keywords: [], firstMessage: false }),
  })
  .strict();
export type TFlowInput = z.input<typeof ZFlowInput>;

/** How a keyword and a message compare: lower case, accents dropped, spaces collapsed. */
export function normalizeKeyword(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** A step id that is not taken yet, from a title ("Ask order" → `ask-order-2`). */
export function newStepId(title: string, taken: ReadonlySet<string>): string {
  const base = slugOfTitle(title).slice(0, 34) || "step";
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  return id;
}
