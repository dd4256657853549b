"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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
  const queryClient = useQueryClient();
  const failed = useQuery(trpc.outbox.failed.queryOptions());
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.outbox.failed.queryKey() });
  const retry = useMutation(
    trpc.outbox.retry.mutationOptions({
      onSuccess: () => {
        setNotice({ tone: "success", text: "Queued again." });
        void refresh();
      },
      onError: (error) => setNotice({ tone: "error", text: describeError(error).message }),
    }),
  );
  useLiveEvents((event) => {
    if (event.type === "message.failed" || event.type === "message.sent") void refresh();
  });
  return (
    <div className="space-y-4">
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
      <Card>
        <CardBody>
          <Table>
            <thead>
              <tr>
                <Th>Failed</Th>
                <Th>To</Th>
                <Th>Message</Th>
                <Th>Error</Th>
                {canWrite ? <Th /> : null}
              </tr>
            </thead>
            <tbody>
              {failed.data?.map((message) => (
                <tr key={message.id}>
                  <Td className="whitespace-nowrap">{message.failedAt?.toLocaleString()}</Td>
                  <Td>
                    {message.contactName ?? message.waId}
                    <div className="text-xs text-muted-foreground">{message.waId}</div>
                  </Td>
                  <Td className="max-w-md truncate">{message.body}</Td>
                  <Td className="text-destructive">{message.error}</Td>
                  {canWrite ? (
                    <Td>
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={retry.isPending}
                        onClick={() => retry.mutate({ messageId: message.id })}
                      >
                        Retry
                      </Button>
                    </Td>
                  ) : null}
                </tr>
              ))}
              {failed.data?.length === 0 ? (
                <EmptyRow colSpan={5}>Nothing failed. Sends that fail after every retry show up here.</EmptyRow>
              ) : null}
            </tbody>
          </Table>
        </CardBody>
      </Card>
    </div>
  );
}
