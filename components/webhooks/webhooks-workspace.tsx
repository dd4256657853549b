"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { OneTimeSecret } from "~/components/api/one-time-secret";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { DeliveryLog } from "./delivery-log";
import { EndpointForm } from "./endpoint-form";
import { EndpointItem } from "./endpoint-item";
import { formatTime, type TEndpoint } from "./webhook-labels";
import { WebhooksHelp } from "./webhooks-help";

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
              ? `Endpoint added: its signing secret`
              : `New signing secret for ${shownSecret.url}`
          }
          label="Signing secret"
          keptAs="an encrypted copy, which it cannot show you"
          secret={shownSecret.secret}
          onDone={() => setShownSecret(null)}
        >
          {shownSecret.kind === "created" ? (
            <p>
              Give it to the receiver at <span className="break-all font-mono">{shownSecret.url}</span> to verify the{" "}
              <code>webhook-signature</code> header. You can rotate it later.
            </p>
          ) : (
            <p>
              Until <strong>{formatTime(shownSecret.previousSecretExpiresAt)}</strong> both the previous and this secret
              sign every delivery (two signatures in <code>webhook-signature</code>), so a receiver with either one
              keeps verifying. Update the receiver before then: afterwards only this secret signs.
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
          title="Endpoints"
          description="Where Switchboard sends events. Figures cover the last 24 hours."
          actions={
            canWrite && editing !== "new" ? (
              <Button size="sm" onClick={() => setEditing("new")}>
                Add endpoint
              </Button>
            ) : null
          }
        />
        <CardBody>
          {endpoints.error ? <Alert tone="error">{describeError(endpoints.error).message}</Alert> : null}
          {endpoints.isPending ? <p className="text-sm text-muted-foreground">Loading endpoints…</p> : null}
          {endpoints.data?.length === 0 ? (
            <p className="text-sm text-muted-foreground">
              No endpoints yet.{canWrite ? " Add one to receive events on your server." : ""}
            </p>
          ) : null}
          <ul className="flex flex-col gap-2" aria-label="Webhook endpoints">
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
