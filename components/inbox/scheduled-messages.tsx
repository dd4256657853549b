"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";

/** The wall-clock time in `timeZone` as a `datetime-local` input reads it (`YYYY-MM-DDTHH:mm`). */
export function wallTimeIn(at: Date, timeZone: string): string {
  // Sweden writes dates as ISO does: "2026-12-07 15:30".
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  })
    .format(at)
    .replace(" ", "T");
}

/**
 * A conversation's messages waiting for their time (scheduled from the composer or the API):
 * when, what, and Cancel. Refreshed every few seconds, so one that went out leaves the list.
 */
export function ScheduledMessages({ threadId }: { threadId: string }) {
  const trpc = useTRPC();
  const t = useTranslations("domain.scheduled.ui");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.scheduled.list.queryOptions({ threadId }), refetchInterval: 5_000 });
  const cancel = useMutation(trpc.scheduled.cancel.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rows = list.data ?? [];
  if (rows.length === 0 && !error && !notice) return null;
  return (
    <section
      aria-label={t("scheduledTitle")}
      className="min-w-0 space-y-1 border-t border-border px-3 py-2"
      data-testid="scheduled-messages"
    >
      {rows.length > 0 ? <h3 className="text-xs font-medium text-foreground/70">{t("scheduledTitle")}</h3> : null}
      <ul className="space-y-1">
        {rows.map((row) => {
          const time = format.dateTime(row.sendAt, { dateStyle: "medium", timeStyle: "short" });
          return (
            <li
              key={row.id}
              className="flex min-w-0 items-center gap-2 rounded-md bg-muted/60 px-2 py-1 text-sm"
              data-testid="scheduled-message"
            >
              <span className="shrink-0 text-xs font-medium tabular-nums">{t("scheduledFor", { time })}</span>
              <span className="min-w-0 flex-1 truncate" translate="no">
                {row.body}
              </span>
              <Button
                size="sm"
                variant="ghost"
                disabled={cancel.isPending}
                aria-label={t("cancelLabel", { time })}
                onClick={() => {
                  setError(null);
                  cancel.mutate(
                    { threadId, id: row.id },
                    {
                      onSuccess: () => setNotice(t("cancelledToast")),
                      onError: (caught) => setError(describeError(caught).message),
                      onSettled: () =>
                        void queryClient.invalidateQueries({ queryKey: trpc.scheduled.list.queryKey({ threadId }) }),
                    },
                  );
                }}
              >
                {t("cancel")}
              </Button>
            </li>
          );
        })}
      </ul>
      <p role="status" className="text-xs text-foreground/70">
        {notice}
      </p>
      {error ? <Alert tone="error">{error}</Alert> : null}
    </section>
  );
}
