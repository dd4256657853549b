import { mediaContent, storedMediaRef } from "~/server/media/media-content";
import { isMediaKind, matchChoice, textOf, type TChoiceOption, type TMessageContent } from "~/server/messages/content";
import { parsePhoneNumber } from "~/server/contacts/phone";
import { choiceContent } from "~/server/rules/actions";
import { compileCondition, type TCompiledCondition } from "~/server/rules/compile";
import { localTime, type TFacts } from "~/server/rules/facts";
import type { TRuleAsset } from "~/server/rules/media";
import { renderWith, type TTemplateValues } from "~/server/rules/templates";
import type { TCondition } from "~/server/rules/schema";
import type { TFlowRunOutcome } from "~/db/schema/flows";
import type { TFlowDefinition, TFlowStep, TStepOf } from "./definition";
import type { TFlowState, TFlowValue } from "./state";

/**
 * The flow interpreter: pure and synchronous, so the pipeline runs it inside the batch's
 * transaction for every message, and the jobs (a timeout, an HTTP answer) and the test panel run
 * the same code. It moves a conversation's flow state on by one input (a message, a deadline, an
 * HTTP answer, a resume) through as many steps as run without waiting, and says what to do: the
 * replies, the contact's tags and fields, a hand-off, the AI replies, the one job to schedule
 * (a deadline, an HTTP request), the trace. The caller writes all of it in one transaction.
 */

/** A published flow, compiled once per version: steps by id, branch conditions as functions. */
export type TCompiledFlow = {
  flowId: string;
  version: number;
  name: string;
  start: string | null;
  steps: ReadonlyMap<string, TFlowStep>;
  branches: ReadonlyMap<string, TCompiledBranch[]>;
};

type TCompiledBranch = { id: string; label: string; next: string | null; test: TCompiledCondition };

export function compileFlow(flow: {
  flowId: string;
  version: number;
  name: string;
  definition: TFlowDefinition;
}): TCompiledFlow {
  const steps = new Map(flow.definition.steps.map((step) => [step.id, step] as const));
  const branches = new Map<string, TCompiledBranch[]>();
  for (const step of flow.definition.steps) {
    if (step.type !== "branch") continue;
    branches.set(
      step.id,
      step.branches.map((branch) => ({
        id: branch.id,
        label: branch.label,
        next: branch.next,
        test: compileCondition(branch.conditions as TCondition),
      })),
    );
  }
  return { flowId: flow.flowId, version: flow.version, name: flow.name, start: flow.definition.start, steps, branches };
}

/** What moves a flow. */
export type TFlowInput =
  /** A new run, from the start step. */
  | { kind: "start" }
  /** The contact wrote (answers an ask; ignored while the flow waits for something else). */
  | { kind: "message"; messageId: string; text: string; content: TMessageContent }
  /** The deadline of the wait the flow stands on (an ask's timeout, a wait step's end). */
  | { kind: "deadline" }
  /** The answer of the HTTP step the flow stands on (`status` 0: none came; `error` says why). */
  | { kind: "http"; status: number; body: unknown; error: string | null }
  /** A person released the conversation and the flow goes on where it stood. */
  | { kind: "resume" };

/** What the interpreter needs from around it (all of it loaded before, nothing asked here). */
export type TFlowContext = {
  now: Date;
  timeZone: string;
  defaultCountry: string;
  /** The rules' facts of the message being decided (or of the conversation, without one). */
  facts: Partial<TFacts>;
  /** The contact's custom field values. */
  fields: Readonly<Record<string, TFlowValue>>;
  /** The reply variables (`{{contact.name}}`…). */
  template: TTemplateValues;
  /** Coerces a value for a contact field (server/contacts/fields.ts); unknown field → not ok. */
  coerceField: (key: string, raw: TFlowValue) => { ok: true; value: TFlowValue } | { ok: false; reason: string };
  /** Library files the flow's send steps carry. */
  assets: ReadonlyMap<string, TRuleAsset>;
  /** The inbound message an AI reply answers (the latest one); null: none to answer. */
  messageId: string | null;
};

