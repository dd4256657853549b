import { slugOfTitle } from "~/server/rules/schema";
import { newStepId, type TFlowDefinition, type TFlowStep, type TFlowStepType } from "~/server/flows/definition";

/**
 * The canvas's view of a flow definition, and the edits drawn on it: pure functions over the
 * definition, so the editor's state stays the definition itself (what is saved and checked).
 */

/** One way out of a step: a source handle on the canvas (`next`, `branch:<id>`, `route:<option>`…). */
export type THandle = { key: string; target: string | null; label: string | null };

/**
 * Every handle a step has, connected or not (unlike `transitionsOf`, which lists a menu option
 * only once it has a route). `label` is the branch's label or the option's title; the fixed keys
 * are worded by the caller.
 */
export function handlesOf(step: TFlowStep): THandle[] {
  switch (step.type) {
    case "send":
    case "set":
    case "ai_reply":
    case "tag":
    case "wait":
      return [{ key: "next", target: step.next, label: null }];
    case "ask":
      return [
        ...(step.choices?.options ?? []).map((option) => ({
          key: `route:${option.id}`,
          target: step.routes[option.id] ?? null,
          label: option.title,
        })),
        { key: "next", target: step.next, label: null },
        { key: "onInvalid", target: step.onInvalid, label: null },
        ...(step.timeoutSeconds !== null ? [{ key: "onTimeout", target: step.onTimeout, label: null }] : []),
      ];
    case "branch":
      return [
        ...step.branches.map((branch, index) => ({
          key: `branch:${branch.id}`,
          target: branch.next,
          label: branch.label || String(index + 1),
        })),
        { key: "otherwise", target: step.otherwise, label: null },
      ];
    case "http":
      return [
        { key: "next", target: step.next, label: null },
        { key: "onError", target: step.onError, label: null },
      ];
    case "handoff":
    case "goto_flow":
    case "end":
      return [];
  }
}

/** The step with the handle `key` pointing at `target` (null: disconnected). */
export function withTarget(step: TFlowStep, key: string, target: string | null): TFlowStep {
  if (key.startsWith("route:") && step.type === "ask") {
    const option = key.slice("route:".length);
    const routes = { ...step.routes };
    if (target === null) delete routes[option];
    else routes[option] = target;
    return { ...step, routes };
  }
  if (key.startsWith("branch:") && step.type === "branch") {
    const id = key.slice("branch:".length);
    return {
      ...step,
      branches: step.branches.map((branch) => (branch.id === id ? { ...branch, next: target } : branch)),
    };
  }
  if (key in step) return { ...step, [key]: target };
  return step;
}

/** Connects (or, with null, disconnects) a handle of a step. */
export function connect(
  definition: TFlowDefinition,
  source: string,
  key: string,
  target: string | null,
): TFlowDefinition {
  return {
    ...definition,
    steps: definition.steps.map((step) => (step.id === source ? withTarget(step, key, target) : step)),
  };
}

/** Removes steps and every transition into them (the schema refuses a transition to a missing step). */
export function removeSteps(definition: TFlowDefinition, ids: ReadonlySet<string>): TFlowDefinition {
  const steps = definition.steps
    .filter((step) => !ids.has(step.id))
    .map((step) =>
      handlesOf(step).reduce(
        (current, handle) =>
          handle.target !== null && ids.has(handle.target) ? withTarget(current, handle.key, null) : current,
        step,
      ),
    );
  return { start: definition.start !== null && ids.has(definition.start) ? null : definition.start, steps };
}

/** A new step of a type with its defaults, under an id no step has. */
export function newStep(
  type: TFlowStepType,
  taken: ReadonlySet<string>,
  position: { x: number; y: number },
): TFlowStep {
  const common = { id: newStepId(type.replace("_", "-"), taken), title: "", position };
  switch (type) {
    case "send":
      return { ...common, type, text: "", mediaAssetId: null, next: null };
    case "ask":
      return {
        ...common,
        type,
        text: "",
        answer: "text",
        choices: null,
        routes: {},
        variable: "answer",
        retryText: "",
        maxAttempts: 3,
        timeoutSeconds: null,
        next: null,
        onInvalid: null,
        onTimeout: null,
      };
    case "set":
      return { ...common, type, assignments: [{ target: "variable", name: "", value: "" }], next: null };
    case "branch":
      return {
        ...common,
        type,
        branches: [{ id: "b1", label: "", conditions: { all: [] }, next: null }],
        otherwise: null,
      };
    case "http":
      return {
        ...common,
        type,
        method: "GET",
        url: "",
        headers: [],
        body: "",
        timeoutMs: 10_000,
        map: [],
        statusVariable: null,
        next: null,
        onError: null,
      };
    case "ai_reply":
      return { ...common, type, profileId: null, next: null };
    case "tag":
      return { ...common, type, add: [], remove: [], next: null };
    case "handoff":
      return { ...common, type, note: "", assigneeId: null, teamId: null };
    case "wait":
      return { ...common, type, mode: "delay", seconds: 60, time: "09:00", next: null };
    case "goto_flow":
      return { ...common, type, flowId: "" };
    case "end":
      return { ...common, type };
  }
}

/** Adds a step; the first step of a flow becomes its start. */
export function addStep(
  definition: TFlowDefinition,
  type: TFlowStepType,
  position: { x: number; y: number },
): { definition: TFlowDefinition; id: string } {
  const step = newStep(type, new Set(definition.steps.map((existing) => existing.id)), position);
  return {
    definition: { start: definition.start ?? step.id, steps: [...definition.steps, step] },
    id: step.id,
  };
}

/**
 * A choice ask's options with ids made from their titles (unique within the step), and its
 * routes following each option to its new id: the id is what the answer variable holds.
 */
export function renameOptions(
  step: Extract<TFlowStep, { type: "ask" }>,
  titles: string[],
  style: "buttons" | "list",
): Extract<TFlowStep, { type: "ask" }> {
  const old = step.choices?.options ?? [];
  const taken = new Set<string>();
  const options = titles.map((title, index) => {
    const base = slugOfTitle(title) || `option-${index + 1}`;
    let id = base;
    for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
    taken.add(id);
    const description = old[index]?.description;
    return description ? { id, title, description } : { id, title };
  });
  const routes: Record<string, string> = {};
  options.forEach((option, index) => {
    const before = old[index]?.id;
    const target = before ? step.routes[before] : undefined;
    if (target) routes[option.id] = target;
  });
  return {
    ...step,
    choices:
      titles.length > 0 ? { style, ...(step.choices?.button ? { button: step.choices.button } : {}), options } : null,
    routes,
  };
}

/** Replaces one step (found by its id before the edit: an edit may rename it). */
export function replaceStep(definition: TFlowDefinition, id: string, step: TFlowStep): TFlowDefinition {
  return { ...definition, steps: definition.steps.map((existing) => (existing.id === id ? step : existing)) };
}
