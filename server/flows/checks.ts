import { domainText, serverText } from "~/server/i18n/domain";
import type { TLocale } from "~/server/i18n/locales";
import { transitionsOf, variablesReadBy, variablesSetBy, type TFlowDefinition, type TFlowStep } from "./definition";

export const FLOW_PROBLEM_CODES = [
  "noStart",
  "unreachable",
  "deadEnd",
  "branchDeadEnd",
  "invalidEnds",
  "timeoutEnds",
  "usedBeforeSet",
  "waitsForEver",
  "optionLeadsNowhere",
  "noOtherwise",
  "missingFlow",
  "unknownField",
  "missingFile",
] as const;
export type TFlowProblemCode = (typeof FLOW_PROBLEM_CODES)[number];

/**
 * One thing the checks found in a flow: an error blocks publishing, a warning does not.
 * `message` is the English text (catalogue key `flowChecks.<code>` with `values`);
 * `localizeProblem` renders it in another language.
 */
export type TFlowProblem = {
  severity: "error" | "warning";
  stepId: string | null;
  code: TFlowProblemCode;
  message: string;
  values: Record<string, string | number>;
};

/** What the checks know beyond the flow itself. */
export type TFlowCheckContext = {
  /** Flows that exist (a goto_flow step must lead to one). */
  flowIds: ReadonlySet<string>;
  /** Contact fields that exist, by key (a set step may write only these). */
  fieldKeys: ReadonlySet<string>;
  /** Files of the media library that exist; unchecked when absent. */
  assetIds?: ReadonlySet<string>;
};

function problem(
  severity: TFlowProblem["severity"],
  stepId: string | null,
  code: TFlowProblemCode,
  values: Record<string, string | number> = {},
): TFlowProblem {
  return { severity, stepId, code, values, message: domainText("en", serverText(`flowChecks.${code}`, values)) };
}

/** The problem's message in `locale`. */
export function localizeProblem(found: TFlowProblem, locale: TLocale): TFlowProblem {
  return { ...found, message: domainText(locale, serverText(`flowChecks.${found.code}`, found.values)) };
}

/** A step as people know it: its title, else its id. */
function nameOf(step: TFlowStep): string {
  return step.title.trim() || step.id;
}

/** The steps reachable from the start, by breadth-first walk over the transitions. */
function reachableFrom(start: string, byId: ReadonlyMap<string, TFlowStep>): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    for (const { target } of transitionsOf(byId.get(id)!)) if (target !== null) queue.push(target);
  }
  return seen;
}

/**
 * The variables a transition leaves set: a step's variables, except where the step failed to set
 * them (an ask's invalid answers or timeout sets nothing; an HTTP error sets only the status).
 */
function setAlong(step: TFlowStep, key: string): string[] {
  if (step.type === "ask" && (key === "onInvalid" || key === "onTimeout")) return [];
  if (step.type === "http" && key === "onError") return step.statusVariable ? [step.statusVariable] : [];
  return variablesSetBy(step);
}

/**
 * For each reachable step, the variables set on every path from the start to it (a forward
 * must-analysis: the intersection over predecessors, iterated to a fixed point).
 */
function definitelySet(
  start: string,
  byId: ReadonlyMap<string, TFlowStep>,
  reachable: ReadonlySet<string>,
): Map<string, Set<string> | null> {
  // null stands for "every variable" (not reached yet by the iteration: the top of the lattice).
  const entry = new Map<string, Set<string> | null>([...reachable].map((id) => [id, null]));
  entry.set(start, new Set());
  const work = [start];
  while (work.length > 0) {
    const id = work.shift()!;
    const step = byId.get(id)!;
    const here = entry.get(id)!;
    for (const { key, target } of transitionsOf(step)) {
      if (target === null || !reachable.has(target)) continue;
      const out = new Set([...(here ?? []), ...setAlong(step, key)]);
      const before = entry.get(target);
      const after = before === null || before === undefined ? out : new Set([...before].filter((v) => out.has(v)));
      if (before === null || before === undefined || after.size !== before.size) {
        entry.set(target, after);
        work.push(target);
      }
    }
  }
  return entry;
}

/**
 * The checks before publishing: errors (no start, a dead end, a menu option leading nowhere, a
 * flow or contact field or file that does not exist) block publishing; warnings (unreachable
 * steps, variables used before they are set, waits for ever, a branch without "otherwise", ends
 * on an invalid answer or a timeout) do not. Pure: the editor runs it as you draw.
 */
export function checkFlow(definition: TFlowDefinition, context: TFlowCheckContext): TFlowProblem[] {
  const problems: TFlowProblem[] = [];
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const start = definition.start !== null && byId.has(definition.start) ? definition.start : null;
  if (start === null) problems.push(problem("error", null, "noStart"));
  const reachable = start === null ? new Set<string>() : reachableFrom(start, byId);
  const setAt = start === null ? new Map<string, Set<string> | null>() : definitelySet(start, byId, reachable);

  for (const step of definition.steps) {
    const name = nameOf(step);
    if (start !== null && !reachable.has(step.id))
      problems.push(problem("warning", step.id, "unreachable", { step: name }));

    switch (step.type) {
      case "ask": {
        const options = step.choices?.options ?? [];
        if (step.answer === "choice") {
          for (const option of options)
            if (!step.routes[option.id] && step.next === null)
              problems.push(problem("error", step.id, "optionLeadsNowhere", { step: name, option: option.title }));
        } else if (step.next === null) problems.push(problem("error", step.id, "deadEnd", { step: name }));
        if (step.onInvalid === null)
          problems.push(problem("warning", step.id, "invalidEnds", { step: name, attempts: step.maxAttempts }));
        if (step.timeoutSeconds === null) problems.push(problem("warning", step.id, "waitsForEver", { step: name }));
        else if (step.onTimeout === null) problems.push(problem("warning", step.id, "timeoutEnds", { step: name }));
        break;
      }
      case "branch":
        for (const [index, branch] of step.branches.entries())
          if (branch.next === null)
            problems.push(
              problem("error", step.id, "branchDeadEnd", {
                step: name,
                branch: branch.label.trim() || String(index + 1),
              }),
            );
        if (step.otherwise === null) problems.push(problem("warning", step.id, "noOtherwise", { step: name }));
        break;
      case "send":
      case "set":
      case "http":
      case "ai_reply":
      case "tag":
      case "wait":
        if (step.next === null) problems.push(problem("error", step.id, "deadEnd", { step: name }));
        break;
      case "goto_flow":
        if (!context.flowIds.has(step.flowId)) problems.push(problem("error", step.id, "missingFlow", { step: name }));
        break;
      case "handoff":
      case "end":
        break;
    }
    if (step.type === "set")
      for (const assignment of step.assignments)
        if (assignment.target === "field" && !context.fieldKeys.has(assignment.name))
          problems.push(problem("error", step.id, "unknownField", { step: name, field: assignment.name }));
    if (step.type === "send" && step.mediaAssetId && context.assetIds && !context.assetIds.has(step.mediaAssetId))
      problems.push(problem("error", step.id, "missingFile", { step: name }));

    const known = setAt.get(step.id);
    if (known !== undefined && known !== null)
      for (const variable of variablesReadBy(step))
        if (!known.has(variable)) problems.push(problem("warning", step.id, "usedBeforeSet", { step: name, variable }));
  }
  return problems;
}

/** Whether any problem blocks publishing. */
export function hasBlockingProblems(problems: readonly TFlowProblem[]): boolean {
  return problems.some((found) => found.severity === "error");
}
