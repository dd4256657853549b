"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useEffect, useId, useState } from "react";
import { formatBytes } from "~/components/media/format-bytes";
import { useTRPC } from "~/components/trpc/client";
import { describeError } from "~/components/trpc/errors";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { ConfirmDialog } from "~/components/ui/confirm-dialog";
import type { TSourceRow } from "~/server/knowledge/sources";

/** How often the list is read again while a source waits or is being indexed. */
const POLL_MS = 1_500;

const STATUS_TONES = {
  pending: "neutral",
  indexing: "primary",
  indexed: "success",
  failed: "danger",
} as const;

/** A collection's sources: kind, status (a progress bar while indexing, the reason when failed), size, passages. */
export function SourceList({ collectionId, canWrite }: { collectionId: string; canWrite: boolean }) {
  const t = useTranslations("domain.knowledgeUi.ui.sources");
  const trpc = useTRPC();
  const sources = useQuery(
    trpc.knowledge.sources.queryOptions(
      { collectionId },
      {
        refetchInterval: (query) =>
          query.state.data?.some((source) => source.status === "pending" || source.status === "indexing")
            ? POLL_MS
            : false,
      },
    ),
  );
  // The collections list counts passages: read it again whenever the sources were (indexing ends).
  const queryClient = useQueryClient();
  const readAt = sources.dataUpdatedAt;
  useEffect(() => {
    if (readAt > 0) void queryClient.invalidateQueries({ queryKey: trpc.knowledge.collections.queryKey() });
  }, [readAt, queryClient, trpc]);
  return (
    <Card>
      <CardHeader title={t("heading")} />
      <CardBody>
        {sources.error ? <Alert tone="error">{describeError(sources.error).message}</Alert> : null}
        {sources.data && sources.data.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t("empty")}</p>
        ) : null}
        {sources.data && sources.data.length > 0 ? (
          <ul className="flex flex-col divide-y divide-border" aria-label={t("heading")}>
            {sources.data.map((source) => (
              <SourceItem key={source.id} source={source} canWrite={canWrite} />
            ))}
          </ul>
        ) : null}
      </CardBody>
    </Card>
  );
}

