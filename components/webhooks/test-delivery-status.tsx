"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import { DANGER_TEXT } from "~/components/ui/tones";
import { describeFailure, isInFlight } from "./webhook-labels";

const POLL_MS = 1_000;
const POLL_FOR_MS = 15_000;

/**
 * What became of a "Send test event": polls the delivery every second for about 15 s (the
 * worker delivers it; there are no live events for deliveries) and says how it went.
 */
export function TestDeliveryStatus({ deliveryId, onDismiss }: { deliveryId: string; onDismiss: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isPolling, setIsPolling] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setIsPolling(false), POLL_FOR_MS);
    return () => clearTimeout(timer);
  }, [deliveryId]);
  const delivery = useQuery(
    trpc.webhooks.delivery.queryOptions(
      { id: deliveryId },
      {
        refetchInterval: (query) =>
          isPolling && (!query.state.data || isInFlight(query.state.data.status)) ? POLL_MS : false,
      },
    ),
  );
  const data = delivery.data;
  const isSettled = data ? !isInFlight(data.status) : false;
  useEffect(() => {
    // The endpoint's last-day figures and failure state change with the outcome.
    if (isSettled) void queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
  }, [isSettled, queryClient, trpc]);
  const last = data?.attempts.at(-1);
  let tone: "info" | "success" | "warning" | "error" = "info";
  let text = "Test event queued; waiting for the worker to deliver it…";
  if (delivery.error) {
    tone = "error";
    text = describeError(delivery.error).message;
  } else if (data?.status === "delivered") {
    tone = "success";
    text = `Test event delivered: HTTP ${last?.httpStatus ?? data.lastHttpStatus ?? "2xx"}${last ? ` in ${last.latencyMs} ms` : ""}.`;
  } else if (data?.status === "dead") {
    tone = "error";
    text = `Test event failed: ${describeFailure(data.lastHttpStatus, data.lastError)}.`;
  } else if (data?.status === "retrying") {
    tone = "warning";
    const next = data.nextAttemptAt ? ` at ${data.nextAttemptAt.toLocaleTimeString()}` : "";
    text = `Attempt ${data.attempts.length} failed: ${describeFailure(data.lastHttpStatus, data.lastError)}. It will be retried${next}.`;
  } else if (!isPolling) {
    tone = "warning";
    text = "Not delivered after 15 seconds. Is the worker running? The delivery log below keeps updating.";
  }
  return (
    <Alert
      tone={tone}
      className={cn("flex flex-wrap items-center justify-between gap-2", tone === "error" && DANGER_TEXT)}
    >
      <span data-testid="test-delivery-status">{text}</span>
      <Button size="sm" variant="ghost" onClick={onDismiss}>
        Dismiss
      </Button>
    </Alert>
  );
}
