"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { cn } from "~/components/ui/cn";
import type { TEndpointInput } from "~/server/webhooks/endpoints";
import { TestDeliveryStatus } from "./test-delivery-status";
import { useWebhookFormat } from "./use-webhook-format";
import type { TEndpoint } from "./webhook-labels";

export type TRotatedSecret = { url: string; secret: string; previousSecretExpiresAt: Date };

/** Enabled, disabled by a person, or disabled by Switchboard (with its reason); failing since when. */
export function EndpointStatus({ endpoint }: { endpoint: TEndpoint }) {
  const { t, time } = useWebhookFormat();
  return (
    <span className="flex flex-wrap items-center gap-1">
      {endpoint.enabled ? (
        <Badge tone="success">{t("endpoint.enabled")}</Badge>
      ) : endpoint.disabledReason ? (
        <Badge tone="danger">{t("endpoint.disabledBySwitchboard")}</Badge>
      ) : (
        <Badge>{t("endpoint.disabled")}</Badge>
      )}
      {endpoint.enabled && endpoint.failingSince ? (
        <Badge tone="warning">{t("endpoint.failingSince", { since: time(endpoint.failingSince) })}</Badge>
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
  const { t, time } = useWebhookFormat();
  const tc = useTranslations("common");
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
      aria-label={t("endpoint.label", { url: endpoint.url })}
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
          <span className="font-medium">{t("endpoint.whyDisabled")}</span> {endpoint.disabledReason}{" "}
          {t("endpoint.fixThenEnable")}
        </p>
      ) : null}
      <dl className="grid min-w-0 gap-x-6 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
        <dt className="text-muted-foreground">{t("endpoint.events")}</dt>
        <dd className="flex flex-wrap gap-1">
          {endpoint.events.length === 0 ? (
            <Badge tone="primary">{t("endpoint.allEvents")}</Badge>
          ) : (
            endpoint.events.map((type) => (
              <Badge key={type} className="break-all font-mono">
                {type}
              </Badge>
            ))
          )}
        </dd>
        <dt className="text-muted-foreground">{t("endpoint.lastDay")}</dt>
        <dd>
          {t.rich("endpoint.stats", {
            delivered: stats.delivered,
            retrying: stats.retrying,
            dead: stats.dead,
            failed: (chunks) => (
              <span className={stats.dead > 0 ? "font-medium text-destructive" : undefined}>{chunks}</span>
            ),
          })}
          {stats.lastAt ? t("endpoint.latest", { when: time(stats.lastAt) }) : t("endpoint.nothingSent")}
        </dd>
        {overlapEnds ? (
          <>
            <dt className="text-muted-foreground">{t("endpoint.rotation")}</dt>
            <dd>{t("endpoint.previousSignsUntil", { until: time(overlapEnds) })}</dd>
          </>
        ) : null}
      </dl>
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant={isSelected ? "primary" : "secondary"} onClick={onSelect} aria-pressed={isSelected}>
          {isSelected ? t("endpoint.showingDeliveries") : t("endpoint.showDeliveries")}
        </Button>
        {canWrite ? (
          <>
            <Button
              size="sm"
              variant="secondary"
              disabled={sendTest.isPending || !endpoint.enabled}
              title={endpoint.enabled ? undefined : t("endpoint.enableToTest")}
              onClick={() => sendTest.mutate({ id: endpoint.id })}
            >
              {sendTest.isPending ? t("endpoint.sending") : t("endpoint.sendTest")}
            </Button>
            <Button size="sm" variant="secondary" onClick={onEdit}>
              {tc("edit")}
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
              {endpoint.enabled ? t("endpoint.disable") : t("endpoint.enable")}
            </Button>
            <Button
              size="sm"
              variant="secondary"
              disabled={rotate.isPending}
              onClick={() => {
                if (window.confirm(t("endpoint.confirmRotate", { url: endpoint.url })))
                  rotate.mutate({ id: endpoint.id });
              }}
            >
              {t("endpoint.rotate")}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              className="text-destructive"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(t("endpoint.confirmDelete", { url: endpoint.url })))
                  remove.mutate({ id: endpoint.id });
              }}
            >
              {tc("delete")}
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