function SourceItem({ source, canWrite }: { source: TSourceRow; canWrite: boolean }) {
  const t = useTranslations("domain.knowledgeUi.ui.sources");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const passagesId = useId();
  const [showPassages, setShowPassages] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
  const reindex = useMutation(
    trpc.knowledge.reindex.mutationOptions({
      onSuccess: invalidate,
      onError: (error) => setFailure(describeError(error).message),
    }),
  );
  const remove = useMutation(
    trpc.knowledge.deleteSource.mutationOptions({
      onSuccess: invalidate,
      onError: (error) => setFailure(describeError(error).message),
    }),
  );
  const working = source.status === "pending" || source.status === "indexing";
  const updated = source.indexedAt ?? source.updatedAt;

  return (
    <li className="flex flex-col gap-2 py-3" data-testid="knowledge-source" aria-busy={working}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium break-words" translate="no">
            {source.title}
          </p>
          <p className="text-xs break-all text-muted-foreground" translate="no">
            {source.url ?? source.fileName ?? ""}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Badge>{t(`kinds.${source.kind}`)}</Badge>
          <Badge tone={STATUS_TONES[source.status]}>{t(`status.${source.status}`)}</Badge>
        </div>
      </div>

      {source.status === "indexing" ? (
        <div
          role="progressbar"
          aria-label={t("progress")}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={source.progress}
          className="h-2 w-full overflow-hidden rounded-full bg-muted"
        >
          <div className="h-full bg-primary transition-[width]" style={{ width: `${source.progress}%` }} />
        </div>
      ) : null}
      {source.status === "failed" && source.error ? (
        <Alert tone="error">
          <span className="font-medium">{t("failedBecause")}</span> {source.error}
        </Alert>
      ) : null}
      {source.status === "indexed" && source.error ? <Alert tone="warning">{source.error}</Alert> : null}

      <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        <div className="flex gap-1">
          <dt>{t("size")}</dt>
          <dd>{formatBytes(format, source.sizeBytes)}</dd>
        </div>
        <div className="flex gap-1">
          <dt>{t("passages")}</dt>
          <dd>{format.number(source.passageCount)}</dd>
        </div>
        <div className="flex gap-1">
          <dt>{t("updated")}</dt>
          <dd>
            <time dateTime={new Date(updated).toISOString()}>{format.dateTime(new Date(updated), "short")}</time>
          </dd>
        </div>
        {source.kind === "url" ? (
          <div className="flex gap-1">
            <dt className="sr-only">{t("refreshLabel")}</dt>
            <dd>{source.refreshHours ? t("refreshEvery", { hours: source.refreshHours }) : t("fetchedOnce")}</dd>
          </div>
        ) : null}
      </dl>

      {failure ? <Alert tone="error">{failure}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="secondary"
          aria-expanded={showPassages}
          aria-controls={passagesId}
          disabled={source.passageCount === 0 && !showPassages}
          onClick={() => setShowPassages((shown) => !shown)}
        >
          {showPassages ? t("hidePassages") : t("showPassages")}
        </Button>
        {canWrite ? (
          <>
            <Button
              size="sm"
              variant="secondary"
              disabled={working || reindex.isPending}
              onClick={() => reindex.mutate({ sourceId: source.id })}
            >
              {t("reindex")}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirming(true)}>
              {t("delete")}
            </Button>
          </>
        ) : null}
      </div>
      <div id={passagesId}>{showPassages ? <PassageViewer source={source} /> : null}</div>
      {confirming ? (
        <ConfirmDialog
          title={t("deleteTitle", { title: source.title })}
          confirmLabel={t("delete")}
          tone="destructive"
          onConfirm={() => {
            setConfirming(false);
            remove.mutate({ id: source.id });
          }}
          onCancel={() => setConfirming(false)}
        >
          {t("deleteBody")}
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

/** A source's passages, as stored and searched, fifty at a time. */
function PassageViewer({ source }: { source: TSourceRow }) {
  const t = useTranslations("domain.knowledgeUi.ui.passages");
  const trpc = useTRPC();
  const passages = useInfiniteQuery(
    trpc.knowledge.passages.infiniteQueryOptions(
      { sourceId: source.id, limit: 50 },
      {
        initialCursor: -1,
        getNextPageParam: (page) => page.nextAfter ?? undefined,
      },
    ),
  );
  const rows = passages.data?.pages.flatMap((page) => page.passages) ?? [];
  return (
    <section
      aria-label={t("heading", { title: source.title })}
      className="rounded-md border border-border bg-muted/40 p-3"
    >
      {passages.error ? <Alert tone="error">{describeError(passages.error).message}</Alert> : null}
      {passages.data && rows.length === 0 ? <p className="text-sm text-muted-foreground">{t("empty")}</p> : null}
      <ol className="flex flex-col gap-3" data-testid="knowledge-passages">
        {rows.map((passage) => (
          <li key={passage.id} className="rounded-md bg-card p-3 text-sm shadow-sm">
            <p className="flex flex-wrap items-center justify-between gap-2 text-xs text-muted-foreground">
              <span className="font-medium text-foreground" translate="no">
                {passage.title}
              </span>
              <span>
                {t("position", { n: passage.position + 1 })} · {passage.embedded ? t("embedded") : t("textOnly")}
              </span>
            </p>
            <p className="mt-1 whitespace-pre-wrap break-words" translate="no">
              {passage.body}
            </p>
          </li>
        ))}
      </ol>
      {passages.hasNextPage ? (
        <Button
          size="sm"
          variant="secondary"
          className="mt-3"
          disabled={passages.isFetchingNextPage}
          onClick={() => void passages.fetchNextPage()}
        >
          {t("more")}
        </Button>
      ) : null}
    </section>
  );
}
