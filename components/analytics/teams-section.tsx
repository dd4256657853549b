"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { useAnalyticsFormat } from "./use-analytics-format";

const NUMERIC = "text-right tabular-nums";

type TSlaCount = { met: number; breached: number; pending: number };
type TSatisfaction = {
  answered: number;
  average: number | null;
  responseRate: number | null;
  distribution: readonly number[];
};

/**
 * The Analytics page's Teams and agents section, for the page's range: per team, hand-offs,
 * first response after a hand-off (median / p90), first-response and resolution SLA met, and the
 * satisfaction survey (average, answered, response rate, the scores); per agent, conversations
 * given to them, their first responses, first-response SLA and their conversations' survey (an
 * agent sees only their own row).
 */
export function TeamsSection({ range }: { range: { from: string; to: string; sessionId: string | null } }) {
  const t = useTranslations("domain.teamAnalytics");
  const tc = useTranslations("common");
  const fmt = useAnalyticsFormat();
  const trpc = useTRPC();
  const figures = useQuery({ ...trpc.analytics.teams.queryOptions(range), placeholderData: keepPreviousData });
  const teams = figures.data?.teams ?? [];
  const agents = figures.data?.agents ?? [];
  const format = useFormatter();
  /** "92% (11 of 12)" of the targets decided (met or breached; those still running are left out), or a dash. */
  const slaText = (sla: TSlaCount) => {
    const decided = sla.met + sla.breached;
    if (decided === 0) return t("none");
    return `${fmt.rate(sla.met / decided)} (${t("slaDetail", { met: fmt.count(sla.met), total: fmt.count(decided) })})`;
  };
  /** The average score with a star, the count answered, the response rate and the five scores as small bars. */
  const satisfactionCells = (satisfaction: TSatisfaction) => {
    const most = Math.max(1, ...satisfaction.distribution);
    return (
      <>
        <Td className={NUMERIC}>
          {satisfaction.average === null
            ? t("none")
            : `${format.number(satisfaction.average, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ★`}
        </Td>
        <Td className={NUMERIC}>{fmt.count(satisfaction.answered)}</Td>
        <Td className={NUMERIC}>{fmt.rate(satisfaction.responseRate)}</Td>
        <Td>
          <span
            className="flex h-6 items-end gap-0.5"
            role="img"
            aria-label={satisfaction.distribution.map((n, index) => `${index + 1}★: ${fmt.count(n)}`).join(", ")}
          >
            {satisfaction.distribution.map((n, index) => (
              <span
                key={index}
                className="w-2 rounded-sm bg-primary/70"
                style={{ height: `${Math.max(2, (n / most) * 24)}px` }}
              />
            ))}
          </span>
        </Td>
      </>
    );
  };
  const response = (row: { firstResponse: { medianMs: number | null; p90Ms: number | null } }) =>
    `${fmt.duration(row.firstResponse.medianMs)} / ${fmt.duration(row.firstResponse.p90Ms)}`;
  const satisfactionHeads = (
    <>
      <Th scope="col" className="text-right">
        {t("satisfaction")}
      </Th>
      <Th scope="col" className="text-right">
        {t("answered")}
      </Th>
      <Th scope="col" className="text-right">
        {t("responseRate")}
      </Th>
      <Th scope="col">{t("distribution")}</Th>
    </>
  );

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-6">
        {figures.error ? <Alert tone="error">{describeError(figures.error).message}</Alert> : null}
        <Table>
          <caption className="text-left text-sm font-medium">{t("teams")}</caption>
          <thead>
            <tr>
              <Th scope="col">{t("name")}</Th>
              <Th scope="col" className="text-right">
                {t("handedOff")}
              </Th>
              <Th scope="col" className="text-right">
                {t("firstResponse")}
              </Th>
              <Th scope="col" className="text-right">
                {t("slaFirstResponse")}
              </Th>
              <Th scope="col" className="text-right">
                {t("slaResolution")}
              </Th>
              {satisfactionHeads}
            </tr>
          </thead>
          <tbody>
            {teams.map((row) => (
              <tr key={row.teamId ?? "shared"}>
                <Td className="font-medium">
                  {row.teamId === null ? t("noTeam") : <span translate="no">{row.name}</span>}
                </Td>
                <Td className={NUMERIC}>{fmt.count(row.handedOff)}</Td>
                <Td className={NUMERIC}>{response(row)}</Td>
                <Td className={NUMERIC}>{slaText(row.sla.firstResponse)}</Td>
                <Td className={NUMERIC}>{slaText(row.sla.resolution)}</Td>
                {satisfactionCells(row.satisfaction)}
              </tr>
            ))}
            {teams.length === 0 ? (
              <EmptyRow colSpan={9}>{figures.isPending ? tc("loading") : t("empty")}</EmptyRow>
            ) : null}
          </tbody>
        </Table>
        <Table>
          <caption className="text-left text-sm font-medium">{t("agents")}</caption>
          <thead>
            <tr>
              <Th scope="col">{t("name")}</Th>
              <Th scope="col" className="text-right">
                {t("assigned")}
              </Th>
              <Th scope="col" className="text-right">
                {t("firstResponse")}
              </Th>
              <Th scope="col" className="text-right">
                {t("slaFirstResponse")}
              </Th>
              {satisfactionHeads}
            </tr>
          </thead>
          <tbody>
            {agents.map((row) => (
              <tr key={row.userId}>
                <Td className="font-medium" translate="no">
                  {row.name}
                </Td>
                <Td className={NUMERIC}>{fmt.count(row.assigned)}</Td>
                <Td className={NUMERIC}>{response(row)}</Td>
                <Td className={NUMERIC}>{slaText(row.sla.firstResponse)}</Td>
                {satisfactionCells(row.satisfaction)}
              </tr>
            ))}
            {agents.length === 0 ? (
              <EmptyRow colSpan={8}>{figures.isPending ? tc("loading") : t("empty")}</EmptyRow>
            ) : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
