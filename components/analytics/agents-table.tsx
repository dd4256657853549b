import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { useTranslations } from "next-intl";
import { useAnalyticsFormat } from "./use-analytics-format";

export type TAgentRow = {
  userId: string;
  name: string;
  threadsTaken: number;
  replies: number;
  medianResponseMs: number | null;
  released: number;
  closed: number;
};

/** Per person: conversations taken, replies, median response time, and conversations released or closed. */
export function AgentsTable({
  rows,
  isPending,
  actions,
}: {
  rows: TAgentRow[];
  isPending: boolean;
  actions?: ReactNode;
}) {
  const fmt = useAnalyticsFormat();
  const { t } = fmt;
  const tc = useTranslations("common");
  const numeric = "text-right tabular-nums";
  return (
    <Card>
      <CardHeader title={t("agents.title")} description={t("agents.description")} actions={actions} />
      <CardBody>
        <Table>
          <caption className="sr-only">{t("agents.caption")}</caption>
          <thead>
            <tr>
              <Th scope="col">{t("agents.name")}</Th>
              <Th scope="col" className="text-right">
                {t("agents.taken")}
              </Th>
              <Th scope="col" className="text-right">
                {t("agents.replies")}
              </Th>
              <Th scope="col" className="text-right">
                {t("agents.medianResponse")}
              </Th>
              <Th scope="col" className="text-right">
                {t("agents.released")}
              </Th>
              <Th scope="col" className="text-right">
                {t("agents.closed")}
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.userId}>
                <Td className="font-medium">{row.name}</Td>
                <Td className={numeric}>{fmt.count(row.threadsTaken)}</Td>
                <Td className={numeric}>{fmt.count(row.replies)}</Td>
                <Td className={numeric}>{fmt.duration(row.medianResponseMs)}</Td>
                <Td className={numeric}>{fmt.count(row.released)}</Td>
                <Td className={numeric}>{fmt.count(row.closed)}</Td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <EmptyRow colSpan={6}>{isPending ? tc("loading") : t("agents.empty")}</EmptyRow>
            ) : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
