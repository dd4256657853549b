"use client";

import { useQuery } from "@tanstack/react-query";
import { useNow, useTranslations } from "next-intl";
import { useState } from "react";
import { useLiveInvalidation } from "~/components/live/use-live-invalidation";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { AddSessionForm } from "./add-session-form";
import { Alert } from "~/components/ui/alert";
import { SessionCard } from "./session-card";
import { SETTLING_STATUSES } from "./session-labels";

/** While a number is starting or waiting for a scan, poll this often in case a live event is missed. */
const SETTLING_REFETCH_MS = 10_000;

/**
 * The Sessions page: every WhatsApp number and the simulator, kept current by the live
 * `session.status` events (each new QR is one), with polling as a backstop while one is settling.
 */
export function SessionsWorkspace({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("sessions");
  const tCommon = useTranslations("common");
  const now = useNow({ updateInterval: 5_000 }).getTime();
  const [notice, setNotice] = useState<string | null>(null);
  const sessions = useQuery(
    trpc.sessions.list.queryOptions(undefined, {
      refetchInterval: (query) =>
        query.state.data?.some((session) => SETTLING_STATUSES.includes(session.status)) ? SETTLING_REFETCH_MS : false,
    }),
  );
  useLiveInvalidation((event) => (event.type.startsWith("session.") ? [trpc.sessions.list.queryKey()] : []));

  return (
    <div className="space-y-6">
      {canWrite ? (
        <AddSessionForm
          onAdded={(name, byWebhook) =>
            setNotice(byWebhook ? t("workspace.addedWebhook", { name }) : t("workspace.added", { name }))
          }
        />
      ) : null}
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {sessions.error ? <Alert tone="error">{describeError(sessions.error).message}</Alert> : null}
      {sessions.data ? (
        // Numbers staff added first (oldest first, as listed); built-in ones (the simulator) last.
        [...sessions.data]
          .sort((a, b) => Number(!a.engine.addable) - Number(!b.engine.addable))
          .map((session) => (
            <SessionCard
              key={session.id}
              session={session}
              now={now}
              canWrite={canWrite}
              onDeleted={(name) => setNotice(t("workspace.deleted", { name }))}
            />
          ))
      ) : sessions.isPending ? (
        <p className="text-sm text-muted-foreground">{tCommon("loading")}</p>
      ) : null}
    </div>
  );
}
