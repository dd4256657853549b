"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { CloudSessionPanel } from "./cloud-session-panel";
import { useEngineText } from "./engine-text";
import { SessionActions, type TSessionNotice } from "./session-actions";
import { Alert } from "~/components/ui/alert";
import { megabytesOf, type TSession } from "./session-labels";
import { SessionLinking } from "./session-linking";
import { SessionSettingsForm } from "./session-settings-form";
import { SessionStatus } from "./session-status";

/**
 * One session: what it is, how it stands (with how often it reconnected and what it costs in
 * memory, where its engine reports it), its QR or pairing code while linking (or its webhook and
 * settings), its actions and pacing.
 */
export function SessionCard({
  session,
  now,
  canWrite,
  onDeleted,
}: {
  session: TSession;
  now: number;
  canWrite: boolean;
  onDeleted: (name: string) => void;
}) {
  const t = useTranslations("sessions");
  const format = useFormatter();
  const engineText = useEngineText();
  // A request's notice ("Restart requested…") stands until the status it was about changes.
  const [notice, setNotice] = useState<(TSessionNotice & { statusAt: number }) | null>(null);
  const statusAt = new Date(session.statusChangedAt ?? session.createdAt).getTime();
  const currentNotice = notice?.statusAt === statusAt ? notice : null;
  const { engine } = session;
  const { label, description } = engineText(engine);
  const hasActions = engine.controls.length > 0 || engine.addable;
  return (
    <Card data-testid="session-card" data-session-id={session.id}>
      <CardHeader
        title={
          <span className="break-all" translate="no">
            {session.name}
          </span>
        }
        description={description}
        actions={
          <div className="flex min-w-0 flex-col items-end gap-2 text-right">
            <Badge tone="neutral">{label}</Badge>
            <SessionStatus session={session} now={now} />
          </div>
        }
      />
      <CardBody className="grid gap-4 lg:grid-cols-[minmax(0,22rem)_minmax(0,1fr)]">
        <div className="min-w-0 space-y-4">
          <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
            <dt className="text-muted-foreground">{t("card.phone")}</dt>
            <dd className="break-all" data-testid="session-phone">
              {session.phone ?? t("card.notLinked")}
            </dd>
            <dt className="text-muted-foreground">{t("card.connectionState")}</dt>
            <dd className="break-all">{session.connectionState ?? t("card.notReported")}</dd>
            <dt className="text-muted-foreground">{t("card.worker")}</dt>
            <dd className="break-all" data-testid="session-worker">
              {session.worker ? <span className="font-mono text-xs">{session.worker}</span> : t("card.noWorker")}
            </dd>
            {session.reconnectCount > 0 ? (
              <>
                <dt className="text-muted-foreground">{t("card.reconnects")}</dt>
                <dd data-testid="session-reconnects">{t("card.reconnected", { count: session.reconnectCount })}</dd>
              </>
            ) : null}
            {session.memoryBytes !== null && session.memoryScope && session.memoryAt ? (
              <>
                <dt className="text-muted-foreground">{t("card.memory")}</dt>
                <dd data-testid="session-memory">
                  {t(session.memoryScope === "own" ? "card.memoryOwn" : "card.memoryShared", {
                    mb: megabytesOf(session.memoryBytes),
                  })}{" "}
                  <time
                    dateTime={new Date(session.memoryAt).toISOString()}
                    title={format.dateTime(new Date(session.memoryAt), "short")}
                    className="text-muted-foreground"
                  >
                    {t("card.measured", {
                      when: format.relativeTime(
                        new Date(session.memoryAt),
                        Math.max(now, new Date(session.memoryAt).getTime()),
                      ),
                    })}
                  </time>
                </dd>
              </>
            ) : null}
          </dl>
          {canWrite && hasActions ? (
            <SessionActions
              session={session}
              onNotice={(next) => setNotice({ ...next, statusAt })}
              onDeleted={onDeleted}
            />
          ) : null}
        </div>
        <div className="min-w-0 space-y-4">
          {session.lastError ? (
            <Alert tone="error" className="break-words">
              <span className="font-medium">{t("card.lastError")}</span> {session.lastError}
            </Alert>
          ) : null}
          {currentNotice ? <Alert tone={currentNotice.tone}>{currentNotice.text}</Alert> : null}
          <SessionLinking session={session} canWrite={canWrite} />
          {canWrite && engineCan(engine.capabilities, "webhookInbound") ? (
            <CloudSessionPanel session={session} />
          ) : null}
        </div>
      </CardBody>
      <CardBody className="border-t border-border">
        <SessionSettingsForm key={session.id} session={session} canWrite={canWrite} />
      </CardBody>
    </Card>
  );
}
