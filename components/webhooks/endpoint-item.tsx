"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import type { TEndpointInput } from "~/server/webhooks/endpoints";
import { TestDeliveryStatus } from "./test-delivery-status";
import { formatTime, type TEndpoint } from "./webhook-labels";

export type TRotatedSecret = { url: string; secret: string; previousSecretExpiresAt: Date };

/** Enabled, disabled by a person, or disabled by Switchboard (with its reason); failing since when. */
export function EndpointStatus({ endpoint }: { endpoint: TEndpoint }) {
  return (
    <span className="flex flex-wrap items-center gap-1">
      {endpoint.enabled ? (
        <Badge tone="success">enabled</Badge>
      ) : endpoint.disabledReason ? (
        <Badge tone="danger">disabled by Switchboard</Badge>
      ) : (
        <Badge>disabled</Badge>
      )}
      {endpoint.enabled && endpoint.failingSince ? (
        <Badge tone="warning">failing since {formatTime(endpoint.failingSince)}</Badge>
      ) : null}
    </span>
  );
}

/** One endpoint: what it receives, its state, its last day, and what can be done with it. */
export function EndpointItem({
  endpoint,
  canWrite,
  isSelected,
  onSelect,
  onEdit,
  onRotated,
}: {
  endpoint: TEndpoint;
  canWrite: boolean;
  isSelected: boolean;
  onSelect: () => void;
  onEdit: () => void;
  onRotated: (rotated: TRotatedSecret) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [testDeliveryId, setTestDeliveryId] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const toggle = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.webhooks.delete.mutationOptions({ onSuccess: invalidate }));
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onRotated({ url: endpoint.url, ...result });
      },
    }),
  );
  const sendTest = useMutation(
    trpc.webhooks.sendTest.mutationOptions({
      onSuccess: async (result) => {
        setTestDeliveryId(result.deliveryId);
        await invalidate();
      },
    }),
  );
  const failed = [toggle, remove, rotate, sendTest].find((mutation) => mutation.error)?.error;
  const { stats } = endpoint;
  const overlapEnds =
    endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()
      ? endpoint.previousSecretExpiresAt
      : null;

  return (
    <li
      className={cn(
        "flex flex-col gap-2 rounded-md border px-3 py-3 text-sm",
        isSelected ? "border-primary" : "border-border",
      )}
      aria-label={`Endpoint ${endpoint.url}`}
      data-testid="webhook-endpoint"
    >
      <div className="flex flex-wrap items-start gap-x-4 gap-y-1">
        <div className="min-w-0 flex-1">
          <p className="break-all font-mono text-sm font-medium">{endpoint.url}</p>
          {endpoint.description ? <p className="text-muted-foreground">{endpoint.description}</p> : null}
        </div>
        <EndpointStatus endpoint={endpoint} />
      </div>
      {!endpoint.enabled && endpoint.disabledReason ? (
        <p className="text-xs">
          <span className="font-medium">Why it was disabled:</span> {endpoint.disabledReason} Fix the receiver, then
          enable it again.
        </p>
      ) : null}
      <dl className="grid gap-x-6 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
        <dt className="text-muted-foreground">Events</dt>
        <dd className="flex flex-wrap gap-1">
          {endpoint.events.length === 0 ? (
            <Badge tone="primary">All events</Badge>
          ) : (
            endpoint.events.map((type) => (
              <Badge key={type} className="font-mono">
                {type}
              </Badge>
            ))
          )}
        </dd>
        <dt className="text-muted-foreground">Last 24 hours</dt>
        <dd>
          {stats.delivered} delivered · {stats.retrying} retrying ·{" "}
          <span className={stats.dead > 0 ? "font-medium text-destructive" : undefined}>{stats.dead} failed</span>
          {stats.lastAt ? ` · latest ${formatTime(stats.lastAt)}` : " · nothing sent"}
        </dd>
        {overlapEnds ? (
          <>
            <dt className="text-muted-foreground">Secret rotation</dt>
            <dd>The previous secret also signs until {formatTime(overlapEnds)}.</dd>
          </>
        ) : null}
      </dl>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant={isSelected ? "primary" : "secondary"} onClick={onSelect} aria-pressed={isSelected}>
          {isSelected ? "Showing deliveries" : "Show deliveries"}
        </Button>
        {canWrite ? (
          <>
            <Button
              size="sm"
              variant="secondary"
              disabled={sendTest.isPending || !endpoint.enabled}
              title={endpoint.enabled ? undefined : "Enable the endpoint to send a test event"}
              onClick={() => sendTest.mutate({ id: endpoint.id })}
            >
              {sendTest.isPending ? "Sending…" : "Send test event"}
            </Button>
            <Button size="sm" variant="secondary" onClick={onEdit}>
              Edit
            </Button>
            <Button
              size="sm"
              variant="secondary"
              disabled={toggle.isPending}
              onClick={() =>
                toggle.mutate({
                  id: endpoint.id,
                  endpoint: {
                    url: endpoint.url,
                    description: endpoint.description,
                    events: endpoint.events as TEndpointInput["events"],
                    enabled: !endpoint.enabled,
                  },
                })
              }
            >
              {endpoint.enabled ? "Disable" : "Enable"}
            </Button>
            <Button
              size="sm"
              variant="secondary"
              disabled={rotate.isPending}
              onClick={() => {
                if (
                  window.confirm(
                    `Rotate the signing secret of ${endpoint.url}? The current secret keeps signing beside the new one for a while, so you can update the receiver.`,
                  )
                )
                  rotate.mutate({ id: endpoint.id });
              }}
            >
              Rotate secret
            </Button>
            <Button
              size="sm"
              variant="ghost"
              className="text-destructive"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the endpoint ${endpoint.url} and its delivery log? This cannot be undone.`))
                  remove.mutate({ id: endpoint.id });
              }}
            >
              Delete
            </Button>
          </>
        ) : null}
      </div>
      {failed ? <Alert tone="error">{describeError(failed).message}</Alert> : null}
      {testDeliveryId ? (
        <TestDeliveryStatus deliveryId={testDeliveryId} onDismiss={() => setTestDeliveryId(null)} />
      ) : null}
    </li>
  );
}
