"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { formatBytes } from "~/components/media/format-bytes";

/**
 * How long media is kept (`mediaRetentionDays`: empty keeps it forever; library files are never
 * removed), what the store holds and where, and what the last retention run freed.
 */
export function MediaStorageCard({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("mediaLibrary");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const storage = useQuery(trpc.media.storage.queryOptions());
  const settings = useQuery(trpc.settings.get.queryOptions());
  return (
    <Card>
      <CardHeader title={t("storage.title")} description={t("storage.description")} />
      <CardBody className="space-y-4">
        {/* Mounted once the settings are read; not keyed by them, so its notice outlives the refetch after saving. */}
        {settings.data ? <RetentionForm days={settings.data.mediaRetentionDays} canWrite={canWrite} /> : null}
        {storage.error ? <Alert tone="error">{describeError(storage.error).message}</Alert> : null}
        {storage.data ? (
          <dl className="grid gap-3 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-muted-foreground">{t("storage.used")}</dt>
              <dd data-testid="media-storage-used">
                {t("storage.usedValue", {
                  bytes: formatBytes(format, storage.data.bytes),
                  files: storage.data.files,
                })}
              </dd>
            </div>
            <div>
              <dt className="text-muted-foreground">{t("storage.store")}</dt>
              <dd className="break-all" translate="no">
                {storage.data.store ?? t("storage.noStore")}
              </dd>
            </div>
            <div>
              <dt className="text-muted-foreground">{t("storage.lastPrune")}</dt>
              <dd>
                {storage.data.lastPrune
                  ? t("storage.pruned", {
                      at: format.dateTime(storage.data.lastPrune.at, { dateStyle: "medium", timeStyle: "short" }),
                      files: storage.data.lastPrune.files,
                      bytes: formatBytes(format, storage.data.lastPrune.bytes),
                    })
                  : t("storage.neverPruned")}
              </dd>
            </div>
          </dl>
        ) : storage.error ? null : (
          <p className="text-sm text-muted-foreground">{tCommon("loading")}</p>
        )}
      </CardBody>
    </Card>
  );
}

function RetentionForm({ days, canWrite }: { days: number | null; canWrite: boolean }) {
  const t = useTranslations("mediaLibrary");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [value, setValue] = useState(days === null ? "" : String(days));
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const update = useMutation(trpc.settings.update.mutationOptions());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    setError(undefined);
    try {
      const saved = await update.mutateAsync({ mediaRetentionDays: value.trim() === "" ? null : value.trim() });
      await queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() });
      setNotice({
        tone: "success",
        text:
          saved.mediaRetentionDays === null
            ? t("retention.savedForever")
            : t("retention.saved", { days: saved.mediaRetentionDays }),
      });
    } catch (failure) {
      const described = describeError(failure);
      setError(described.fieldErrors.mediaRetentionDays ?? described.message);
    }
  };
  return (
    <form className="flex flex-col gap-3" onSubmit={(event) => void submit(event)}>
      <div className="flex flex-wrap items-end gap-3">
        <Field
          label={t("retention.label")}
          htmlFor={id}
          hint={t("retention.hint")}
          error={error}
          className="w-full sm:w-72"
        >
          <Input
            id={id}
            inputMode="numeric"
            value={value}
            disabled={!canWrite}
            placeholder={t("retention.placeholder")}
            onChange={(event) => setValue(event.target.value)}
          />
        </Field>
        {canWrite ? (
          <Button type="submit" disabled={update.isPending}>
            {t("retention.save")}
          </Button>
        ) : null}
      </div>
      {notice ? <Alert tone={notice.tone}>{notice.text}</Alert> : null}
    </form>
  );
}
