"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";

/** "Chrome on Linux" from a user agent, or the start of it when no browser is recognised. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown browser";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser) return system ? `${browser} on ${system}` : browser;
  return userAgent.slice(0, 60);
}

/** The account page's list of the user's own live sessions, with sign-out for the others. */
export function SessionsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const onError = (error: unknown) => setNotice({ tone: "error", text: describeError(error).message });
  const revoke = useMutation(trpc.account.revokeSession.mutationOptions({ onSuccess: refresh, onError }));
  const revokeOthers = useMutation(
    trpc.account.revokeOtherSessions.mutationOptions({
      onSuccess: (result) => {
        setNotice({
          tone: "success",
          text: `Signed out ${result.ended} other session${result.ended === 1 ? "" : "s"}.`,
        });
        void refresh();
      },
      onError,
    }),
  );
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;

  return (
    <Card>
      <CardHeader
        title="Where you are signed in"
        description="Sessions end after 12 hours, when you sign out, or when you sign them out here."
        actions={
          <Button
            size="sm"
            variant="secondary"
            disabled={others === 0 || revokeOthers.isPending}
            onClick={() => revokeOthers.mutate()}
          >
            Sign out all other sessions
          </Button>
        }
      />
      <CardBody className="space-y-3">
        {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
        {sessions.error ? <Alert tone="error">{describeError(sessions.error).message}</Alert> : null}
        <Table>
          <thead>
            <tr>
              <Th>Browser</Th>
              <Th>Address</Th>
              <Th>Signed in</Th>
              <Th>Last active</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.length === 0 ? <EmptyRow colSpan={5}>No sessions.</EmptyRow> : null}
            {sessions.data?.map((session) => (
              <tr key={session.id} data-testid="account-session">
                <Td title={session.userAgent ?? undefined}>{describeUserAgent(session.userAgent)}</Td>
                <Td className="font-mono">{session.ip ?? "unknown"}</Td>
                <Td>{session.createdAt.toLocaleString()}</Td>
                <Td>{session.lastSeenAt.toLocaleString()}</Td>
                <Td className="text-right">
                  {session.current ? (
                    <Badge tone="primary">this session</Badge>
                  ) : (
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={revoke.isPending}
                      onClick={() => revoke.mutate({ id: session.id })}
                    >
                      Sign out
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
