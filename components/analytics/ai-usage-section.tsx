"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { useAnalyticsFormat } from "./use-analytics-format";

type TFigures = { calls: number; promptTokens: number; outputTokens: number; costMicros: number };

/**
 * The Analytics page's AI usage: token use and estimated cost per UTC day and per profile over
 * the page's range (server/ai/usage.ts), and today's spend against the daily budget.
 */
export function AiUsageSection({ range }: { range: { from: string; to: string; sessionId: string | null } }) {
  const t = useTranslations("domain.aiBudget.analytics");
  const tc = useTranslations("common");
  const fmt = useAnalyticsFormat();
  const format = useFormatter();
  const trpc = useTRPC();
  const usage = useQuery({ ...trpc.analytics.aiUsage.queryOptions(range), placeholderData: keepPreviousData });
  const usd = (micros: number) =>
    format.number(micros / 1_000_000, {
      style: "currency",
      currency: "USD",
      minimumFractionDigits: 2,
      maximumFractionDigits: micros > 0 && micros < 10_000 ? 4 : 2,
    });
  const data = usage.data;
  const budget = data?.budget;
  const headers = (first: string) => (
    <thead>
      <tr>
        <Th scope="col">{first}</Th>
        <Th scope="col" className="text-right">
          {t("calls")}
        </Th>
        <Th scope="col" className="text-right">
          {t("promptTokens")}
        </Th>
        <Th scope="col" className="text-right">
          {t("outputTokens")}
        </Th>
        <Th scope="col" className="text-right">
          {t("cost")}
        </Th>
      </tr>
    </thead>
  );
  const cells = (row: TFigures) => (
    <>
      <Td className="text-right tabular-nums">{fmt.count(row.calls)}</Td>
      <Td className="text-right tabular-nums">{fmt.count(row.promptTokens)}</Td>
      <Td className="text-right tabular-nums">{fmt.count(row.outputTokens)}</Td>
      <Td className="text-right tabular-nums">{usd(row.costMicros)}</Td>
    </>
  );
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-4" aria-busy={usage.isPending}>
        {usage.error ? <Alert tone="error">{describeError(usage.error).message}</Alert> : null}
        {budget ? (
          <p className="text-sm" data-testid="ai-budget">
            {budget.capUsd === null
              ? t("budgetNone", { spent: usd(budget.todayCostMicros) })
              : budget.todayCostMicros >= Math.round(budget.capUsd * 1_000_000)
                ? t("budgetReached", { cap: usd(Math.round(budget.capUsd * 1_000_000)) })
                : t("budgetCap", {
                    spent: usd(budget.todayCostMicros),
                    cap: usd(Math.round(budget.capUsd * 1_000_000)),
                  })}
          </p>
        ) : null}
        <div className="grid gap-6 lg:grid-cols-2 [&>*]:min-w-0">
          <Table>
            <caption className="text-left text-sm font-medium">{t("byDay")}</caption>
            {headers(t("day"))}
            <tbody>
              {(data?.days ?? []).map((row) => (
                <tr key={row.day}>
                  <Td>{fmt.day(row.day)}</Td>
                  {cells(row)}
                </tr>
              ))}
              {data && data.days.length > 0 ? (
                <tr className="font-medium">
                  <Td>{t("total")}</Td>
                  {cells(data.totals)}
                </tr>
              ) : null}
              {data?.days.length === 0 ? <EmptyRow colSpan={5}>{t("nothing")}</EmptyRow> : null}
              {!data ? <EmptyRow colSpan={5}>{tc("loading")}</EmptyRow> : null}
            </tbody>
          </Table>
          <Table>
            <caption className="text-left text-sm font-medium">{t("byProfile")}</caption>
            {headers(t("profile"))}
            <tbody>
              {(data?.profiles ?? []).map((row) => (
                <tr key={row.profileId ?? "none"}>
                  <Td translate="no">{row.name ?? (row.profileId ? t("deletedProfile") : t("noProfile"))}</Td>
                  {cells(row)}
                </tr>
              ))}
              {data?.profiles.length === 0 ? <EmptyRow colSpan={5}>{t("nothing")}</EmptyRow> : null}
            </tbody>
          </Table>
        </div>
      </CardBody>
    </Card>
  );
}
