"use client";

import { useTranslations } from "next-intl";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input, Select } from "~/components/ui/input";

/**
 * AI replies' burst and budget settings, part of the Settings form: the quiet period before an
 * AI reply (`replyQuietMs`, server/ai/burst.ts), whether rules wait for it too (`quietBeforeRules`,
 * server/messaging/quiet.ts) and the daily budget (`aiDailyCapUsd`,
 * server/ai/usage.ts). The form sends them with the rest.
 */
export function AiRepliesCard({
  replyQuietMs,
  quietBeforeRules,
  aiDailyCapUsd,
  errors,
}: {
  replyQuietMs: number;
  quietBeforeRules: boolean;
  aiDailyCapUsd: number | null;
  errors: Record<string, string>;
}) {
  const t = useTranslations("domain.aiBudget.card");
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <Field label={t("quiet")} htmlFor="replyQuietMs" error={errors.replyQuietMs} hint={t("quietHint")}>
          <Input
            id="replyQuietMs"
            name="replyQuietMs"
            type="number"
            inputMode="numeric"
            min={0}
            max={10_000}
            step={100}
            defaultValue={replyQuietMs}
            aria-invalid={errors.replyQuietMs ? true : undefined}
          />
        </Field>
        <Field
          label={t("beforeRules")}
          htmlFor="quietBeforeRules"
          error={errors.quietBeforeRules}
          hint={t("beforeRulesHint")}
        >
          <Select id="quietBeforeRules" name="quietBeforeRules" defaultValue={quietBeforeRules ? "yes" : "no"}>
            <option value="no">{t("beforeRulesAi")}</option>
            <option value="yes">{t("beforeRulesAll")}</option>
          </Select>
        </Field>
        <Field label={t("cap")} htmlFor="aiDailyCapUsd" error={errors.aiDailyCapUsd} hint={t("capHint")}>
          <Input
            id="aiDailyCapUsd"
            name="aiDailyCapUsd"
            type="number"
            inputMode="decimal"
            min={0}
            step={0.01}
            defaultValue={aiDailyCapUsd ?? ""}
            aria-invalid={errors.aiDailyCapUsd ? true : undefined}
          />
        </Field>
      </CardBody>
    </Card>
  );
}
