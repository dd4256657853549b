"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Select } from "~/components/ui/input";
import { useAnalyticsFormat } from "./use-analytics-format";

/**
 * The Analytics page's Flows section: pick a flow and a version (all by default); the runs
 * started in the page's range, how they ended, the completion rate and the median time to
 * complete, and the funnel as bars per step (the flow's order) with the share lost since the
 * step before.
 */
export function FlowsSection({ range }: { range: { from: string; to: string; sessionId: string | null } }) {
  const t = useTranslations("flowRuns.analytics");
  const tc = useTranslations("common");
  const fmt = useAnalyticsFormat();
  const trpc = useTRPC();
  const ids = useId();
  const flows = useQuery(trpc.flowRuns.analyticsFlows.queryOptions());
  const [picked, setPicked] = useState<string | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const flowId = picked ?? flows.data?.[0]?.id ?? null;
  const analytics = useQuery({
    ...trpc.flowRuns.analytics.queryOptions({ flowId: flowId ?? "", version, ...range }),
    enabled: flowId !== null,
    placeholderData: keepPreviousData,
  });
  const data = analytics.data;
  const figures = data
    ? ([
        ["starts", fmt.count(data.starts)],
        ["completions", fmt.count(data.completions)],
        ["completionRate", fmt.rate(data.completionRate)],
        [
          "medianTime",
          fmt.duration(data.medianSecondsToComplete === null ? null : data.medianSecondsToComplete * 1_000),
        ],
        ["handoffs", fmt.count(data.handoffs)],
        ["stopped", fmt.count(data.stopped)],
        ["failed", fmt.count(data.failed)],
        ["running", fmt.count(data.running)],
      ] as const)
    : [];
  const most = Math.max(1, ...(data?.funnel.map((step) => step.reached) ?? []));

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-4">
        {flows.error || analytics.error ? (
          <Alert tone="error">{describeError((flows.error ?? analytics.error)!).message}</Alert>
        ) : null}
        {flows.data && flows.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t("noFlows")}</p>
        ) : (
          <div className="grid gap-3 sm:grid-cols-2 lg:max-w-2xl">
            <Field label={t("flow")} htmlFor={`${ids}-flow`}>
              <Select
                id={`${ids}-flow`}
                value={flowId ?? ""}
                onChange={(event) => {
                  setPicked(event.target.value);
                  setVersion(null);
                }}
              >
                {(flows.data ?? []).map((flow) => (
                  <option key={flow.id} value={flow.id} translate="no">
                    {flow.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t("version")} htmlFor={`${ids}-version`}>
              <Select
                id={`${ids}-version`}
                value={version === null ? "" : String(version)}
                onChange={(event) => setVersion(event.target.value ? Number(event.target.value) : null)}
              >
                <option value="">{t("allVersions")}</option>
                {(data?.versions ?? []).map((entry) => (
                  <option key={entry.version} value={entry.version}>
                    {t("versionN", { version: entry.version })}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
        )}
        {flowId && !data ? <p className="text-sm text-muted-foreground">{tc("loading")}</p> : null}
        {data ? (
          <div aria-busy={analytics.isPlaceholderData} className={analytics.isPlaceholderData ? "opacity-60" : ""}>
            <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              {figures.map(([key, value]) => (
                <div key={key} className="rounded-md border border-border p-3">
                  <dt className="text-xs text-muted-foreground">{t(key)}</dt>
                  <dd className="mt-1 text-xl font-semibold tabular-nums">{value}</dd>
                </div>
              ))}
            </dl>
            <section className="mt-6" aria-labelledby={`${ids}-funnel`}>
              <h3 id={`${ids}-funnel`} className="font-semibold">
                {t("funnel")}
              </h3>
              <p className="mb-3 text-sm text-muted-foreground">{t("funnelDescription")}</p>
              {data.starts === 0 ? (
                <p className="rounded-md bg-muted px-4 py-6 text-center text-sm">{t("noRuns")}</p>
              ) : (
                <figure className="m-0">
                  <ol className="space-y-2">
                    {data.funnel.map((step) => (
                      <li
                        key={step.stepId}
                        className="grid gap-1 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)] sm:gap-3"
                      >
                        <div className="min-w-0 text-sm">
                          <span className="block truncate font-medium" translate="no">
                            {step.title || step.stepId}
                          </span>
                          {step.depth === null ? (
                            <span className="text-xs text-muted-foreground">{t("notInVersion")}</span>
                          ) : null}
                        </div>
                        <div className="flex min-w-0 items-center gap-2">
                          <div className="h-5 min-w-0 flex-1 rounded bg-muted" aria-hidden>
                            <div
                              className="h-5 rounded bg-primary"
                              style={{ width: `${(step.reached / most) * 100}%` }}
                            />
                          </div>
                          <span className="shrink-0 text-sm tabular-nums">{t("reached", { count: step.reached })}</span>
                          {step.dropOff !== null && step.dropOff > 0 ? (
                            <span className="shrink-0 text-xs text-muted-foreground tabular-nums">
                              {t("dropOff", { percent: fmt.rate(step.dropOff) })}
                            </span>
                          ) : null}
                        </div>
                      </li>
                    ))}
                  </ol>
                  <figcaption className="sr-only">
                    {t("summary", { starts: data.starts, steps: data.funnel.length })}
                  </figcaption>
                </figure>
              )}
            </section>
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
