"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Table, Td, Th } from "~/components/ui/table";
import { DANGER_TEXT } from "~/components/ui/tones";
import { useWebhookFormat } from "./use-webhook-format";
import { isInFlight } from "./webhook-labels";

/** One delivery opened in the log: the exact body sent (pretty JSON) and every attempt. */
export function DeliveryDetail({ deliveryId }: { deliveryId: string }) {
  const trpc = useTRPC();
  const { t, time, milliseconds } = useWebhookFormat();
  const delivery = useQuery(
    trpc.webhooks.delivery.queryOptions(
      { id: deliveryId },
      { refetchInterval: (query) => (query.state.data && !isInFlight(query.state.data.status) ? false : 3_000) },
    ),
  );
  if (delivery.error) return <Alert tone="error">{describeError(delivery.error).message}</Alert>;
  if (!delivery.data) return <p className="text-sm text-muted-foreground">{t("detail.loading")}</p>;
  const { payload, attempts } = delivery.data;
  return (
    <div className="flex min-w-0 flex-col gap-4">
      <div>
        <h3 className="mb-1 text-sm font-medium">{t("detail.attempts")}</h3>
        {attempts.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t("detail.noAttempt")}</p>
        ) : (
          <Table className="text-xs">
            <thead>
              <tr>
                <Th>#</Th>
                <Th>{t("detail.when")}</Th>
                <Th>{t("detail.status")}</Th>
                <Th>{t("detail.latency")}</Th>
                <Th>{t("detail.response")}</Th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt) => (
                <tr key={attempt.attempt}>
                  <Td>{attempt.attempt}</Td>
                  <Td className="whitespace-nowrap">{time(attempt.at, true)}</Td>
                  <Td>{attempt.httpStatus ?? "—"}</Td>
                  <Td className="whitespace-nowrap">{milliseconds(attempt.latencyMs)}</Td>
                  <Td>
                    {attempt.error ? <p className={`break-words ${DANGER_TEXT}`}>{attempt.error}</p> : null}
                    {attempt.responseExcerpt ? (
                      <pre
                        className="max-h-40 max-w-[75vw] overflow-auto sm:max-w-xl whitespace-pre-wrap break-all rounded bg-muted p-1"
                        tabIndex={0}
                      >
                        {attempt.responseExcerpt}
                      </pre>
                    ) : attempt.error ? null : (
                      <span className="text-muted-foreground">{t("detail.emptyResponse")}</span>
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">{t("detail.payload")}</h3>
        {payload ? (
          <pre
            className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-muted p-2 text-xs"
            tabIndex={0}
            data-testid="delivery-payload"
          >
            {JSON.stringify(payload, null, 2)}
          </pre>
        ) : (
          <p className="text-sm text-muted-foreground">{t("detail.notBuilt")}</p>
        )}
        <p className="mt-1 text-xs text-muted-foreground">
          {t.rich("detail.sentWith", {
            id: deliveryId,
            code: (chunks) => <code className="break-all">{chunks}</code>,
          })}
        </p>
      </div>
    </div>
  );
}
