"use client";

import { useFormatter, useTranslations } from "next-intl";
import { Badge } from "~/components/ui/badge";
import { cn } from "~/components/ui/cn";

/**
 * What a flow's trace entries say, in words, for the test panel and the Inbox: each step's
 * `detail` (server/flows/run.ts: asked, answered, not valid, the HTTP request and its answer,
 * the branch taken, the values set, the end) as one or more lines, and the HTTP answer's excerpt.
 */

export type TTraceStep = { key: string | number; stepId: string; stepType: string; detail: Record<string, unknown> };

const OUTCOMES = ["completed", "handed_off", "stopped", "replaced", "failed"] as const;
const TRIGGERS = ["keyword", "first_message", "rule", "api", "menu", "flow", "test"] as const;
const REASONS = ["not_an_option", "not_a_number", "not_an_email", "not_a_phone", "not_a_date", "not_media", "empty"];

/** A flow value or JSON as short text. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function pairs(values: unknown): string {
  if (!values || typeof values !== "object") return "";
  return Object.entries(values as Record<string, unknown>)
    .map(([name, value]) => `${name} = ${shownValue(value)}`)
    .join(", ");
}

/** The labels the flow-run views share. */
export function useFlowRunLabels() {
  const t = useTranslations("flowRuns");
  const format = useFormatter();
  const outcome = (value: string | null) =>
    value === null
      ? t("outcome.running")
      : (OUTCOMES as readonly string[]).includes(value)
        ? t(`outcome.${value as (typeof OUTCOMES)[number]}`)
        : value;
  const trigger = (value: string) =>
    (TRIGGERS as readonly string[]).includes(value)
      ? t(`trigger.${value as (typeof TRIGGERS)[number]}`)
      : t("trigger.other");
  const time = (value: string | Date) => format.dateTime(new Date(value), { dateStyle: "medium", timeStyle: "short" });
  const reason = (value: unknown) =>
    typeof value === "string" && REASONS.includes(value) ? t(`reason.${value as "empty"}`) : t("reason.other");

  /** The lines that say what happened at a step. */
  const describe = (step: Pick<TTraceStep, "stepType" | "detail">): string[] => {
    const d = step.detail;
    if (d.ended !== undefined && step.stepType === "end") {
      if (d.by === "contact") return [t("step.endedByContact")];
      if (d.by === "person" || d.by === "user") return [t("step.endedByPerson")];
      return [t("step.ended", { outcome: outcome(shownValue(d.ended)) })];
    }
    const lines: string[] = [];
    if (d.asked) lines.push(d.resumed ? t("step.askedAgain") : t("step.asked"));
    if ("answer" in d) lines.push(t("step.answered", { answer: shownValue(d.title ?? d.answer) }));
    if ("invalid" in d)
      lines.push(
        t("step.invalid", { reason: reason(d.reason), text: shownValue(d.invalid), attempt: shownValue(d.attempt) }),
      );
    if (d.gaveUp) lines.push(t("step.gaveUp"));
    if (d.timedOut) lines.push(t("step.timedOut"));
    if (d.waited) lines.push(t("step.waited"));
    if (typeof d.until === "string") lines.push(t("step.waitsUntil", { time: time(d.until) }));
    if (d.request && typeof d.request === "object") {
      const request = d.request as { method?: unknown; url?: unknown };
      lines.push(t("step.request", { method: shownValue(request.method), url: shownValue(request.url) }));
    }
    if ("status" in d) {
      if (d.error) lines.push(t("step.noAnswer", { error: shownValue(d.error) }));
      if (d.status !== 0) lines.push(t("step.status", { status: shownValue(d.status) }));
      const mapped = pairs(d.mapped);
      if (mapped) lines.push(t("step.mapped", { values: mapped }));
    }
    if ("branch" in d)
      lines.push(
        d.branch === "otherwise"
          ? t("step.otherwise")
          : t("step.branch", { branch: shownValue(typeof d.label === "string" && d.label ? d.label : d.branch) }),
      );
    if ("set" in d) {
      const set = pairs(d.set);
      if (set) lines.push(t("step.set", { values: set }));
      const refused = pairs(d.refused);
      if (refused) lines.push(t("step.refused", { values: refused }));
    }
    if (step.stepType === "handoff") lines.push(t("step.handoff"));
    if (step.stepType === "tag") {
      const add = Array.isArray(d.add) ? (d.add as unknown[]).map((tag) => `+${shownValue(tag)}`) : [];
      const remove = Array.isArray(d.remove) ? (d.remove as unknown[]).map((tag) => `−${shownValue(tag)}`) : [];
      lines.push(t("step.tags", { changes: [...add, ...remove].join(" ") }));
    }
    if (step.stepType === "send") lines.push(d.skipped ? t("step.skipped") : t("step.sent"));
    if (step.stepType === "ai_reply") lines.push(d.skipped ? t("step.skipped") : t("step.ai"));
    if (step.stepType === "goto_flow") lines.push(t("step.gotoFlow"));
    if (step.stepType === "end" && d.ended === undefined) lines.push(t("step.end"));
    if (d.ended !== undefined) lines.push(t("step.ended", { outcome: outcome(shownValue(d.ended)) }));
    return lines.length > 0 ? lines : [t("step.other")];
  };
  return { t, outcome, trigger, time, describe };
}

