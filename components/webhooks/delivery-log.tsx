"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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
import {
  DELIVERY_STATUS_OPTIONS,
  describeLastResult,
  formatTime,
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
  if (delivery.attempts === 0) return <span className="text-muted-foreground">not tried yet</span>;
  const { status, note } = describeLastResult(delivery.lastHttpStatus, delivery.lastError);
  return (
    <span className="flex flex-col">
      <span>{status}</span>
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
            ? "Queued again from the start of the retry schedule."
            : result.redelivered === 0
              ? "No failed deliveries to send again."
              : `${result.redelivered} failed ${result.redelivered === 1 ? "delivery" : "deliveries"} queued again.`,
        );
        await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
      },
      onError: () => setNotice(null),
    }),
  );

  return (
    <Card>
      <CardHeader
        title="Delivery log"
        description={
          <>
            <span className="break-all font-mono">{endpoint.url}</span> · refreshes every few seconds
          </>
        }
        actions={
          canWrite ? (
            <Button
              size="sm"
              variant="secondary"
              disabled={redeliver.isPending}
              onClick={() => {
                if (window.confirm(`Send every failed (dead) delivery of ${endpoint.url} again?`))
                  redeliver.mutate({ webhookId: endpoint.id, deliveryIds: null });
              }}
            >
              Redeliver all failed
            </Button>
          ) : null
        }
      />
      <CardBody className="flex flex-col gap-3">
        <div className="grid gap-3 sm:grid-cols-2 lg:w-2/3">
          <Field label="Status" htmlFor="delivery-status">
            <Select
              id="delivery-status"
              value={status ?? ""}
              onChange={(event) => setStatus((event.target.value || null) as TDeliveryStatus | null)}
            >
              <option value="">All statuses</option>
              {DELIVERY_STATUS_OPTIONS.map((option) => (
                <option key={option} value={option}>
                  {option === "dead" ? "dead (failed)" : option}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Event type" htmlFor="delivery-event-type">
            <Select
              id="delivery-event-type"
              value={eventType ?? ""}
              onChange={(event) => setEventType(event.target.value || null)}
            >
              <option value="">All event types</option>
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
              <Th>Created</Th>
              <Th>Event</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
              <Th className="whitespace-nowrap">Last result</Th>
              <Th className="whitespace-nowrap">Delivered or next try</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => {
              const isOpen = openId === delivery.id;
              return (
                <Fragment key={delivery.id}>
                  <tr data-testid="delivery-row">
                    <Td className="whitespace-nowrap">{formatTime(delivery.createdAt)}</Td>
                    <Td className="font-mono text-xs">{delivery.eventType}</Td>
                    <Td>
                      <Badge tone={STATUS_TONE[delivery.status]}>{delivery.status}</Badge>
                    </Td>
                    <Td>{delivery.attempts}</Td>
                    <Td>
                      <LastResult delivery={delivery} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      {delivery.deliveredAt
                        ? formatTime(delivery.deliveredAt)
                        : delivery.status === "retrying" && delivery.nextAttemptAt
                          ? `next ${formatTime(delivery.nextAttemptAt)}`
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
                        {isOpen ? "Hide details" : "Details"}
                      </Button>
                      {canWrite && delivery.status === "dead" ? (
                        <Button
                          size="sm"
                          variant="secondary"
                          className="ml-1"
                          disabled={redeliver.isPending}
                          onClick={() => redeliver.mutate({ webhookId: endpoint.id, deliveryIds: [delivery.id] })}
                        >
                          Redeliver
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
              <EmptyRow colSpan={7}>
                {status || eventType
                  ? "No deliveries match these filters."
                  : "No deliveries yet. Send a test event to try the endpoint."}
              </EmptyRow>
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
            {log.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        ) : null}
      </CardBody>
    </Card>
  );
}
