"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { TemplatePreview } from "./template-preview";

const WHATSAPP_MANAGER_URL = "https://business.facebook.com/wa/manage/message-templates/";

/** Meta's template statuses and categories this page has words for; any other shows as Meta wrote it. */
const KNOWN_STATUSES = ["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL"] as const;
const KNOWN_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
const known = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

const STATUS_TONES: Record<string, "success" | "warning" | "danger" | "neutral"> = {
  APPROVED: "success",
  PENDING: "warning",
  IN_APPEAL: "warning",
  REJECTED: "danger",
  PAUSED: "danger",
  DISABLED: "danger",
};

/**
 * A Cloud API number's templates as last synced: name, language, category and status (only
 * approved ones can be sent), each with a preview whose variables fill in live. Templates are
 * made and approved in Meta's WhatsApp Manager; the page says so and links there.
 */
export function TemplatesWorkspace({ sessionId, canWrite }: { sessionId: string; canWrite: boolean }) {
  const t = useTranslations("sessions.templates");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.sessions.list.queryOptions());
  const templates = useQuery(trpc.sessions.templates.queryOptions({ id: sessionId }));
  const sync = useMutation(
    trpc.sessions.syncTemplates.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sessions.templates.queryKey({ id: sessionId }) }),
    }),
  );
  const session = sessions.data?.find((candidate) => candidate.id === sessionId);
  const syncedAt = templates.data?.reduce<Date | null>(
    (latest, row) => (!latest || row.syncedAt > latest ? row.syncedAt : latest),
    null,
  );

  return (
    <div className="min-w-0 space-y-6">
      <Card>
        <CardBody className="space-y-3 text-sm">
          <p>
            {t.rich("intro", {
              name: session?.name ?? "…",
              strong: (chunks) => <strong>{chunks}</strong>,
              manager: (chunks) => (
                <a
                  href={WHATSAPP_MANAGER_URL}
                  target="_blank"
                  rel="noreferrer"
                  className="font-medium text-primary underline underline-offset-2"
                >
                  {chunks}
                </a>
              ),
            })}
          </p>
          <p className="text-muted-foreground">
            {syncedAt ? t("syncedAt", { when: format.dateTime(syncedAt, "short") }) : t("neverSynced")}
          </p>
          <div className="flex flex-wrap gap-2">
            {canWrite ? (
              <Button size="sm" disabled={sync.isPending} onClick={() => sync.mutate({ id: sessionId })}>
                {sync.isPending ? t("syncing") : t("sync")}
              </Button>
            ) : null}
            <Link
              href="/sessions"
              className="inline-flex h-8 items-center rounded-md border border-border bg-card px-3 text-sm font-medium hover:bg-muted"
            >
              {t("back")}
            </Link>
          </div>
          {sync.data && !sync.isPending ? (
            <Alert tone="success">
              <span data-testid="cloud-sync-result">{t("synced", sync.data)}</span>
            </Alert>
          ) : null}
          {sync.error && !sync.isPending ? <Alert tone="error">{describeError(sync.error).message}</Alert> : null}
        </CardBody>
      </Card>
      {templates.error ? <Alert tone="error">{describeError(templates.error).message}</Alert> : null}
      {templates.isPending ? <p className="text-sm text-muted-foreground">{tCommon("loading")}</p> : null}
      {templates.data?.length === 0 ? <Alert>{t("empty")}</Alert> : null}
      {templates.data?.map((template) => {
        const approved = template.status === "APPROVED";
        return (
          <Card key={template.id} data-testid="template-card" data-template={`${template.name}:${template.language}`}>
            <CardHeader
              title={
                <span className="break-all" translate="no">
                  {template.name}
                </span>
              }
              description={
                approved
                  ? t("language", { language: template.language })
                  : t("notSendable", { language: template.language })
              }
              actions={
                <div className="flex flex-wrap gap-2">
                  {template.category ? (
                    <Badge tone="neutral">
                      {known(KNOWN_CATEGORIES, template.category)
                        ? t(`category.${template.category}`)
                        : template.category.toLowerCase()}
                    </Badge>
                  ) : null}
                  <Badge tone={STATUS_TONES[template.status] ?? "neutral"} data-testid="template-status">
                    {known(KNOWN_STATUSES, template.status)
                      ? t(`status.${template.status}`)
                      : template.status.toLowerCase()}
                  </Badge>
                </div>
              }
            />
            <CardBody>
              <TemplatePreview shape={template.shape} name={template.name} />
            </CardBody>
          </Card>
        );
      })}
    </div>
  );
}
