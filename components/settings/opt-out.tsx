"use client";

import { useTranslations } from "next-intl";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";

/**
 * The opt-out keywords and their confirmation (Settings `optOut`, server/contacts/consent.ts),
 * part of the Settings form: the form sends them with the rest.
 */
export function OptOutCard({
  initial,
  errors,
}: {
  initial: { keywords: string[]; confirmation: string };
  errors: Record<string, string>;
}) {
  const t = useTranslations("domain.consent.settings");
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <Field label={t("keywords")} htmlFor="optOutKeywords" error={errors.optOutKeywords} hint={t("keywordsHint")}>
          <Input
            id="optOutKeywords"
            name="optOutKeywords"
            defaultValue={initial.keywords.join(", ")}
            aria-invalid={errors.optOutKeywords ? true : undefined}
          />
        </Field>
        <Field
          label={t("confirmation")}
          htmlFor="optOutConfirmation"
          error={errors.optOutConfirmation}
          hint={t("confirmationHint")}
        >
          <Input
            id="optOutConfirmation"
            name="optOutConfirmation"
            defaultValue={initial.confirmation}
            aria-invalid={errors.optOutConfirmation ? true : undefined}
          />
        </Field>
      </CardBody>
    </Card>
  );
}
