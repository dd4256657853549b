import type { ReactNode } from "react";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { formatCount, formatDuration } from "./analytics-format";

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
  const numeric = "text-right tabular-nums";
  return (
    <Card>
      <CardHeader
        title="People"
        description="Who took conversations over from the bot, how many replies they sent and how fast they answered a waiting contact."
        actions={actions}
      />
      <CardBody>
        <Table>
          <caption className="sr-only">People: conversations taken, replies and response time in the range</caption>
          <thead>
            <tr>
              <Th scope="col">Name</Th>
              <Th scope="col" className="text-right">
                Conversations taken
              </Th>
              <Th scope="col" className="text-right">
                Replies
              </Th>
              <Th scope="col" className="text-right">
                Median response
              </Th>
              <Th scope="col" className="text-right">
                Released
              </Th>
              <Th scope="col" className="text-right">
                Closed
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.userId}>
                <Td className="font-medium">{row.name}</Td>
                <Td className={numeric}>{formatCount(row.threadsTaken)}</Td>
                <Td className={numeric}>{formatCount(row.replies)}</Td>
                <Td className={numeric}>{formatDuration(row.medianResponseMs)}</Td>
                <Td className={numeric}>{formatCount(row.released)}</Td>
                <Td className={numeric}>{formatCount(row.closed)}</Td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <EmptyRow colSpan={6}>
                {isPending ? "Loading…" : "Nobody took over or answered a conversation in this range."}
              </EmptyRow>
            ) : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
