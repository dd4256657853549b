"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Select } from "~/components/ui/input";
import { EmptyRow, Table, Td, Th } from "~/components/ui/table";
import { RECIPIENT_FILTERS, type TRecipientFilter } from "~/server/campaigns/recipient-filters";
import { useSkipText } from "./campaign-audience";
import { CampaignProgress } from "./campaigns-workspace";

/** How often the results are read again while the campaign sends. */
const POLL_MS = 2_000;
const PAGE = 50;
const MESSAGE_STATUSES = new Set(["queued", "sent", "delivered", "read", "failed"]);

/**
 * A campaign's results page: its live counters, each recipient (contact, number, state, what
 * became of the message, replied, why skipped, opted out) filtered by status and paged by
 * position, and the CSV export of them all (GET /api/campaigns/:id/export).
 */
export function CampaignResults({ id }: { id: string }) {
  const t = useTranslations("domain.campaignResults.results");
  const tf = useTranslations("domain.campaignResults.filter");
  const tState = useTranslations("domain.campaignResults.state");
  const ts = useTranslations("domain.campaigns.ui.status");
  const skipText = useSkipText();
  const format = useFormatter();
  const trpc = useTRPC();
  const fieldId = useId();
  const [status, setStatus] = useState<TRecipientFilter>("all");
  const detail = useQuery(
    trpc.campaigns.get.queryOptions(
      { id },
      {
        refetchInterval: (query) => {
          const state = query.state.data?.campaign.status;
          return state === "running" || state === "scheduled" || (query.state.data?.progress.queued ?? 0) > 0
            ? POLL_MS
            : false;
        },
      },
    ),
  );
  const sending = detail.data?.campaign.status === "running" || (detail.data?.progress.queued ?? 0) > 0;
  const recipients = useInfiniteQuery(
    trpc.campaigns.recipients.infiniteQueryOptions(
      { campaignId: id, status, limit: PAGE },
      {
        getNextPageParam: (page) => page.nextCursor ?? undefined,
        // The pages shown follow the sending live.
        refetchInterval: sending ? POLL_MS : false,
      },
    ),
  );
  if (detail.error) return <Alert tone="error">{describeError(detail.error).message}</Alert>;
  if (!detail.data) return null;
  const { campaign, progress } = detail.data;
  const rows = recipients.data?.pages.flatMap((page) => page.recipients) ?? [];

  return (
    <div className="flex flex-col gap-4">
      <p>
        <Link href="/campaigns" className="text-sm font-medium text-primary underline-offset-4 hover:underline">
          {t("back")}
        </Link>
      </p>
      <Card>
        <CardHeader title={campaign.name} actions={<Badge tone="neutral">{ts(campaign.status)}</Badge>} />
        <CardBody className="flex flex-col gap-4">
          <CampaignProgress recipientCount={campaign.recipientCount} progress={progress} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader
          title={t("heading")}
          actions={
            <a
              href={`/api/campaigns/${id}/export${status === "all" ? "" : `?status=${status}`}`}
              download
              className="inline-flex items-center rounded-md border border-border px-3 py-1.5 text-sm font-medium hover:bg-muted focus-visible:outline-2 focus-visible:outline-primary"
            >
              {t("export")}
            </a>
          }
        />
        <CardBody className="flex flex-col gap-3">
          <Field label={t("filter")} htmlFor={`${fieldId}-status`} className="max-w-xs">
            <Select
              id={`${fieldId}-status`}
              value={status}
              onChange={(event) => setStatus(event.target.value as TRecipientFilter)}
            >
              {RECIPIENT_FILTERS.map((filter) => (
                <option key={filter} value={filter}>
                  {tf(filter)}
                </option>
              ))}
            </Select>
          </Field>
          {recipients.error ? <Alert tone="error">{describeError(recipients.error).message}</Alert> : null}
          <Table aria-label={t("heading")} data-testid="campaign-recipients">
            <thead>
              <tr>
                <Th scope="col">#</Th>
                <Th scope="col">{t("contact")}</Th>
                <Th scope="col">{t("number")}</Th>
                <Th scope="col">{t("state")}</Th>
                <Th scope="col">{t("message")}</Th>
                <Th scope="col">{t("replied")}</Th>
                <Th scope="col">{t("reason")}</Th>
                <Th scope="col">{t("optedOut")}</Th>
              </tr>
            </thead>
            <tbody>
              {recipients.data && rows.length === 0 ? <EmptyRow colSpan={8}>{t("empty")}</EmptyRow> : null}
              {rows.map((row) => (
                <tr key={row.position}>
                  <Td>{format.number(row.position)}</Td>
                  <Td>
                    <Link href={`/contacts/${row.contactId}`} className="underline-offset-4 hover:underline">
                      <span className="block font-medium break-words">{row.name ?? row.phone}</span>
                    </Link>
                    {row.name ? (
                      <span className="text-xs text-muted-foreground" translate="no">
                        {row.phone}
                      </span>
                    ) : null}
                  </Td>
                  <Td translate="no">{row.number}</Td>
                  <Td>{tState(row.state)}</Td>
                  <Td>
                    {row.messageStatus
                      ? MESSAGE_STATUSES.has(row.messageStatus)
                        ? tf(row.messageStatus as "queued")
                        : row.messageStatus
                      : ""}
                  </Td>
                  <Td>{row.replied ? t("yes") : t("no")}</Td>
                  <Td>{row.reason ? skipText(row.reason) : ""}</Td>
                  <Td>{row.optedOut ? t("yes") : t("no")}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-sm text-muted-foreground" role="status">
              {t("shown", { count: rows.length })}
            </p>
            {recipients.hasNextPage ? (
              <Button
                variant="secondary"
                size="sm"
                disabled={recipients.isFetchingNextPage}
                onClick={() => void recipients.fetchNextPage()}
              >
                {t("more")}
              </Button>
            ) : null}
          </div>
        </CardBody>
      </Card>
    </div>
  );
}
