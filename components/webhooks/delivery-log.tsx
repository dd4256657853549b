"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Fragment, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Select } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { DeliveryDetail } from "./delivery-detail";
import { useWebhookFormat } from "./use-webhook-format";
import {
  DELIVERY_STATUS_OPTIONS,
  describeLastResult,
  STATUS_TONE,
  TEST_EVENT_TYPE,
  type TDeliveryRow,
  type TDeliveryStatus,
  type TEndpoint,
} from "./webhook-labels";

/** Deliveries are made by the worker, with no live events: the open log polls this often. */
const REFRESH_MS = 4_000;
const PAGE_SIZE = 25;

/** What the last attempt got: the HTTP status, and the error when it says more. */
function LastResult({ delivery }: { delivery: TDeliveryRow }) {
  const { t } = useWebhookFormat();
  if (delivery.attempts === 0) return <span className="text-muted-foreground">{t("log.notTried")}</span>;
  const { status, note } = describeLastResult(delivery.lastHttpStatus, delivery.lastError);
  return (
    <span className="flex flex-col">
      <span>{status ?? t("log.noResponse")}</span>
      {note ? (
        <span className="max-w-xs truncate text-xs text-muted-foreground" title={note}>
          {note}
        </span>
      ) : null}
    </span>
  );
}

/**
 * The delivery log of one endpoint: newest first, filtered by status and event type, keyset
 * "Load more", refreshed every few seconds while open. A row opens to its payload and
 * attempts; dead deliveries can be sent again, one or all of them.
 */
export function DeliveryLog({ endpoint, canWrite }: { endpoint: TEndpoint; canWrite: boolean }) {
  const trpc = useTRPC();
  const { t, time } = useWebhookFormat();
  const tc = useTranslations("common");
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<TDeliveryStatus | null>(null);
  const [eventType, setEventType] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const eventTypes = useQuery(trpc.webhooks.eventTypes.queryOptions(undefined, { staleTime: Infinity }));
  const log = useInfiniteQuery(
    trpc.webhooks.deliveries.infiniteQueryOptions(
      { webhookId: endpoint.id, status, eventType, limit: PAGE_SIZE },
      {
        initialCursor: null,
        getNextPageParam: (page) => page.nextCursor ?? undefined,
        refetchInterval: REFRESH_MS,
        placeholderData: (previous) => previous,
      },
    ),
  );
  const rows = log.data?.pages.flatMap((page) => page.deliveries) ?? [];
  const redeliver = useMutation(
    trpc.webhooks.redeliver.mutationOptions({
      onSuccess: async (result, input) => {
        setNotice(
          input.deliveryIds
            ? t("log.queuedOne")
            : result.redelivered === 0
              ? t("log.queuedNone")
              : t("log.queuedMany", { count: result.redelivered }),
        );
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
      },
      onError: () => setNotice(null),
    }),
  );

  return (
    <Card>
      <CardHeader
        title={t("log.title")}
        description={
          <>
            <span className="break-all font-mono">{endpoint.url}</span> · {t("log.refreshes")}
          </>
        }
        actions={
          canWrite ? (
            <Button
              size="sm"
              variant="secondary"
              disabled={redeliver.isPending}
              onClick={() => {
                if (window.confirm(t("log.confirmRedeliverAll", { url: endpoint.url })))
                  redeliver.mutate({ webhookId: endpoint.id, deliveryIds: null });
              }}
            >
              {t("log.redeliverAll")}
            </Button>
          ) : null
        }
      />
      <CardBody className="flex flex-col gap-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:w-2/3">
          <Field label={t("log.status")} htmlFor="delivery-status">
            <Select
              id="delivery-status"
              value={status ?? ""}
              onChange={(event) => setStatus((event.target.value || null) as TDeliveryStatus | null)}
            >
              <option value="">{t("log.allStatuses")}</option>
              {DELIVERY_STATUS_OPTIONS.map((option) => (
                <option key={option} value={option}>
                  {t(`status.${option}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t("log.eventType")} htmlFor="delivery-event-type">
            <Select
              id="delivery-event-type"
              value={eventType ?? ""}
              onChange={(event) => setEventType(event.target.value || null)}
            >
              <option value="">{t("log.allEventTypes")}</option>
              {[...(eventTypes.data ?? []), TEST_EVENT_TYPE].map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {notice ? <Alert tone="success">{notice}</Alert> : null}
        {redeliver.error ? <Alert tone="error">{describeError(redeliver.error).message}</Alert> : null}
        {log.error ? <Alert tone="error">{describeError(log.error).message}</Alert> : null}
        <Table>
          <thead>
            <tr>
              <Th>{t("log.created")}</Th>
              <Th>{t("log.event")}</Th>
              <Th>{t("log.status")}</Th>
              <Th>{t("log.attempts")}</Th>
              <Th className="whitespace-nowrap">{t("log.lastResult")}</Th>
              <Th className="whitespace-nowrap">{t("log.deliveredOrNext")}</Th>
              <Th>
                <span className="sr-only">{t("log.actions")}</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => {
              const isOpen = openId === delivery.id;
              return (
                <Fragment key={delivery.id}>
                  <tr data-testid="delivery-row">
                    <Td className="whitespace-nowrap">{time(delivery.createdAt)}</Td>
                    <Td className="font-mono text-xs">{delivery.eventType}</Td>
                    <Td>
                      <Badge tone={STATUS_TONE[delivery.status]}>{t(`status.${delivery.status}`)}</Badge>
                    </Td>
                    <Td>{delivery.attempts}</Td>
                    <Td>
                      <LastResult delivery={delivery} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      {delivery.deliveredAt
                        ? time(delivery.deliveredAt)
                        : delivery.status === "retrying" && delivery.nextAttemptAt
                          ? t("log.next", { when: time(delivery.nextAttemptAt) })
                          : "—"}
                    </Td>
                    <Td className="whitespace-nowrap text-right">
                      <Button
                        size="sm"
                        variant="ghost"
                        aria-expanded={isOpen}
                        aria-controls={`delivery-${delivery.id}`}
                        onClick={() => setOpenId(isOpen ? null : delivery.id)}
                      >
                        {isOpen ? t("log.hideDetails") : t("log.details")}
                      </Button>
                      {canWrite && delivery.status === "dead" ? (
                        <Button
                          size="sm"
                          variant="secondary"
                          className="ml-1"
                          disabled={redeliver.isPending}
                          onClick={() => redeliver.mutate({ webhookId: endpoint.id, deliveryIds: [delivery.id] })}
                        >
                          {t("log.redeliver")}
                        </Button>
                      ) : null}
                    </Td>
                  </tr>
                  {isOpen ? (
                    <tr id={`delivery-${delivery.id}`}>
                      <Td colSpan={7} className="bg-muted/40">
                        <DeliveryDetail deliveryId={delivery.id} />
                      </Td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
            {!log.isPending && rows.length === 0 ? (
              <EmptyRow colSpan={7}>{status || eventType ? t("log.noMatch") : t("log.none")}</EmptyRow>
            ) : null}
          </tbody>
        </Table>
        {log.hasNextPage ? (
          <Button
            variant="secondary"
            className="self-center"
            disabled={log.isFetchingNextPage}
            onClick={() => void log.fetchNextPage()}
          >
            {log.isFetchingNextPage ? tc("loading") : t("log.loadMore")}
          </Button>
        ) : null}
      </CardBody>
    </Card>
  );
}
