"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";

/**
 * The browser and system of a user agent ("Chrome", "Linux"), names that need no translating;
 * null for no user agent. When no browser is recognised, the start of the user agent as `browser`.
 */
export function describeUserAgent(userAgent: string | null): { browser: string; system: string | null } | null {
  if (!userAgent) return null;
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
  if (browser) return { browser, system };
  return { browser: userAgent.slice(0, 60), system: null };
}

/** The account page's list of the user's own live sessions, with sign-out for the others. */
export function SessionsCard() {
  const t = useTranslations("account.sessions");
  const format = useFormatter();
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
          text: t("signedOutOthers", { count: result.ended }),
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
        title={t("title")}
        description={t("description")}
        actions={
          <Button
            size="sm"
            variant="secondary"
            disabled={others === 0 || revokeOthers.isPending}
            onClick={() => revokeOthers.mutate()}
          >
            {t("signOutOthers")}
          </Button>
        }
      />
      <CardBody className="space-y-3">
        {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
        {sessions.error ? <Alert tone="error">{describeError(sessions.error).message}</Alert> : null}
        <Table>
          <thead>
            <tr>
              <Th>{t("browser")}</Th>
              <Th>{t("address")}</Th>
              <Th>{t("signedIn")}</Th>
              <Th>{t("lastActive")}</Th>
              <Th>
                <span className="sr-only">{t("actions")}</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {sessions.data?.length === 0 ? <EmptyRow colSpan={5}>{t("none")}</EmptyRow> : null}
            {sessions.data?.map((session) => {
              const agent = describeUserAgent(session.userAgent);
              return (
                <tr key={session.id} data-testid="account-session">
                  <Td title={session.userAgent ?? undefined}>
                    {!agent
                      ? t("unknownBrowser")
                      : agent.system
                        ? t("browserOn", { browser: agent.browser, system: agent.system })
                        : agent.browser}
                  </Td>
                  <Td className="font-mono break-all">{session.ip ?? t("unknownAddress")}</Td>
                  <Td>{format.dateTime(session.createdAt, "short")}</Td>
                  <Td>{format.dateTime(session.lastSeenAt, "short")}</Td>
                  <Td className="text-right">
                    {session.current ? (
                      <Badge tone="primary">{t("thisSession")}</Badge>
                    ) : (
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ id: session.id })}
                      >
                        {t("signOut")}
                      </Button>
                    )}
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}
