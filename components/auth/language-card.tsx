"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Select } from "~/components/ui/input";
import { isLocale, LOCALE_NAMES, LOCALES, type TLocale } from "~/server/i18n/locales";

/** The select's value for "follow the browser". */
const AUTOMATIC = "auto";

/**
 * The account page's language: automatic (the browser's) or one of ours, saved for the user;
 * the page then renders again in it.
 */
export function LanguageCard({ chosen }: { chosen: TLocale | null }) {
  const t = useTranslations("account.language");
  const trpc = useTRPC();
  const router = useRouter();
  const [value, setValue] = useState<string>(chosen ?? AUTOMATIC);
  const [error, setError] = useState<string | null>(null);
  const [refreshing, startRefresh] = useTransition();
  const save = useMutation(
    trpc.account.setLocale.mutationOptions({
      onSuccess: () => startRefresh(() => router.refresh()),
      onError: (caught) => setError(describeError(caught).message),
    }),
  );

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="space-y-3">
        <Field label={t("label")} htmlFor="account-language" error={error ?? undefined} className="sm:w-72">
          <Select
            id="account-language"
            value={value}
            disabled={save.isPending || refreshing}
            aria-invalid={Boolean(error)}
            onChange={(event) => {
              const next = event.target.value;
              setValue(next);
              setError(null);
              save.mutate(isLocale(next) ? next : null);
            }}
          >
            <option value={AUTOMATIC}>{t("automatic")}</option>
            {LOCALES.map((locale) => (
              <option key={locale} value={locale} lang={locale}>
                {LOCALE_NAMES[locale]}
              </option>
            ))}
          </Select>
        </Field>
        {save.isSuccess && !refreshing ? <Alert tone="success">{t("saved")}</Alert> : null}
      </CardBody>
    </Card>
  );
}
