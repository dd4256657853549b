"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
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
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
  const onError = (error: unknown) => onNotice({ tone: "error", text: describeError(error).message });
  // A worker starts a number afresh when it takes it up, so a request with no worker is moot.
  const whenWorker = session.worker
    ? "the worker running it acts on this within a few seconds."
    : "no worker runs it right now; it starts afresh when one picks it up.";

  const restart = useMutation(
    trpc.sessions.restart.mutationOptions({
      onSuccess: () => onNotice({ tone: "success", text: `Restart of ${session.name} requested: ${whenWorker}` }),
      onError,
    }),
  );
  const logout = useMutation(
    trpc.sessions.logout.mutationOptions({
      onSuccess: () => onNotice({ tone: "success", text: `Log-out of ${session.name} requested: ${whenWorker}` }),
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
          {restart.isPending ? "Restarting…" : "Restart"}
        </Button>
      ) : null}
      {controls.includes("logout") ? (
        <Button
          size="sm"
          variant="secondary"
          disabled={isPending}
          onClick={() => {
            if (
              window.confirm(
                `Log out ${label}? WhatsApp unlinks this computer from the phone; to use the number again, link it again.`,
              )
            )
              logout.mutate({ id: session.id });
          }}
        >
          {logout.isPending ? "Logging out…" : "Log out"}
        </Button>
      ) : null}
      {session.engine.addable ? (
        <Button
          size="sm"
          variant="secondary"
          className={DANGER_TEXT}
          disabled={isPending}
          onClick={() => {
            if (
              window.confirm(
                `Delete ${label}?\n\nThis also deletes all of its contacts and conversations, and its stored WhatsApp login. It cannot be undone.`,
              )
            )
              remove.mutate({ id: session.id });
          }}
        >
          {remove.isPending ? "Deleting…" : "Delete"}
        </Button>
      ) : null}
    </div>
  );
}
