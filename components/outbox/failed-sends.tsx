"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useLiveEvents } from "~/components/live/use-live-events";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";

/** Sends that failed after their last try, with the error and a retry button. */
export function FailedSends({ canWrite }: { canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("outbox");
  const format = useFormatter();
  const queryClient = useQueryClient();
  const failed = useQuery(trpc.outbox.failed.queryOptions());
  const [notice, setNotice] = useState<string | null>(null);
  // A refused retry shows beside its own button.
  const [retryError, setRetryError] = useState<{ messageId: string; text: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.outbox.failed.queryKey() });
  const retry = useMutation(
    trpc.outbox.retry.mutationOptions({
      onMutate: () => {
        setNotice(null);
        setRetryError(null);
      },
      onSuccess: () => {
        setNotice(t("queued"));
        void refresh();
      },
      onError: (error, input) => setRetryError({ messageId: input.messageId, text: describeError(error).message }),
    }),
  );
  useLiveEvents((event) => {
    if (event.type === "message.failed" || event.type === "message.sent") void refresh();
  });
  return (
    <div className="space-y-4">
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <Card>
        <CardBody>
          <Table>
            <thead>
              <tr>
                <Th>{t("table.failed")}</Th>
                <Th>{t("table.to")}</Th>
                <Th>{t("table.message")}</Th>
                <Th>{t("table.error")}</Th>
                {canWrite ? (
                  <Th>
                    <span className="sr-only">{t("table.actions")}</span>
                  </Th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {failed.data?.map((message) => (
                <tr key={message.id}>
                  <Td className="whitespace-nowrap">
                    {message.failedAt ? format.dateTime(new Date(message.failedAt), "short") : null}
                  </Td>
                  <Td className="min-w-32 [overflow-wrap:anywhere]">
                    {message.contactName ?? message.waId}
                    <div className="text-xs break-all text-muted-foreground">{message.waId}</div>
                  </Td>
                  <Td className="max-w-md min-w-48 [overflow-wrap:anywhere]">
                    <span className="line-clamp-3">{message.body}</span>
                  </Td>
                  <Td className="min-w-48 [overflow-wrap:anywhere] text-destructive">{message.error}</Td>
                  {canWrite ? (
                    <Td>
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={retry.isPending}
                        aria-label={t("retryLabel", { name: message.contactName ?? message.waId })}
                        onClick={() => retry.mutate({ messageId: message.id })}
                      >
                        {t("retry")}
                      </Button>
                      {retryError?.messageId === message.id ? (
                        <p role="alert" className="mt-1 min-w-40 text-xs text-destructive">
                          {retryError.text}
                        </p>
                      ) : null}
                    </Td>
                  ) : null}
                </tr>
              ))}
              {failed.data?.length === 0 ? <EmptyRow colSpan={canWrite ? 5 : 4}>{t("empty")}</EmptyRow> : null}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