export type TTraceEntry = { stepId: string; stepType: string; detail: Record<string, unknown> };

export type TFlowEffects = {
  replies: { body: string; content?: TMessageContent; stepId: string }[];
  tags: { add: string[]; remove: string[] };
  /** Contact field values to write, by key. */
  fields: Record<string, TFlowValue>;
  aiReplies: { profileId: string | null; messageId: string; stepId: string }[];
  handoff: {
    note: string;
    assigneeId: string | null;
    teamId: string | null;
    flowId: string;
    runId: string;
    variables: Record<string, TFlowValue>;
  } | null;
  /** Run the HTTP step the new state stands on (the `flow.http` job, with the state's token). */
  http: { stepId: string } | null;
  /** Schedule the `flow.deadline` job at the new state's deadline (with its token). */
  deadline: Date | null;
  /** A go-to-flow step: start this flow once this run has ended. */
  startFlow: { flowId: string } | null;
  trace: TTraceEntry[];
  /** The run ended here (the state is then null). */
  ended: { outcome: TFlowRunOutcome; stepId: string | null; variables: Record<string, TFlowValue> } | null;
  /** The input was not for the flow (a message while it waits for a deadline or an HTTP answer). */
  ignored: boolean;
};

/** Folds tags to add and remove into `into`, in order: a later change to the same tag wins. */
export function mergeTags(
  into: { add: string[]; remove: string[] },
  change: { add: readonly string[]; remove: readonly string[] },
) {
  for (const tag of change.add) {
    into.remove = into.remove.filter((other) => other !== tag);
    if (!into.add.includes(tag)) into.add.push(tag);
  }
  for (const tag of change.remove) {
    into.add = into.add.filter((other) => other !== tag);
    if (!into.remove.includes(tag)) into.remove.push(tag);
  }
}

/** Steps run in one move at most (a loop with no wait in it ends the run). */
export const MAX_STEPS_PER_MOVE = 200;

export function emptyEffects(): TFlowEffects {
  return {
    replies: [],
    tags: { add: [], remove: [] },
    fields: {},
    aiReplies: [],
    handoff: null,
    http: null,
    deadline: null,
    startFlow: null,
    trace: [],
    ended: null,
    ignored: false,
  };
}

/** The state of a new run of `flow`, before its first move (`{ kind: "start" }`). */
export function newRunState(
  flow: TCompiledFlow,
  runId: string,
  now: Date,
  vars: Record<string, TFlowValue> = {},
): TFlowState {
  return {
    runId,
    flowId: flow.flowId,
    version: flow.version,
    name: flow.name,
    stepId: flow.start ?? "",
    wait: "answer",
    paused: false,
    vars: { ...vars },
    attempts: 0,
    deadline: null,
    token: 0,
    startedAt: now.toISOString(),
  };
}

/**
 * Moves `state` on by `input`. Returns the new state (null when the run ended) and the effects.
 * The input must be for the state (the caller checks a job's token); a paused state does not move.
 */
export function advanceFlow(
  flow: TCompiledFlow,
  state: TFlowState,
  input: TFlowInput,
  context: TFlowContext,
): { state: TFlowState | null; effects: TFlowEffects } {
  const effects = emptyEffects();
  const run = new Run(flow, { ...state, vars: { ...state.vars } }, context, effects);
  const next = run.move(input);
  return { state: next, effects };
}

class Run {
  private steps = 0;
  constructor(
    private readonly flow: TCompiledFlow,
    private readonly state: TFlowState,
    private readonly context: TFlowContext,
    private readonly effects: TFlowEffects,
  ) {}

