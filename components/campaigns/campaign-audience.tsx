"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type ReactNode, useId, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Select } from "~/components/ui/input";
import { Table, Td, Th } from "~/components/ui/table";
import { SKIP_REASONS, type TSkipReason } from "~/server/campaigns/skip-reasons";

/** A bordered panel of the campaign page: a heading, a line saying what it is for, and its body. */
function Panel({
  id,
  heading,
  description,
  children,
}: {
  id: string;
  heading: string;
  description: string;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-heading`} className="flex flex-col gap-3 rounded-md border border-border p-3">
      <h3 id={`${id}-heading`} className="text-sm font-semibold">
        {heading}
      </h3>
      <p className="text-sm text-muted-foreground">{description}</p>
      {children}
    </section>
  );
}

const isSkipReason = (reason: string): reason is TSkipReason => (SKIP_REASONS as readonly string[]).includes(reason);

/** Why a recipient gets nothing, in words (a reason the code does not know is shown as it is). */
export function useSkipText() {
  const t = useTranslations("domain.campaignResults.skip");
  return (reason: string) => (isSkipReason(reason) ? t(reason) : reason);
}

/**
 * A draft or scheduled campaign's imported list: the number whose contacts the rows are, a CSV
 * file, and what became of each row (how many recipients, new contacts, and every row left out
 * with its line and reason). Uploading again replaces the list.
 */
export function CampaignListUpload({ campaignId, sessionIds }: { campaignId: string; sessionIds: string[] }) {
  const t = useTranslations("domain.campaignResults.list");
  const td = useTranslations("domain");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const numbers = useQuery(trpc.campaigns.numbers.queryOptions());
  const summary = useQuery(trpc.campaigns.listSummary.queryOptions({ id: campaignId }));
  const [sessionId, setSessionId] = useState(sessionIds[0] ?? "");
  const [error, setError] = useState<string | null>(null);
  const upload = useMutation(
    trpc.campaigns.importList.mutationOptions({
      onSuccess: async () => {
        setError(null);
        await queryClient.invalidateQueries({ queryKey: trpc.campaigns.pathKey() });
      },
      onError: (failure) => setError(describeError(failure).message),
    }),
  );
  const result = upload.data;
  const reasonText = (reason: { key: string; values?: Record<string, string | number> }) =>
    td(reason.key as never, reason.values as never);

  return (
    <Panel id={id} heading={t("heading")} description={t("description")}>
      {summary.data ? (
        <p className="text-sm" data-testid="campaign-list-summary">
          {t("current", { count: summary.data.recipients })}
          {summary.data.variables.length > 0 ? ` ${t("variables", { list: summary.data.variables.join(", ") })}` : ""}
        </p>
      ) : null}
      <form
        className="flex flex-col gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          const file = new FormData(event.currentTarget).get("file");
          if (!(file instanceof File) || file.size === 0) return;
          setError(null);
          file.text().then(
            (csv) => upload.mutate({ campaignId, sessionId, csv, fileName: file.name }),
            () => setError(t("readFailed")),
          );
        }}
      >
        <div className="grid gap-3 md:grid-cols-2">
          <Field label={t("number")} htmlFor={`${id}-number`}>
            <Select id={`${id}-number`} value={sessionId} onChange={(event) => setSessionId(event.target.value)}>
              {(numbers.data ?? [])
                .filter((number) => sessionIds.includes(number.id))
                .map((number) => (
                  <option key={number.id} value={number.id}>
                    {number.name}
                    {number.phone ? ` (${number.phone})` : ""}
                  </option>
                ))}
            </Select>
          </Field>
          <Field label={t("file")} htmlFor={`${id}-file`}>
            <input
              id={`${id}-file`}
              name="file"
              type="file"
              accept=".csv,text/csv,text/plain"
              required
              className="w-full text-sm"
            />
          </Field>
        </div>
        <div>
          <Button type="submit" variant="secondary" disabled={upload.isPending}>
            {t("upload")}
          </Button>
        </div>
      </form>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {result ? (
        <div className="flex flex-col gap-2" role="status">
          <p className="text-sm" data-testid="campaign-list-result">
            {t("result", { recipients: result.recipients, rows: result.rows, created: result.created })}
          </p>
          {result.rejected.length > 0 ? (
            <>
              <p className="text-sm font-medium">{t("rejected", { count: result.rejected.length })}</p>
              <Table aria-label={t("rejected", { count: result.rejected.length })}>
                <thead>
                  <tr>
                    <Th scope="col">{t("line")}</Th>
                    <Th scope="col">{t("phone")}</Th>
                    <Th scope="col">{t("reason")}</Th>
                  </tr>
                </thead>
                <tbody>
                  {result.rejected.slice(0, 200).map((row) => (
                    <tr key={row.line}>
                      <Td>{format.number(row.line)}</Td>
                      <Td translate="no">{row.phone ?? ""}</Td>
                      <Td>{reasonText(row.reason)}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </>
          ) : null}
        </div>
      ) : null}
    </Panel>
  );
}

/** The preview for real contacts: one of the audience's first contacts, and the exact message they would get. */
export function CampaignPreview({ campaignId }: { campaignId: string }) {
  const t = useTranslations("domain.campaignResults.preview");
  const skipText = useSkipText();
  const trpc = useTRPC();
  const id = useId();
  const audience = useQuery(trpc.campaigns.previewAudience.queryOptions({ id: campaignId }));
  const [chosen, setChosen] = useState("");
  const contactId = chosen || audience.data?.[0]?.contactId || "";
  const preview = useQuery(
    trpc.campaigns.preview.queryOptions({ campaignId, contactId }, { enabled: contactId !== "" }),
  );

  return (
    <Panel id={id} heading={t("heading")} description={t("description")}>
      {audience.data && audience.data.length === 0 ? <p className="text-sm">{t("empty")}</p> : null}
      {audience.data && audience.data.length > 0 ? (
        <>
          <Field label={t("contact")} htmlFor={`${id}-contact`}>
            <Select
              id={`${id}-contact`}
              value={contactId}
              onChange={(event) => setChosen(event.target.value)}
              className="max-w-sm"
            >
              {audience.data.map((contact) => (
                <option key={contact.contactId} value={contact.contactId}>
                  {contact.name ? `${contact.name} (${contact.waId})` : contact.waId}
                </option>
              ))}
            </Select>
          </Field>
          <div aria-live="polite">
            {preview.error ? <Alert tone="error">{describeError(preview.error).message}</Alert> : null}
            {preview.data?.text !== null && preview.data?.text !== undefined ? (
              <figure className="flex flex-col gap-1">
                <figcaption className="text-xs text-muted-foreground">{t("message")}</figcaption>
                <p
                  className="max-w-prose rounded-md bg-muted px-3 py-2 text-sm whitespace-pre-wrap break-words"
                  data-testid="campaign-preview"
                >
                  {preview.data.text}
                </p>
              </figure>
            ) : null}
            {preview.data?.skip ? (
              <p className="text-sm" data-testid="campaign-preview">
                {t("skipped", { reason: skipText(preview.data.skip) })}
              </p>
            ) : null}
          </div>
        </>
      ) : null}
    </Panel>
  );
}
