"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import { DANGER_TEXT } from "~/components/ui/tones";
import { useWebhookFormat } from "./use-webhook-format";
import { describeFailure, isInFlight } from "./webhook-labels";

const POLL_MS = 1_000;
const POLL_FOR_MS = 15_000;

/**
 * What became of a "Send test event": polls the delivery every second for about 15 s (the
 * worker delivers it; there are no live events for deliveries) and says how it went.
 */
export function TestDeliveryStatus({ deliveryId, onDismiss }: { deliveryId: string; onDismiss: () => void }) {
  const trpc = useTRPC();
  const { t, time, milliseconds } = useWebhookFormat();
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
  const failure = (httpStatus: number | null, error: string | null) =>
    describeFailure(httpStatus, error, t("log.noResponse"));
  let text = t("test.queued");
  if (delivery.error) {
    tone = "error";
    text = describeError(delivery.error).message;
  } else if (data?.status === "delivered") {
    tone = "success";
    const status = last?.httpStatus ?? data.lastHttpStatus ?? "2xx";
    text = last
      ? t("test.deliveredIn", { status, latency: milliseconds(last.latencyMs) })
      : t("test.delivered", { status });
  } else if (data?.status === "dead") {
    tone = "error";
    text = t("test.failed", { reason: failure(data.lastHttpStatus, data.lastError) });
  } else if (data?.status === "retrying") {
    tone = "warning";
    const reason = failure(data.lastHttpStatus, data.lastError);
    text = data.nextAttemptAt
      ? t("test.retryingAt", { attempt: data.attempts.length, reason, when: time(data.nextAttemptAt, true) })
      : t("test.retrying", { attempt: data.attempts.length, reason });
  } else if (!isPolling) {
    tone = "warning";
    text = t("test.notDelivered");
  }
  return (
    <Alert
      tone={tone}
      className={cn("flex flex-wrap items-center justify-between gap-2", tone === "error" && DANGER_TEXT)}
    >
      <span data-testid="test-delivery-status" className="min-w-0 break-words">
        {text}
      </span>
      <Button size="sm" variant="ghost" onClick={onDismiss}>
        {t("test.dismiss")}
      </Button>
    </Alert>
  );
}