  move(input: TFlowInput): TFlowState | null {
    const { state, effects } = this;
    if (input.kind === "start") return this.runFrom(this.flow.start);
    const step = this.flow.steps.get(state.stepId);
    if (!step) return this.end("failed", state.stepId, { error: "step_missing" });
    switch (input.kind) {
      case "message": {
        if (state.wait !== "answer" || step.type !== "ask") {
          effects.ignored = true;
          return state;
        }
        return this.answer(step, input);
      }
      case "deadline": {
        if (state.wait === "answer" && step.type === "ask") {
          this.trace(step, { timedOut: true });
          return this.runFrom(step.onTimeout, "timeout");
        }
        if (state.wait === "delay" && step.type === "wait") {
          this.trace(step, { waited: true });
          return this.runFrom(step.next);
        }
        effects.ignored = true;
        return state;
      }
      case "http": {
        if (state.wait !== "http" || step.type !== "http") {
          effects.ignored = true;
          return state;
        }
        return this.httpAnswered(step, input);
      }
      case "resume": {
        // Asked again (the person may have said anything meanwhile); a wait or a request goes on as it was.
        if (step.type === "ask") return this.enterAsk(step, state.attempts, "resumed");
        if (state.wait === "delay" && state.deadline) effects.deadline = new Date(state.deadline);
        if (state.wait === "http") effects.http = { stepId: step.id };
        return this.moved();
      }
    }
  }

  /** Runs steps from `stepId` until one waits or the run ends. */
  private runFrom(stepId: string | null, via?: string): TFlowState | null {
    let current = stepId;
    for (;;) {
      if (current === null) return this.end("completed", this.state.stepId, via ? { via } : {});
      const step = this.flow.steps.get(current);
      if (!step) return this.end("failed", current, { error: "step_missing" });
      this.steps += 1;
      if (this.steps > MAX_STEPS_PER_MOVE) return this.end("failed", current, { error: "too_many_steps" });
      this.state.stepId = step.id;
      const outcome = this.enter(step);
      if (outcome.wait) return outcome.state;
      current = outcome.next;
    }
  }

  /** Runs one step: where it leads, or the state it waits in. */
  private enter(step: TFlowStep): { wait: false; next: string | null } | { wait: true; state: TFlowState | null } {
    const { effects, context, state } = this;
    switch (step.type) {
      case "send": {
        const body = this.render(step.text);
        const asset = step.mediaAssetId ? context.assets.get(step.mediaAssetId) : undefined;
        if (asset) {
          const content = mediaContent(asset.kind, storedMediaRef(asset, asset.fileName), body);
          effects.replies.push({ body: textOf(content), content, stepId: step.id });
        } else if (body) effects.replies.push({ body, stepId: step.id });
        this.trace(step, asset || body ? {} : { skipped: "empty" });
        return { wait: false, next: step.next };
      }
      case "ask":
        return { wait: true, state: this.enterAsk(step, 0, null) };
      case "set": {
        const set: Record<string, TFlowValue> = {};
        const refused: Record<string, string> = {};
        for (const assignment of step.assignments) {
          const value = this.render(assignment.value);
          if (assignment.target === "variable") {
            state.vars[assignment.name] = value;
            set[`var.${assignment.name}`] = value;
            continue;
          }
          const coerced = context.coerceField(assignment.name, value === "" ? null : value);
          if (coerced.ok) {
            effects.fields[assignment.name] = coerced.value;
            set[`field.${assignment.name}`] = coerced.value;
          } else refused[`field.${assignment.name}`] = coerced.reason;
        }
        this.trace(step, { set, ...(Object.keys(refused).length > 0 ? { refused } : {}) });
        return { wait: false, next: step.next };
      }
      case "branch": {
        const facts = this.facts();
        const branches = this.flow.branches.get(step.id) ?? [];
        const taken = branches.find((branch) => branch.test(facts));
        // The label as it was when taken (the Inbox and the Test panel show it; the id for the funnel).
        this.trace(
          step,
          taken ? { branch: taken.id, ...(taken.label ? { label: taken.label } : {}) } : { branch: "otherwise" },
        );
        return { wait: false, next: taken ? taken.next : step.otherwise };
      }
      case "http":
        this.trace(step, { request: this.describeRequest(step) });
        state.wait = "http";
        state.deadline = null;
        effects.http = { stepId: step.id };
        return { wait: true, state: this.moved() };
      case "ai_reply":
        if (context.messageId) {
          effects.aiReplies.push({ profileId: step.profileId, messageId: context.messageId, stepId: step.id });
          this.trace(step, {});
        } else this.trace(step, { skipped: "no_message" });
        return { wait: false, next: step.next };
      case "tag":
        mergeTags(effects.tags, step);
        this.trace(step, { add: step.add, remove: step.remove });
        return { wait: false, next: step.next };
      case "handoff": {
        const variables = { ...state.vars };
        effects.handoff = {
          note: this.render(step.note),
          assigneeId: step.assigneeId,
          teamId: step.teamId,
          flowId: this.flow.flowId,
          runId: state.runId,
          variables,
        };
        this.trace(step, { variables });
        return { wait: true, state: this.end("handed_off", step.id) };
      }
      case "wait": {
        const deadline =
          step.mode === "delay"
            ? new Date(context.now.getTime() + step.seconds * 1000)
            : nextTimeOfDay(context.now, step.time, context.timeZone);
        state.wait = "delay";
        state.deadline = deadline.toISOString();
        effects.deadline = deadline;
        this.trace(step, { until: state.deadline });
        return { wait: true, state: this.moved() };
      }
      case "goto_flow":
        effects.startFlow = { flowId: step.flowId };
        this.trace(step, { flowId: step.flowId });
        return { wait: true, state: this.end("replaced", step.id) };
      case "end":
        this.trace(step, {});
        return { wait: true, state: this.end("completed", step.id) };
    }
  }

