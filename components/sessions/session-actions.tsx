"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { DANGER_TEXT } from "~/components/ui/tones";
import type { TSession } from "./session-labels";

export type TSessionNotice = { tone: "success" | "error"; text: string };

/**
 * Restart, Log out and Delete for a number (admins only), as far as its engine has them:
 * restart and log-out are the engine's controls, and only sessions staff can add can be
 * deleted (the simulator has none of the three). Restart and Log out are requests the worker
 * running the number acts on within seconds; the card then follows the status the worker reports.
 */
export function SessionActions({
  session,
  onNotice,
  onDeleted,
}: {
  session: TSession;
  onNotice: (notice: TSessionNotice) => void;
  onDeleted: (name: string) => void;
}) {
  const trpc = useTRPC();
  const t = useTranslations("sessions");
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
  const onError = (error: unknown) => onNotice({ tone: "error", text: describeError(error).message });
  // A worker starts a number afresh when it takes it up, so a request with no worker is moot.
  const whenWorker = session.worker ? t("actions.whenWorker") : t("actions.noWorker");

  const restart = useMutation(
    trpc.sessions.restart.mutationOptions({
      onSuccess: () =>
        onNotice({ tone: "success", text: t("actions.restartRequested", { name: session.name, when: whenWorker }) }),
      onError,
    }),
  );
  const logout = useMutation(
    trpc.sessions.logout.mutationOptions({
      onSuccess: () =>
        onNotice({ tone: "success", text: t("actions.logoutRequested", { name: session.name, when: whenWorker }) }),
      onError,
    }),
  );
  const remove = useMutation(
    trpc.sessions.delete.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDeleted(session.name);
      },
      onError,
    }),
  );
  const isPending = restart.isPending || logout.isPending || remove.isPending;
  const label = session.phone ? `${session.name} (${session.phone})` : session.name;
  const { controls } = session.engine;

  return (
    <div className="flex flex-wrap gap-2">
      {controls.includes("restart") ? (
        <Button size="sm" variant="secondary" disabled={isPending} onClick={() => restart.mutate({ id: session.id })}>
          {restart.isPending ? t("actions.restarting") : t("actions.restart")}
        </Button>
      ) : null}
      {controls.includes("logout") ? (
        <Button
          size="sm"
          variant="secondary"
          disabled={isPending}
          onClick={() => {
            if (window.confirm(t("actions.confirmLogout", { label }))) logout.mutate({ id: session.id });
          }}
        >
          {logout.isPending ? t("actions.loggingOut") : t("actions.logout")}
        </Button>
      ) : null}
      {session.engine.addable ? (
        <Button
          size="sm"
          variant="secondary"
          className={DANGER_TEXT}
          disabled={isPending}
          onClick={() => {
            if (window.confirm(t("actions.confirmDelete", { label }))) remove.mutate({ id: session.id });
          }}
        >
          {remove.isPending ? t("actions.deleting") : t("actions.delete")}
        </Button>
      ) : null}
    </div>
  );
}
