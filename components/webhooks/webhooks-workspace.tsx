"use client";

import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { OneTimeSecret } from "~/components/api/one-time-secret";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { DeliveryLog } from "./delivery-log";
import { EndpointForm } from "./endpoint-form";
import { EndpointItem } from "./endpoint-item";
import { useWebhookFormat } from "./use-webhook-format";
import type { TEndpoint } from "./webhook-labels";
import { WebhooksHelp } from "./webhooks-help";

const code = (chunks: ReactNode) => <code>{chunks}</code>;

/** A signing secret to show once: after adding an endpoint, or after rotating its secret. */
type TShownSecret = { kind: "created" | "rotated"; url: string; secret: string; previousSecretExpiresAt?: Date };

/** The endpoints list refreshes this often for its last-day figures and Switchboard's disabling. */
const LIST_REFRESH_MS = 15_000;

/**
 * The Webhooks page: endpoints (add, edit, enable or disable, rotate the secret, send a test
 * event, delete) and the delivery log of the one selected. `canWrite` false (agents and
 * managers): everything is shown, nothing can be changed.
 */
export function WebhooksWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const { t, time } = useWebhookFormat();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions(undefined, { refetchInterval: LIST_REFRESH_MS }));
  const [editing, setEditing] = useState<TEndpoint | "new" | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [shownSecret, setShownSecret] = useState<TShownSecret | null>(null);
  const list = endpoints.data ?? [];
  const selected = list.find((endpoint) => endpoint.id === selectedId) ?? list[0] ?? null;

  return (
    <div className="flex flex-col gap-4">
      <WebhooksHelp />
      {shownSecret ? (
        <OneTimeSecret
          title={
            shownSecret.kind === "created"
              ? t("workspace.createdTitle")
              : t("workspace.rotatedTitle", { url: shownSecret.url })
          }
          label={t("workspace.secretLabel")}
          keptAs={t("workspace.keptAs")}
          secret={shownSecret.secret}
          onDone={() => setShownSecret(null)}
        >
          {shownSecret.kind === "created" ? (
            <p>
              {t.rich("workspace.createdHelp", {
                url: shownSecret.url,
                code,
                mono: (chunks) => <span className="break-all font-mono">{chunks}</span>,
              })}
            </p>
          ) : (
            <p>
              {t.rich("workspace.rotatedHelp", {
                until: time(shownSecret.previousSecretExpiresAt),
                code,
                strong: (chunks) => <strong>{chunks}</strong>,
              })}
            </p>
          )}
        </OneTimeSecret>
      ) : null}
      {editing === "new" && canWrite ? (
        <EndpointForm
          endpoint={null}
          onCreated={(created) => {
            setEditing(null);
            setSelectedId(created.id);
            setShownSecret({ kind: "created", url: created.url, secret: created.secret });
          }}
          onDone={() => setEditing(null)}
        />
      ) : null}
      <Card>
        <CardHeader
          title={t("workspace.endpoints")}
          description={t("workspace.endpointsDescription")}
          actions={
            canWrite && editing !== "new" ? (
              <Button size="sm" onClick={() => setEditing("new")}>
                {t("workspace.add")}
              </Button>
            ) : null
          }
        />
        <CardBody>
          {endpoints.error ? <Alert tone="error">{describeError(endpoints.error).message}</Alert> : null}
          {endpoints.isPending ? <p className="text-sm text-muted-foreground">{t("workspace.loading")}</p> : null}
          {endpoints.data?.length === 0 ? (
            <p className="text-sm text-muted-foreground">
              {canWrite ? t("workspace.noneCanAdd") : t("workspace.none")}
            </p>
          ) : null}
          <ul className="flex flex-col gap-2" aria-label={t("workspace.listLabel")}>
            {list.map((endpoint) =>
              canWrite && editing !== "new" && editing?.id === endpoint.id ? (
                <li key={endpoint.id}>
                  <EndpointForm endpoint={editing} onCreated={() => undefined} onDone={() => setEditing(null)} />
                </li>
              ) : (
                <EndpointItem
                  key={endpoint.id}
                  endpoint={endpoint}
                  canWrite={canWrite}
                  isSelected={selected?.id === endpoint.id}
                  onSelect={() => setSelectedId(endpoint.id)}
                  onEdit={() => setEditing(endpoint)}
                  onRotated={(rotated) => setShownSecret({ kind: "rotated", ...rotated })}
                />
              ),
            )}
          </ul>
        </CardBody>
      </Card>
      {selected ? <DeliveryLog key={selected.id} endpoint={selected} canWrite={canWrite} /> : null}
    </div>
  );
}
