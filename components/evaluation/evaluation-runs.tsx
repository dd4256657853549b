"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import type { TEvalChange, TEvalResult } from "~/server/ai/evaluation";

/** How often the page looks at a running evaluation. */
const PROGRESS_MS = 1_000;

type TRunSummary = {
  id: string;
  status: "running" | "done" | "failed";
  total: number;
  passed: number;
  score: number | null;
  answered: number;
  startedAt: Date;
  startedByName: string | null;
  error: string | null;
};

/** "Run evaluation", the progress of a running one, the history, one run's answers, two runs compared. */
export function EvaluationRuns({
  profileId,
  canWrite,
  questionCount,
}: {
  profileId: string;
  canWrite: boolean;
  questionCount: number;
}) {
  const t = useTranslations("domain.evaluation.ui");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runs = useQuery(
    trpc.evaluation.runs.queryOptions(
      { profileId },
      {
        refetchInterval: (query) => (query.state.data?.some((run) => run.status === "running") ? PROGRESS_MS : false),
      },
    ),
  );
  const start = useMutation(
    trpc.evaluation.start.mutationOptions({
      onSuccess: async (run) => {
        setViewing(run.id);
        setPicked([]);
        await queryClient.invalidateQueries({ queryKey: trpc.evaluation.runs.pathKey() });
      },
    }),
  );
  const [viewing, setViewing] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [comparing, setComparing] = useState<{ a: string; b: string } | null>(null);
  const list: TRunSummary[] = runs.data ?? [];
  const running = list.find((run) => run.status === "running");
  const scoreText = (run: TRunSummary) => (run.score === null ? "—" : format.number(run.score, "percent"));
  const pick = (id: string, on: boolean) =>
    setPicked((current) =>
      on ? [...current.filter((other) => other !== id), id].slice(-2) : current.filter((other) => other !== id),
    );
  const compare = () => {
    // The older run on the left (A), the newer on the right (B).
    const [a, b] = [...picked].sort(
      (x, y) =>
        (list.find((run) => run.id === x)?.startedAt.getTime() ?? 0) -
        (list.find((run) => run.id === y)?.startedAt.getTime() ?? 0),
    );
    if (a && b) {
      setComparing({ a, b });
      setViewing(null);
    }
  };
  return (
    <section className="flex flex-col gap-3" aria-label={t("runsHeading")}>
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-medium">{t("runsHeading")}</h3>
        {canWrite ? (
          <Button
            size="sm"
            className="ml-auto"
            disabled={start.isPending || running !== undefined || questionCount === 0}
            onClick={() => start.mutate({ profileId })}
          >
            {t("run")}
          </Button>
        ) : null}
      </div>
      {start.error ? <Alert tone="error">{describeError(start.error).message}</Alert> : null}
      {running ? (
        <div role="status" className="flex flex-col gap-1 text-sm">
          <span>{t("progress", { answered: running.answered, total: running.total })}</span>
          <progress className="h-2 w-full" max={running.total} value={running.answered} />
        </div>
      ) : null}
      {runs.error ? <Alert tone="error">{describeError(runs.error).message}</Alert> : null}
      <Table>
        <thead>
          <tr>
            <Th>
              <span className="sr-only">{t("pickColumn")}</span>
            </Th>
            <Th>{t("when")}</Th>
            <Th>{t("who")}</Th>
            <Th>{t("score")}</Th>
            <Th>{t("passedColumn")}</Th>
            <Th>
              <span className="sr-only">{t("actions")}</span>
            </Th>
          </tr>
        </thead>
        <tbody>
          {list.length === 0 ? <EmptyRow colSpan={6}>{t("noRuns")}</EmptyRow> : null}
          {list.map((run) => {
            const when = format.dateTime(run.startedAt, "short");
            return (
              <tr key={run.id} className={cn(viewing === run.id && "bg-muted")}>
                <Td>
                  <input
                    type="checkbox"
                    aria-label={t("pick", { when })}
                    checked={picked.includes(run.id)}
                    disabled={run.status === "running"}
                    onChange={(event) => pick(run.id, event.target.checked)}
                  />
                </Td>
                <Td className="whitespace-nowrap">{when}</Td>
                <Td translate="no">{run.startedByName ?? "—"}</Td>
                <Td>
                  {run.status === "running" ? (
                    <Badge tone="primary">{t("running")}</Badge>
                  ) : run.status === "failed" ? (
                    <Badge
                      tone="danger"
                      title={run.error === "interrupted" ? t("interrupted") : (run.error ?? undefined)}
                    >
                      {t("failedRun")}
                    </Badge>
                  ) : (
                    <span className="font-medium" data-testid="eval-score">
                      {scoreText(run)}
                    </span>
                  )}
                </Td>
                <Td className="whitespace-nowrap">{t("passedOf", { passed: run.passed, total: run.total })}</Td>
                <Td>
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => {
                      setViewing(viewing === run.id ? null : run.id);
                      setComparing(null);
                    }}
                  >
                    {t("view")}
                  </Button>
                </Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {list.length > 1 ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-muted-foreground">{t("pickTwo")}</span>
          <Button size="sm" variant="secondary" disabled={picked.length !== 2} onClick={compare}>
            {t("compare")}
          </Button>
        </div>
      ) : null}
      {viewing ? <RunDetail runId={viewing} /> : null}
      {comparing ? <RunComparison a={comparing.a} b={comparing.b} /> : null}
    </section>
  );
}

/** A question's outcome in a run, as a badge. */
function Outcome({ result }: { result: TEvalResult | null }) {
  const t = useTranslations("domain.evaluation.ui");
  if (!result) return <Badge>{t("absent")}</Badge>;
  if (result.state !== "done") return <Badge>{t("pending")}</Badge>;
  return result.passed ? <Badge tone="success">{t("passed")}</Badge> : <Badge tone="danger">{t("failed")}</Badge>;
}

/** Why a question failed (or what it met): facts missing, forbidden text found, the hand-off, the error. */
function ResultChecks({ result }: { result: TEvalResult }) {
  const t = useTranslations("domain.evaluation.ui");
  const format = useFormatter();
  if (result.state !== "done") return null;
  return (
    <ul className="mt-1 flex flex-col gap-0.5 text-xs text-muted-foreground">
      {result.factsMissing.length > 0 ? (
        <li>
          {t("factsMissing")} <span translate="no">{result.factsMissing.join(" · ")}</span>
        </li>
      ) : null}
      {result.factsFound.length > 0 ? (
        <li>
          {t("factsFound")} <span translate="no">{result.factsFound.join(" · ")}</span>
        </li>
      ) : null}
      {result.forbiddenFound.length > 0 ? (
        <li>
          {t("forbiddenFound")} <span translate="no">{result.forbiddenFound.join(" · ")}</span>
        </li>
      ) : null}
      <li>
        {result.handedOff ? t("handedOff") : t("answered")}
        {result.handedOff !== result.expectHandoff
          ? ` — ${result.expectHandoff ? t("expectedHandoff") : t("expectedAnswer")}`
          : ""}
        {result.latencyMs !== null ? ` · ${t("latency", { ms: format.number(result.latencyMs, "integer") })}` : ""}
      </li>
      {result.passages?.length ? (
        <li>
          {t("passages")}{" "}
          <span translate="no">
            {result.passages.map((passage) => (passage.cited ? `${passage.title} ✓` : passage.title)).join(" · ")}
          </span>
        </li>
      ) : null}
      {result.error ? <li className="text-destructive">{t("error", { error: result.error })}</li> : null}
    </ul>
  );
}

function Answer({ result }: { result: TEvalResult | null }) {
  if (!result || result.answer === null) return null;
  return (
    <p className="mt-1 rounded bg-muted px-2 py-1 text-sm break-words whitespace-pre-wrap" translate="no">
      {result.answer}
    </p>
  );
}

/** One run: each question with its answer and checks. */
function RunDetail({ runId }: { runId: string }) {
  const t = useTranslations("domain.evaluation.ui");
  const format = useFormatter();
  const trpc = useTRPC();
  const run = useQuery(
    trpc.evaluation.run.queryOptions(
      { id: runId },
      { refetchInterval: (query) => (query.state.data?.status === "running" ? PROGRESS_MS : false) },
    ),
  );
  if (run.error) return <Alert tone="error">{describeError(run.error).message}</Alert>;
  if (!run.data) return null;
  return (
    <div className="flex flex-col gap-2" role="group" aria-label={t("runLabel")}>
      <h4 className="text-sm font-medium">
        {t("runTitle", {
          when: format.dateTime(run.data.startedAt, "short"),
          score: run.data.score === null ? "—" : format.number(run.data.score, "percent"),
        })}
      </h4>
      {run.data.status === "failed" ? (
        <Alert tone="error">
          {run.data.error === "interrupted" ? t("interrupted") : t("runFailed", { error: run.data.error ?? "" })}
        </Alert>
      ) : null}
      <ol className="flex flex-col gap-2">
        {run.data.results.map((result) => (
          <li key={result.questionId} className="rounded-md border border-border px-3 py-2 text-sm">
            <div className="flex flex-wrap items-start gap-2">
              <Outcome result={result} />
              <span className="min-w-0 flex-1 font-medium [overflow-wrap:anywhere]" translate="no">
                {result.question}
              </span>
            </div>
            <Answer result={result} />
            <ResultChecks result={result} />
          </li>
        ))}
      </ol>
    </div>
  );
}

const CHANGE_TONE: Record<TEvalChange, string> = {
  broke: "border-destructive/60 bg-destructive/10",
  fixed: "border-success/60 bg-success/10",
  same: "border-border",
  only_a: "border-border",
  only_b: "border-border",
};

/** Two runs side by side: per question its outcome and answer in each, changed questions marked. */
function RunComparison({ a, b }: { a: string; b: string }) {
  const t = useTranslations("domain.evaluation.ui");
  const format = useFormatter();
  const trpc = useTRPC();
  const comparison = useQuery(trpc.evaluation.compare.queryOptions({ a, b }));
  if (comparison.error) return <Alert tone="error">{describeError(comparison.error).message}</Alert>;
  if (!comparison.data) return null;
  const { rows } = comparison.data;
  const heading = (run: typeof comparison.data.a) =>
    t("runColumn", {
      when: format.dateTime(run.startedAt, "short"),
      score: run.score === null ? "—" : format.number(run.score, "percent"),
    });
  const broke = rows.filter((row) => row.change === "broke").length;
  const fixed = rows.filter((row) => row.change === "fixed").length;
  return (
    <div className="flex flex-col gap-2" role="group" aria-label={t("comparisonLabel")}>
      <h4 className="text-sm font-medium">{t("comparisonTitle")}</h4>
      <p className="text-sm" role="status">
        {t("comparisonSummary", { broke, fixed })}
      </p>
      <div className="hidden gap-2 text-xs font-medium text-muted-foreground sm:grid sm:grid-cols-2">
        <span>A · {heading(comparison.data.a)}</span>
        <span>B · {heading(comparison.data.b)}</span>
      </div>
      <ol className="flex flex-col gap-2">
        {rows.map((row) => (
          <li
            key={row.questionId}
            className={cn("rounded-md border px-3 py-2 text-sm", CHANGE_TONE[row.change])}
            data-change={row.change}
          >
            <div className="flex flex-wrap items-center gap-2">
              <span className="min-w-0 flex-1 font-medium [overflow-wrap:anywhere]" translate="no">
                {row.question}
              </span>
              {row.change === "broke" ? <Badge tone="danger">{t("changeBroke")}</Badge> : null}
              {row.change === "fixed" ? <Badge tone="success">{t("changeFixed")}</Badge> : null}
            </div>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {(["a", "b"] as const).map((side) => (
                <div key={side} className="min-w-0">
                  <div className="flex items-center gap-2 text-xs">
                    <span className="font-medium text-muted-foreground sm:sr-only">
                      {side.toUpperCase()} · {heading(comparison.data[side])}
                    </span>
                    <Outcome result={row[side]} />
                  </div>
                  <Answer result={row[side]} />
                  {row[side] ? <ResultChecks result={row[side]} /> : null}
                </div>
              ))}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
