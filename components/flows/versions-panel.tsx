"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import type { TFlow, TFlowDiff } from "~/server/flows/flows";
import { useStepTypeLabel } from "./labels";

/** A diff in words: steps added, removed and changed (with which fields), triggers changed. */
function DiffView({ diff }: { diff: TFlowDiff }) {
  const t = useTranslations("flows.versions");
  const typeLabel = useStepTypeLabel();
  const name = (step: { id: string; title: string; type: string }) =>
    step.title || `${typeLabel(step.type as never)} (${step.id})`;
  if (!diff.hasChanges) return <p className="text-sm text-muted-foreground">{t("noChanges")}</p>;
  return (
    <ul className="flex list-disc flex-col gap-1 pl-5 text-sm">
      {diff.added.map((step) => (
        <li key={`a${step.id}`}>{t("added", { step: name(step) })}</li>
      ))}
      {diff.removed.map((step) => (
        <li key={`r${step.id}`}>{t("removed", { step: name(step) })}</li>
      ))}
      {diff.changed.map((step) => (
        <li key={`c${step.id}`}>{t("changed", { step: name(step), fields: step.fields.join(", ") })}</li>
      ))}
      {diff.startChanged ? <li>{t("startChanged")}</li> : null}
      {diff.nameChanged ? <li>{t("nameChanged")}</li> : null}
      {diff.triggers.keywordsAdded.length > 0 ? (
        <li>{t("keywordsAdded", { keywords: diff.triggers.keywordsAdded.join(", ") })}</li>
      ) : null}
      {diff.triggers.keywordsRemoved.length > 0 ? (
        <li>{t("keywordsRemoved", { keywords: diff.triggers.keywordsRemoved.join(", ") })}</li>
      ) : null}
      {diff.triggers.firstMessageChanged ? <li>{t("firstMessageChanged")}</li> : null}
    </ul>
  );
}

/** A flow's published versions: what each changed, a version against the draft, restore into the draft. */
export function FlowVersions({
  flowId,
  canWrite,
  dirty,
  onRestored,
}: {
  flowId: string;
  canWrite: boolean;
  dirty: boolean;
  onRestored: (flow: TFlow) => void;
}) {
  const t = useTranslations("flows.versions");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versions = useQuery(trpc.flows.versions.queryOptions({ id: flowId }));
  const [compare, setCompare] = useState<{ from: number; to: number | null } | null>(null);
  const diff = useQuery({
    ...trpc.flows.diff.queryOptions({ id: flowId, from: compare?.from ?? 0, to: compare?.to ?? null }),
    enabled: compare !== null,
  });
  const restore = useMutation(
    trpc.flows.restore.mutationOptions({
      onSuccess: (flow) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
        onRestored(flow);
      },
    }),
  );
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="flex flex-col gap-3">
        {versions.error ? <Alert tone="error">{describeError(versions.error).message}</Alert> : null}
        {restore.error ? <Alert tone="error">{describeError(restore.error).message}</Alert> : null}
        {versions.data?.length === 0 ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
        <ul className="flex flex-col gap-2" aria-label={t("title")}>
          {versions.data?.map((version) => (
            <li key={version.version} className="flex flex-col gap-1 rounded-md border border-border p-2">
              <div className="flex flex-wrap items-baseline gap-2 text-sm">
                <span className="font-medium">{t("version", { version: version.version })}</span>
                <span className="text-muted-foreground">
                  {format.dateTime(version.publishedAt, { dateStyle: "medium", timeStyle: "short" })}
                  {version.publishedBy ? ` · ${version.publishedBy}` : ""}
                </span>
              </div>
              {version.note ? <p className="text-sm">{version.note}</p> : null}
              <div className="flex flex-wrap gap-1">
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setCompare({ from: version.version - 1, to: version.version })}
                >
                  {t("whatChanged")}
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setCompare({ from: version.version, to: null })}>
                  {t("compareDraft")}
                </Button>
                {canWrite ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={restore.isPending}
                    onClick={() => {
                      if (window.confirm(dirty ? t("confirmRestoreUnsaved") : t("confirmRestore")))
                        restore.mutate({ id: flowId, version: version.version });
                    }}
                  >
                    {t("restore")}
                  </Button>
                ) : null}
              </div>
              {compare &&
              (compare.to === version.version || (compare.to === null && compare.from === version.version)) ? (
                <div className="rounded-md bg-muted/50 p-2">
                  <p className="mb-1 text-xs font-medium text-muted-foreground">
                    {compare.to === null
                      ? t("againstDraft", { version: version.version })
                      : t("againstPrevious", { version: version.version })}
                  </p>
                  {diff.data ? <DiffView diff={diff.data} /> : null}
                  {diff.error ? <Alert tone="error">{describeError(diff.error).message}</Alert> : null}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}
