import Link from "next/link";
import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { formatCount, formatRate } from "./analytics-format";

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
  return (
    <Card>
      <CardHeader
        title="Rules"
        description="Evaluations and matches in the range; a hand-off “follows” a match when the same conversation was handed to a person afterwards."
        actions={actions}
      />
      <CardBody>
        <Table>
          <caption className="sr-only">Rules: evaluations, matches and hand-offs in the range</caption>
          <thead>
            <tr>
              <Th scope="col">Rule</Th>
              <Th scope="col" className="text-right">
                Evaluations
              </Th>
              <Th scope="col" className="text-right">
                Matches
              </Th>
              <Th scope="col" className="text-right">
                Match rate
              </Th>
              <Th scope="col">Last fired</Th>
              <Th scope="col" className="text-right">
                Followed by hand-off
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
                    {row.name}
                  </Link>
                </Td>
                <Td className="text-right tabular-nums">{formatCount(row.evaluations)}</Td>
                <Td className="text-right tabular-nums">{formatCount(row.matches)}</Td>
                <Td className="text-right tabular-nums">{formatRate(row.matchRate)}</Td>
                <Td className="whitespace-nowrap">
                  {row.lastFiredAt ? (
                    <time dateTime={row.lastFiredAt.toISOString()}>
                      {row.lastFiredAt.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
                    </time>
                  ) : (
                    <span className="text-muted-foreground">never</span>
                  )}
                </Td>
                <Td className="text-right tabular-nums">
                  {formatCount(row.followedByHandoff)}
                  {row.matches > 0 ? (
                    <span className="ml-1 text-muted-foreground">
                      ({formatRate(row.followedByHandoff / row.matches)})
                    </span>
                  ) : null}
                </Td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <EmptyRow colSpan={6}>{isPending ? "Loading…" : "No rule was evaluated in this range."}</EmptyRow>
            ) : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