/** The tone of an outcome's badge. */
export function outcomeTone(outcome: string | null): "success" | "warning" | "danger" | "neutral" | "primary" {
  switch (outcome) {
    case "completed":
      return "success";
    case "handed_off":
      return "warning";
    case "failed":
      return "danger";
    case null:
      return "primary";
    default:
      return "neutral";
  }
}

/**
 * The steps a run took, in order: the step id, what happened there, and an HTTP answer's excerpt
 * (folded). `currentStepId` is highlighted; `onStep` makes each step id a button.
 */
export function TraceSteps({
  steps,
  currentStepId,
  onStep,
}: {
  steps: readonly TTraceStep[];
  currentStepId?: string | null;
  onStep?: (stepId: string) => void;
}) {
  const { t, describe } = useFlowRunLabels();
  return (
    <ol className="space-y-1.5 text-sm">
      {steps.map((step, index) => {
        const isCurrent = currentStepId === step.stepId && index === steps.length - 1;
        const response = "response" in step.detail ? step.detail.response : undefined;
        return (
          <li
            key={step.key}
            className={cn(
              "rounded-md border border-border px-2 py-1.5",
              isCurrent ? "border-primary bg-primary/10" : "bg-card",
            )}
            aria-current={isCurrent ? "step" : undefined}
          >
            <div className="flex flex-wrap items-center gap-2">
              {onStep ? (
                <button
                  type="button"
                  className="font-mono text-xs font-medium text-primary underline-offset-2 hover:underline"
                  onClick={() => onStep(step.stepId)}
                  aria-label={t("test.showStep", { step: step.stepId })}
                  translate="no"
                >
                  {step.stepId}
                </button>
              ) : (
                <code className="text-xs font-medium" translate="no">
                  {step.stepId}
                </code>
              )}
              {isCurrent ? <Badge tone="primary">{t("test.current")}</Badge> : null}
            </div>
            <ul className="mt-0.5 space-y-0.5 break-words text-muted-foreground [overflow-wrap:anywhere]">
              {describe(step).map((line, lineIndex) => (
                <li key={lineIndex}>{line}</li>
              ))}
            </ul>
            {response !== undefined && response !== null ? (
              <details className="mt-1">
                <summary className="cursor-pointer text-xs font-medium">{t("step.response")}</summary>
                <pre className="mt-1 max-h-48 overflow-auto rounded bg-muted p-2 text-xs whitespace-pre-wrap [overflow-wrap:anywhere]">
                  {typeof response === "string" ? response : JSON.stringify(response, null, 2)}
                </pre>
              </details>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Variables as a definition list (names and values are data: not translated). */
export function VariableList({ variables, empty }: { variables: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(variables);
  if (entries.length === 0) return <p className="text-sm text-muted-foreground">{empty}</p>;
  return (
    <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm" translate="no">
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="font-mono text-xs leading-5 text-muted-foreground">{name}</dt>
          <dd className="break-words [overflow-wrap:anywhere]">{shownValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