  /** Asks (again): the question, with its options; waits for the answer until the timeout. */
  private enterAsk(step: TStepOf<"ask">, attempts: number, why: "retry" | "resumed" | null): TFlowState {
    const { effects, context, state } = this;
    const body = this.render(step.text);
    if (why === "retry" && step.retryText) {
      const retry = this.render(step.retryText);
      if (retry) effects.replies.push({ body: retry, stepId: step.id });
    }
    if (step.choices) {
      const content = choiceContent(body, step.choices);
      effects.replies.push({ body: textOf(content), content, stepId: step.id });
    } else if (body) effects.replies.push({ body, stepId: step.id });
    state.stepId = step.id;
    state.wait = "answer";
    state.attempts = attempts;
    state.deadline =
      step.timeoutSeconds !== null ? new Date(context.now.getTime() + step.timeoutSeconds * 1000).toISOString() : null;
    if (state.deadline) effects.deadline = new Date(state.deadline);
    if (why !== "retry") this.trace(step, { asked: true, ...(why ? { [why]: true } : {}) });
    return this.moved();
  }

  private answer(step: TStepOf<"ask">, input: Extract<TFlowInput, { kind: "message" }>): TFlowState | null {
    const { state } = this;
    const verdict = validateAnswer(step, input, this.context);
    if (!verdict.ok) {
      const attempts = state.attempts + 1;
      this.trace(step, { invalid: excerpt(input.text), attempt: attempts, reason: verdict.reason });
      if (attempts >= step.maxAttempts) {
        this.trace(step, { gaveUp: true });
        return this.runFrom(step.onInvalid, "invalid");
      }
      return this.enterAsk(step, attempts, "retry");
    }
    state.vars[step.variable] = verdict.value;
    if (verdict.title !== undefined) state.vars[`${step.variable}_title`] = verdict.title;
    state.attempts = 0;
    this.trace(step, { answer: verdict.value, ...(verdict.title !== undefined ? { title: verdict.title } : {}) });
    const routed = verdict.optionId ? step.routes[verdict.optionId] : undefined;
    return this.runFrom(routed ?? step.next);
  }

  private httpAnswered(step: TStepOf<"http">, input: Extract<TFlowInput, { kind: "http" }>): TFlowState | null {
    const { state } = this;
    const mapped: Record<string, TFlowValue> = {};
    for (const { variable, path } of step.map) {
      const value = valueAtPath(input.body, path);
      state.vars[variable] = value;
      mapped[variable] = value;
    }
    if (step.statusVariable) state.vars[step.statusVariable] = input.status;
    const ok = input.error === null && input.status >= 200 && input.status < 300;
    this.trace(step, {
      status: input.status,
      ...(input.error ? { error: input.error } : {}),
      mapped,
      response: responseExcerpt(input.body),
    });
    return this.runFrom(ok ? step.next : (step.onError ?? step.next), ok ? undefined : "error");
  }

