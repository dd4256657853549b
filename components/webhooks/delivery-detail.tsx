"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Table, Td, Th } from "~/components/ui/table";
import { DANGER_TEXT } from "~/components/ui/tones";
import { formatTime, isInFlight } from "./webhook-labels";

/** One delivery opened in the log: the exact body sent (pretty JSON) and every attempt. */
export function DeliveryDetail({ deliveryId }: { deliveryId: string }) {
  const trpc = useTRPC();
  const delivery = useQuery(
    trpc.webhooks.delivery.queryOptions(
      { id: deliveryId },
      { refetchInterval: (query) => (query.state.data && !isInFlight(query.state.data.status) ? false : 3_000) },
    ),
  );
  if (delivery.error) return <Alert tone="error">{describeError(delivery.error).message}</Alert>;
  if (!delivery.data) return <p className="text-sm text-muted-foreground">Loading the delivery…</p>;
  const { payload, attempts } = delivery.data;
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h3 className="mb-1 text-sm font-medium">Attempts</h3>
        {attempts.length === 0 ? (
          <p className="text-sm text-muted-foreground">No attempt yet.</p>
        ) : (
          <Table className="text-xs">
            <thead>
              <tr>
                <Th>#</Th>
                <Th>When</Th>
                <Th>Status</Th>
                <Th>Latency</Th>
                <Th>Response or error</Th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt) => (
                <tr key={attempt.attempt}>
                  <Td>{attempt.attempt}</Td>
                  <Td className="whitespace-nowrap">{formatTime(attempt.at)}</Td>
                  <Td>{attempt.httpStatus ?? "—"}</Td>
                  <Td className="whitespace-nowrap">{attempt.latencyMs} ms</Td>
                  <Td>
                    {attempt.error ? <p className={DANGER_TEXT}>{attempt.error}</p> : null}
                    {attempt.responseExcerpt ? (
                      <pre
                        className="max-h-40 max-w-xl overflow-auto whitespace-pre-wrap break-all rounded bg-muted p-1"
                        tabIndex={0}
                      >
                        {attempt.responseExcerpt}
                      </pre>
                    ) : attempt.error ? null : (
                      <span className="text-muted-foreground">(empty response)</span>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">Payload</h3>
        {payload ? (
          <pre
            className="max-h-96 overflow-auto rounded bg-muted p-2 text-xs"
            tabIndex={0}
            data-testid="delivery-payload"
          >
            {JSON.stringify(payload, null, 2)}
          </pre>
        ) : (
          <p className="text-sm text-muted-foreground">Not built yet: the payload is fixed when it is first sent.</p>
        )}
        <p className="mt-1 text-xs text-muted-foreground">
          Sent with <code>webhook-id: {deliveryId}</code> on every attempt.
        </p>
      </div>
    </div>
  );
}
