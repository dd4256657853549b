"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useTRPC } from "~/components/trpc/client";
import { Badge } from "~/components/ui/badge";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";

/**
 * How often the list is read again: the sweep that flags messages runs every two minutes, and
 * ages move on. Not on live message events: at a campaign's rate they come by the hundred a second.
 */
const REFRESH_MS = 60_000;

/**
 * Messages stuck now (server/delivery/stuck.ts): not taken by the engine, or taken but without a
 * delivery receipt past their threshold, each with its likely cause, its age and whether it was
 * re-sent once. Nothing to do here but look: a stuck message is neither failed nor retried by hand.
 */
export function StuckSends() {
  const trpc = useTRPC();
  const t = useTranslations("domain.deliveryStuck");
  const format = useFormatter();
  const stuck = useQuery({ ...trpc.outbox.stuck.queryOptions(), refetchInterval: REFRESH_MS });
  const now = new Date();
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody>
        <Table aria-label={t("title")}>
          <thead>
            <tr>
              <Th>{t("table.since")}</Th>
              <Th>{t("table.to")}</Th>
              <Th>{t("table.message")}</Th>
              <Th>{t("table.cause")}</Th>
            </tr>
          </thead>
          <tbody>
            {stuck.data?.map((message) => (
              <tr key={message.id} data-cause={message.cause}>
                <Td className="whitespace-nowrap">
                  {format.relativeTime(new Date(message.since), now)}
                  <div className="text-xs text-muted-foreground">
                    {message.status === "queued" ? t("status.queued") : t("status.sent")}
                  </div>
                </Td>
                <Td className="min-w-32 [overflow-wrap:anywhere]">
                  <Link
                    className="underline-offset-2 hover:underline"
                    href={`/inbox?filter=all&thread=${message.threadId}`}
                  >
                    {message.contactName ?? message.waId}
                  </Link>
                  <div className="text-xs break-all text-muted-foreground">{message.waId}</div>
                </Td>
                <Td className="max-w-md min-w-48 [overflow-wrap:anywhere]">
                  <span className="line-clamp-3">{message.body}</span>
                </Td>
                <Td className="min-w-56">
                  <Badge tone={message.cause === "not_delivered" ? "neutral" : "warning"}>
                    {t(`cause.${message.cause}.label`)}
                  </Badge>
                  {message.resent ? (
                    <Badge tone="primary" className="ml-1">
                      {t("resent")}
                    </Badge>
                  ) : null}
                  <p className="mt-1 text-xs text-muted-foreground">{t(`cause.${message.cause}.help`)}</p>
                </Td>
              </tr>
            ))}
            {stuck.data?.length === 0 ? <EmptyRow colSpan={4}>{t("empty")}</EmptyRow> : null}
          </tbody>
        </Table>
      </CardBody>
    </Card>
  );
}

/** Analytics: how many messages are stuck now, by cause, beside the delivery figures (a count of this moment, not of the range). */
export function StuckSummary({
  stuck,
}: {
  stuck: { total: number; number_disconnected: number; not_accepted: number; not_delivered: number };
}) {
  const t = useTranslations("domain.deliveryStuck");
  const format = useFormatter();
  const count = (value: number) => format.number(value);
  return (
    <p className="mt-4 text-sm text-muted-foreground" data-testid="stuck-summary">
      {stuck.total === 0
        ? t("summary.none")
        : t("summary.some", {
            total: stuck.total,
            disconnected: count(stuck.number_disconnected),
            notAccepted: count(stuck.not_accepted),
            notDelivered: count(stuck.not_delivered),
          })}{" "}
      <Link className="underline underline-offset-2" href="/outbox">
        {t("summary.link")}
      </Link>
    </p>
  );
}
