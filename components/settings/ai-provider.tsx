"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";

const code = (chunks: ReactNode) => <code className="break-all">{chunks}</code>;

/**
 * AI replies: which provider answers (Gemini with the deployment's key, else the offline
 * provider), the model (Settings override, else GEMINI_MODEL), and a "test key" button that
 * makes one real request and says plainly whether it worked.
 */
export function AiProviderCard({
  aiModel,
  error,
  canWrite,
}: {
  aiModel: string;
  error: string | undefined;
  canWrite: boolean;
}) {
  const trpc = useTRPC();
  const t = useTranslations("settings.ai");
  const format = useFormatter();
  const status = useQuery(trpc.settings.ai.queryOptions());
  const test = useMutation(trpc.settings.testAi.mutationOptions());
  const gemini = status.data?.provider === "gemini";
  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody className="grid gap-4 md:grid-cols-2">
        <div className="min-w-0 space-y-2 text-sm" aria-live="polite">
          <div className="flex items-center gap-2">
            <span className="text-muted-foreground">{t("provider")}</span>
            {status.data ? (
              <Badge tone={gemini ? "primary" : "neutral"}>{gemini ? "Gemini" : t("offline")}</Badge>
            ) : (
              <span className="text-muted-foreground">…</span>
            )}
          </div>
          {gemini && status.data ? (
            <p>
              {status.data.baseUrl
                ? t.rich("modelVia", { model: status.data.model ?? "", baseUrl: status.data.baseUrl, code })
                : t.rich("model", { model: status.data.model ?? "", code })}
            </p>
          ) : status.data ? (
            <p className="text-muted-foreground">{t.rich("noKey", { code })}</p>
          ) : null}
          {status.error ? <Alert tone="error">{describeError(status.error).message}</Alert> : null}
        </div>
        <Field label={t("modelField")} htmlFor="aiModel" error={error} hint={t("modelHint")}>
          <Input
            id="aiModel"
            name="aiModel"
            defaultValue={aiModel}
            placeholder="gemini-3.8-flash"
            aria-invalid={error ? true : undefined}
          />
        </Field>
        {canWrite ? (
          <div className="space-y-2 md:col-span-2">
            <Button variant="secondary" disabled={test.isPending || !status.data} onClick={() => test.mutate()}>
              {test.isPending ? t("testing") : t("test")}
            </Button>
            {test.data ? (
              test.data.ok ? (
                <Alert tone="success">
                  {t("works", {
                    model: test.data.model,
                    latency: format.number(test.data.latencyMs, {
                      style: "unit",
                      unit: "millisecond",
                      unitDisplay: "short",
                      maximumFractionDigits: 0,
                    }),
                  })}
                </Alert>
              ) : (
                <Alert tone="error">{test.data.reason}</Alert>
              )
            ) : null}
            {test.error ? <Alert tone="error">{describeError(test.error).message}</Alert> : null}
          </div>
        ) : null}
      </CardBody>
    </Card>
  );
}