  /** The state after a move that waits: a new token, so jobs of the old one do nothing. */
  private moved(): TFlowState {
    this.state.token += 1;
    return this.state;
  }

  private end(outcome: TFlowRunOutcome, stepId: string | null, detail: Record<string, unknown> = {}): null {
    this.effects.ended = { outcome, stepId, variables: { ...this.state.vars } };
    if (Object.keys(detail).length > 0 && stepId) {
      const step = this.flow.steps.get(stepId);
      this.effects.trace.push({ stepId, stepType: step?.type ?? "unknown", detail: { ...detail, ended: outcome } });
    }
    this.effects.deadline = null;
    this.effects.http = null;
    return null;
  }

  private trace(step: TFlowStep, detail: Record<string, unknown>) {
    this.effects.trace.push({ stepId: step.id, stepType: step.type, detail });
  }

  /** The rules' facts, the flow's variables (`var.x`) and the contact's fields (`field.x`). */
  private facts(): TFacts {
    const facts: Record<string, unknown> = { ...this.context.facts };
    for (const [key, value] of Object.entries(this.state.vars)) facts[`var.${key}`] = value;
    for (const [key, value] of Object.entries(this.context.fields)) facts[`field.${key}`] = value;
    for (const [key, value] of Object.entries(this.effects.fields)) facts[`field.${key}`] = value;
    return facts as TFacts;
  }

  render(template: string): string {
    return renderWith(template, (name) => lookupVariable(name, this.state.vars, this.context, this.effects.fields));
  }

  /** The request as the trace shows it: secrets masked. */
  private describeRequest(step: TStepOf<"http">) {
    const masked = (text: string) =>
      renderWith(text, (name) =>
        name.startsWith("secrets.") ? "••••" : lookupVariable(name, this.state.vars, this.context, this.effects.fields),
      );
    return { method: step.method, url: masked(step.url) };
  }
}

/** A template variable's value: the reply variables, `var.x`, `field.x` (secrets are the HTTP step's). */
export function lookupVariable(
  name: string,
  vars: Readonly<Record<string, TFlowValue>>,
  context: Pick<TFlowContext, "template" | "fields">,
  fieldsSet: Readonly<Record<string, TFlowValue>> = {},
): string | null {
  if (name.startsWith("var.")) return stringOf(vars[name.slice(4)]);
  if (name.startsWith("field.")) {
    const key = name.slice(6);
    return stringOf(key in fieldsSet ? fieldsSet[key] : context.fields[key]);
  }
  return (context.template as Record<string, string | null | undefined>)[name] ?? null;
}

