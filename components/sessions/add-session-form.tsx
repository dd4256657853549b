"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useRef, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input, Select } from "~/components/ui/input";
import { engineCan } from "~/server/sessions/engine-capabilities";
import { Alert } from "~/components/ui/alert";
import { CloudSettingsFields } from "./cloud-settings-fields";
import { CloudSetupGuide } from "./cloud-setup-guide";
import { useEngineText } from "./engine-text";

/**
 * Adds a WhatsApp number on one of the engines staff can add (as the workers published them):
 * a worker running that engine picks it up within seconds, and, for an engine that pairs by QR
 * code, its card shows the code to scan. The engine is a choice only when there is one to make.
 * An engine whose messages arrive by webhook (the Cloud API) is set up with its settings: the
 * form then walks through Meta's steps and asks for the ids and secrets (asked of the engine's
 * capabilities, never its kind).
 */
export function AddSessionForm({ onAdded }: { onAdded: (name: string, byWebhook: boolean) => void }) {
  const trpc = useTRPC();
  const t = useTranslations("sessions");
  const engineText = useEngineText();
  const queryClient = useQueryClient();
  const engines = useQuery(trpc.sessions.engines.queryOptions());
  const addable = engines.data?.filter((engine) => engine.addable) ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  const engine = addable.find((candidate) => candidate.kind === chosen) ?? addable[0];
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.sessions.create.mutationOptions());
  const createCloud = useMutation(trpc.sessions.createCloud.mutationOptions());
  const formRef = useRef<HTMLFormElement>(null);
  const byWebhook = engine ? engineCan(engine.capabilities, "webhookInbound") : false;
  const isPending = create.isPending || createCloud.isPending;
  // The engine's field shows only when there is a choice; otherwise its error goes in the alert.
  const hasShownFieldError = Object.keys(fieldErrors).some((field) => field !== "engine" || addable.length > 1);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setFieldErrors({});
    setError(null);
    try {
      const created =
        engine && byWebhook
          ? await createCloud.mutateAsync({
              name: formText(form, "name"),
              engine: engine.kind,
              phoneNumberId: formText(form, "phoneNumberId"),
              businessAccountId: formText(form, "businessAccountId"),
              graphVersion: formText(form, "graphVersion"),
              accessToken: formText(form, "accessToken"),
              appSecret: formText(form, "appSecret"),
              verifyToken: formText(form, "verifyToken"),
            })
          : await create.mutateAsync({
              name: formText(form, "name"),
              ...(engine ? { engine: engine.kind } : {}),
            });
      formElement.reset();
      await queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
      onAdded(created.name, byWebhook);
    } catch (caught) {
      const described = describeError(caught);
      setFieldErrors(described.fieldErrors);
      setError(described.message);
    }
  }

  return (
    <Card>
      <CardHeader
        title={t("add.title")}
        description={
          byWebhook
            ? t("add.descriptionWebhook")
            : engine && engineCan(engine.capabilities, "pairing.qr")
              ? t("add.descriptionQr")
              : t("add.description")
        }
      />
      <CardBody>
        <form
          ref={formRef}
          onSubmit={(event) => void onSubmit(event)}
          className="flex flex-wrap items-start gap-4"
          noValidate
          aria-label={t("add.title")}
        >
          <Field
            label={t("add.name")}
            htmlFor="new-session-name"
            hint={t("add.nameHint")}
            error={fieldErrors.name}
            className="w-full sm:w-80"
          >
            <Input
              id="new-session-name"
              name="name"
              required
              maxLength={80}
              autoComplete="off"
              aria-invalid={Boolean(fieldErrors.name)}
            />
          </Field>
          {addable.length > 1 ? (
            <Field
              label={t("add.engine")}
              htmlFor="new-session-engine"
              hint={engine ? engineText(engine).description : undefined}
              error={fieldErrors.engine}
              className="w-full sm:w-96"
            >
              <Select
                id="new-session-engine"
                name="engine"
                value={engine?.kind ?? ""}
                onChange={(event) => setChosen(event.target.value)}
                aria-invalid={Boolean(fieldErrors.engine)}
              >
                {addable.map((option) => (
                  <option key={option.kind} value={option.kind}>
                    {engineText(option).label}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          {byWebhook && engine ? (
            <div className="w-full min-w-0 space-y-4" key={engine.kind}>
              <CloudSetupGuide />
              <CloudSettingsFields idPrefix="new-session-cloud" formRef={formRef} fieldErrors={fieldErrors} />
            </div>
          ) : null}
          <Button type="submit" disabled={isPending || !engine} className={byWebhook ? undefined : "sm:mt-7"}>
            {isPending ? t("add.adding") : t("add.submit")}
          </Button>
        </form>
        {engines.data && addable.length === 0 ? (
          <Alert tone="warning" className="mt-4">
            {t("add.noEngine")}
          </Alert>
        ) : null}
        {error ? (
          <Alert tone="error" className="mt-4">
            {hasShownFieldError ? t("add.checkFields") : error}
          </Alert>
        ) : null}
      </CardBody>
    </Card>
  );
}
