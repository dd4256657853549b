import Link from "next/link";
import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { useFormatter, useTranslations } from "next-intl";
import { useAnalyticsFormat } from "./use-analytics-format";

export type TRuleRow = {
  ruleId: string;
  name: string;
  evaluations: number;
  matches: number;
  matchRate: number | null;
  lastFiredAt: Date | null;
  followedByHandoff: number;
};

/** Per rule: how often it was evaluated and matched, when it last fired, and how often a hand-off followed. */
export function RulesTable({
  rows,
  isPending,
  actions,
}: {
  rows: TRuleRow[];
  isPending: boolean;
  actions?: ReactNode;
}) {
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const tc = useTranslations("common");
  const format = useFormatter();
  return (
    <Card>
      <CardHeader title={t("rules.title")} description={t("rules.description")} actions={actions} />
      <CardBody>
        <Table>
          <caption className="sr-only">{t("rules.caption")}</caption>
          <thead>
            <tr>
              <Th scope="col">{t("rules.rule")}</Th>
              <Th scope="col" className="text-right">
                {t("rules.evaluations")}
              </Th>
              <Th scope="col" className="text-right">
                {t("rules.matches")}
              </Th>
              <Th scope="col" className="text-right">
                {t("rules.matchRate")}
              </Th>
              <Th scope="col">{t("rules.lastFired")}</Th>
              <Th scope="col" className="text-right">
                {t("rules.followedByHandoff")}
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.ruleId}>
                <Td>
                  <Link
                    href={`/rules?rule=${encodeURIComponent(row.ruleId)}`}
                    className="font-medium underline-offset-2 hover:underline focus-visible:underline"
                  >
                    <span translate="no">{row.name}</span>
                  </Link>
                </Td>
                <Td className="text-right tabular-nums">{fmt.count(row.evaluations)}</Td>
                <Td className="text-right tabular-nums">{fmt.count(row.matches)}</Td>
                <Td className="text-right tabular-nums">{fmt.rate(row.matchRate)}</Td>
                <Td className="whitespace-nowrap">
                  {row.lastFiredAt ? (
                    <time dateTime={row.lastFiredAt.toISOString()}>{format.dateTime(row.lastFiredAt, "short")}</time>
                  ) : (
                    <span className="text-muted-foreground">{tc("never")}</span>
                  )}
                </Td>
                <Td className="text-right tabular-nums">
                  {fmt.count(row.followedByHandoff)}
                  {row.matches > 0 ? (
                    <span className="ml-1 text-muted-foreground">
                      ({fmt.rate(row.followedByHandoff / row.matches)})
                    </span>
                  ) : null}
                </Td>
              </tr>
            ))}
            {rows.length === 0 ? <EmptyRow colSpan={6}>{isPending ? tc("loading") : t("rules.empty")}</EmptyRow> : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
