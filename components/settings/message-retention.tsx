"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";

/**
 * Message retention (`messageRetentionDays`, docs/data-rights.md): messages older than the days
 * are deleted every night; empty keeps them forever.
 */
export function MessageRetentionCard({ canWrite }: { canWrite: boolean }) {
  const t = useTranslations("domain.dataRights.ui");
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.get.queryOptions());
  return (
    <Card>
      <CardHeader title={t("retentionTitle")} description={t("retentionDescription")} />
      <CardBody>
        {settings.data ? <RetentionForm days={settings.data.messageRetentionDays} canWrite={canWrite} /> : null}
        {settings.error ? <Alert tone="error">{describeError(settings.error).message}</Alert> : null}
      </CardBody>
    </Card>
  );
}

function RetentionForm({ days, canWrite }: { days: number | null; canWrite: boolean }) {
  const t = useTranslations("domain.dataRights.ui");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [value, setValue] = useState(days === null ? "" : String(days));
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const update = useMutation(trpc.settings.update.mutationOptions());
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    setError(undefined);
    try {
      const saved = await update.mutateAsync({ messageRetentionDays: value.trim() === "" ? null : value.trim() });
      await queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() });
      setNotice(
        saved.messageRetentionDays === null
          ? t("retentionSavedForever")
          : t("retentionSaved", { days: saved.messageRetentionDays }),
      );
    } catch (failure) {
      const described = describeError(failure);
      setError(described.fieldErrors.messageRetentionDays ?? described.message);
    }
  };
  return (
    <form className="flex flex-col gap-3" onSubmit={(event) => void submit(event)}>
      <div className="flex flex-wrap items-end gap-3">
        <Field
          label={t("retentionLabel")}
          htmlFor={id}
          hint={t("retentionHint")}
          error={error}
          className="w-full sm:w-72"
        >
          <Input
            id={id}
            inputMode="numeric"
            value={value}
            disabled={!canWrite}
            placeholder={t("retentionPlaceholder")}
            onChange={(event) => setValue(event.target.value)}
          />
        </Field>
        {canWrite ? (
          <Button type="submit" disabled={update.isPending}>
            {t("retentionSave")}
          </Button>
        ) : null}
      </div>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
    </form>
  );
}
