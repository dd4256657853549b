"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { TraceSteps, VariableList, outcomeTone, useFlowRunLabels } from "~/components/flow-runs/trace-steps";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";

/**
 * The conversation's flow, folded under the thread's header: the flow running now (what it
 * waits for, the variables it collected, so the person who got a hand-off sees them) and the
 * last runs with their steps (answers, branches, HTTP calls with status, mapped values and the
 * answer's excerpt). Nothing shows for a conversation no flow ever ran in. Live: the thread's
 * events refetch it.
 */
export function FlowTrace({ threadId }: { threadId: string }) {
  const trpc = useTRPC();
  const { t, outcome, trigger, time } = useFlowRunLabels();
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const flows = useQuery(trpc.flowRuns.ofConversation.queryOptions({ threadId }));
  useLiveInvalidation((event) =>
    event.threadId === threadId && (event.type.startsWith("thread.") || event.type.startsWith("message."))
      ? [trpc.flowRuns.ofConversation.queryKey({ threadId })]
      : [],
  );

  if (flows.error) {
    return (
      <div className="border-b border-border px-4 py-2">
        <Alert tone="error">{describeError(flows.error).message}</Alert>
      </div>
    );
  }
  const data = flows.data;
  if (!data || (!data.active && data.runs.length === 0)) return null;
  const { active } = data;
  const waits = active
    ? active.wait === "answer"
      ? active.deadline
        ? t("wait.answerUntil", { time: time(active.deadline) })
        : t("wait.answer")
      : active.wait === "delay"
        ? t("wait.delay", { time: active.deadline ? time(active.deadline) : "–" })
        : t("wait.http")
    : null;

  return (
    <section className="border-b border-border" aria-label={t("trace.title")}>
      <button
        type="button"
        className="flex w-full flex-wrap items-center gap-2 px-4 py-2 text-left text-sm hover:bg-muted focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-primary"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span aria-hidden className="text-xs">
          {open ? "▾" : "▸"}
        </span>
        <span className="font-semibold">{t("trace.title")}</span>
        {active ? (
          <>
            <span className="min-w-0 truncate" translate="no">
              {active.name}
            </span>
            <Badge tone={active.paused ? "warning" : "primary"}>
              {active.paused ? t("trace.paused") : t("outcome.running")}
            </Badge>
          </>
        ) : data.runs[0] ? (
          <>
            <span className="min-w-0 truncate" translate="no">
              {data.runs[0].name ?? t("trace.deletedFlow")}
            </span>
            <Badge tone={outcomeTone(data.runs[0].outcome)}>{outcome(data.runs[0].outcome)}</Badge>
          </>
        ) : null}
        <span className="sr-only">{open ? t("trace.hide") : t("trace.show")}</span>
      </button>
      {open ? (
        <div id={panelId} className="max-h-[50dvh] space-y-4 overflow-y-auto px-4 pb-4">
          {active ? (
            <div className="space-y-2 rounded-md border border-primary/40 bg-primary/5 p-3">
              <p className="text-sm font-medium">
                {t("trace.activeNow", { name: active.name, version: active.version })}
              </p>
              <p className="text-sm text-muted-foreground">
                {t("trace.atStep", { step: active.stepId })} · {waits}
              </p>
              {active.paused ? <p className="text-sm text-muted-foreground">{t("trace.paused")}</p> : null}
              <h4 className="text-sm font-semibold">{t("trace.collected")}</h4>
              <VariableList variables={active.variables} empty={t("trace.nothingCollected")} />
            </div>
          ) : null}
          <div>
            <h4 className="mb-2 text-sm font-semibold">{t("trace.runs")}</h4>
            {data.runs.length === 0 ? <p className="text-sm text-muted-foreground">{t("trace.noRuns")}</p> : null}
            <ul className="space-y-2">
              {data.runs.map((run) => (
                <li key={run.id}>
                  <details className="rounded-md border border-border" open={run.id === data.runs[0]?.id}>
                    <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-3 py-2 text-sm">
                      <span className="font-medium" translate="no">
                        {t("trace.run", { name: run.name ?? t("trace.deletedFlow"), version: run.version })}
                      </span>
                      <Badge tone={outcomeTone(run.outcome)}>{outcome(run.outcome)}</Badge>
                      <span className="text-xs text-muted-foreground">
                        {t("trace.started", { trigger: trigger(run.trigger), time: time(run.startedAt) })}
                      </span>
                    </summary>
                    <div className="space-y-3 border-t border-border p-3">
                      <div>
                        <h5 className="mb-1 text-xs font-semibold uppercase text-muted-foreground">
                          {t("trace.variables")}
                        </h5>
                        <VariableList variables={run.variables} empty={t("trace.nothingCollected")} />
                      </div>
                      <div>
                        <h5 className="mb-1 text-xs font-semibold uppercase text-muted-foreground">
                          {t("trace.steps", { count: run.steps.length })}
                        </h5>
                        {run.steps.length === 0 ? (
                          <p className="text-sm text-muted-foreground">{t("trace.noSteps")}</p>
                        ) : (
                          <TraceSteps
                            steps={run.steps.map((step) => ({ ...step, key: step.id }))}
                            currentStepId={active && active.runId === run.id ? active.stepId : null}
                          />
                        )}
                      </div>
                    </div>
                  </details>
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
    </section>
  );
}