function stringOf(value: TFlowValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

/** Whether an answer fits the question, and the value stored. */
export function validateAnswer(
  step: TStepOf<"ask">,
  input: { text: string; content: TMessageContent },
  context: Pick<TFlowContext, "defaultCountry">,
): { ok: true; value: TFlowValue; title?: string; optionId?: string } | { ok: false; reason: string } {
  const { content } = input;
  const text = input.text.trim();
  const isText = content.kind === "text";
  switch (step.answer) {
    case "choice": {
      let chosen: Pick<TChoiceOption, "id" | "title"> | null = null;
      if (content.kind === "button_reply" || content.kind === "list_reply") {
        const option = step.choices?.options.find((candidate) => candidate.id === content.id);
        chosen = option ? { id: option.id, title: option.title } : null;
      } else if (isText && step.choices) {
        const option = matchChoice(
          step.choices.options.map((candidate) => ({ id: candidate.id, title: candidate.title })),
          text,
        );
        chosen = option;
      }
      return chosen
        ? { ok: true, value: chosen.id, title: chosen.title, optionId: chosen.id }
        : { ok: false, reason: "not_an_option" };
    }
    case "media":
      return isMediaKind(content.kind) ? { ok: true, value: content.kind } : { ok: false, reason: "not_media" };
    case "text":
      return isText && text ? { ok: true, value: text.slice(0, 1_000) } : { ok: false, reason: "empty" };
    case "number": {
      const value = isText ? parseNumber(text) : null;
      return value === null ? { ok: false, reason: "not_a_number" } : { ok: true, value };
    }
    case "email":
      return isText && EMAIL.test(text)
        ? { ok: true, value: text.toLowerCase() }
        : { ok: false, reason: "not_an_email" };
    case "phone": {
      if (!isText || !/\d/.test(text)) return { ok: false, reason: "not_a_phone" };
      const verdict = parsePhoneNumber(text, context.defaultCountry);
      return verdict.ok ? { ok: true, value: verdict.e164 } : { ok: false, reason: "not_a_phone" };
    }
    case "date": {
      const value = isText ? parseDate(text, context.defaultCountry) : null;
      return value ? { ok: true, value } : { ok: false, reason: "not_a_date" };
    }
  }
}

/** "12", "-3.5", "12,5", "1 234,5", "1,234.5" → a number; anything else → null. */
export function parseNumber(text: string): number | null {
  const compact = text.replace(/[\s\u00a0\u202f]/g, "");
  if (!/^[+-]?[\d.,]+$/.test(compact) || !/\d/.test(compact)) return null;
  let normalized = compact;
  const lastComma = compact.lastIndexOf(",");
  const lastDot = compact.lastIndexOf(".");
  if (lastComma >= 0 && lastDot >= 0) {
    // The later separator is the decimal one; the other groups thousands.
    normalized = lastComma > lastDot ? compact.replace(/\./g, "").replace(",", ".") : compact.replace(/,/g, "");
  } else if (lastComma >= 0) {
    // "1,234" (thousands) when exactly three digits follow one comma; else a decimal comma.
    normalized = /^[+-]?\d{1,3}(,\d{3})+$/.test(compact) ? compact.replace(/,/g, "") : compact.replace(",", ".");
  } else if (/^[+-]?\d{1,3}(\.\d{3}){2,}$/.test(compact)) normalized = compact.replace(/\./g, "");
  if ((normalized.match(/\./g) ?? []).length > 1) return null;
  const value = Number(normalized);
  return Number.isFinite(value) ? value : null;
}

/** YYYY-MM-DD, or D/M/YYYY (M/D/YYYY in the US), also with - or . → YYYY-MM-DD; else null. */
export function parseDate(text: string, defaultCountry: string): string | null {
  let year: number, month: number, day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (local) {
    const [a, b] = [Number(local[1]), Number(local[2])];
    year = Number(local[3]);
    [month, day] = defaultCountry.toUpperCase() === "US" ? [a, b] : [b, a];
  } else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** The value at `order.items.0.name` in a JSON answer, as a flow value (objects as JSON text, at most 1,000 characters). */
export function valueAtPath(body: unknown, path: string): TFlowValue {
  let current: unknown = body;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return null;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return null;
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return null;
  if (typeof current === "string") return current.slice(0, 1_000);
  if (typeof current === "number" || typeof current === "boolean") return current;
  return JSON.stringify(current).slice(0, 1_000);
}

function excerpt(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** What the trace keeps of an HTTP answer: at most 2,000 characters of it. */
function responseExcerpt(body: unknown): unknown {
  if (body === null || body === undefined) return null;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : body;
}

/** The next time the clock shows `time` (HH:MM) in `timeZone`, after `now` (today's if still ahead). */
export function nextTimeOfDay(now: Date, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const local = localTime(now, timeZone);
  const minutesNow = local.hour * 60 + local.minute;
  let ahead = hour * 60 + minute - minutesNow;
  if (ahead <= 0) ahead += 24 * 60;
  const target = new Date(now.getTime() + ahead * 60_000);
  target.setUTCSeconds(0, 0);
  // Across a daylight-saving change the local clock moved: correct by what it shows then.
  const shown = localTime(target, timeZone);
  const drift = shown.hour * 60 + shown.minute - (hour * 60 + minute);
  if (drift !== 0 && Math.abs(drift) <= 120) return new Date(target.getTime() - drift * 60_000);
  return target;
}
