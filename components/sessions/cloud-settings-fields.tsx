"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type RefObject, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { CloudCheckResult } from "./cloud-check-result";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";

/** 24 random bytes as 32 URL-safe characters: a verify token nobody can guess. */
function randomVerifyToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** What a saved number already has, for the edit form: secrets are only "set", the token by its end. */
export type TStoredCloudSettings = {
  phoneNumberId: string | null;
  businessAccountId: string | null;
  graphVersion: string;
  accessTokenEnd: string | null;
  appSecretSet: boolean;
  verifyToken: string | null;
};

/**
 * The Cloud API settings of a number, as form fields (phone number id, business account id,
 * access token, app secret, verify token with a generated one offered, Graph API version), and
 * "Check the token", which asks Meta with what is typed (and, for a saved number, what is stored
 * where a field is blank) before anything is saved.
 */
export function CloudSettingsFields({
  idPrefix,
  formRef,
  fieldErrors,
  sessionId,
  stored,
}: {
  idPrefix: string;
  formRef: RefObject<HTMLFormElement | null>;
  fieldErrors: Record<string, string>;
  /** A saved number: blank secrets keep the stored ones, and the check fills blanks from them. */
  sessionId?: string;
  stored?: TStoredCloudSettings;
}) {
  const t = useTranslations("sessions.cloud");
  const trpc = useTRPC();
  const [verifyToken, setVerifyToken] = useState(() => (stored ? "" : randomVerifyToken()));
  const [checkErrors, setCheckErrors] = useState<Record<string, string>>({});
  const check = useMutation(trpc.sessions.checkCloudToken.mutationOptions({ onError: () => undefined }));
  const errors = { ...checkErrors, ...fieldErrors };
  const id = (name: string) => `${idPrefix}-${name}`;
  const keep = stored ? t("fields.keepHint") : undefined;

  function runCheck() {
    const form = formRef.current ? new FormData(formRef.current) : new FormData();
    setCheckErrors({});
    check.mutate(
      {
        ...(sessionId ? { id: sessionId } : {}),
        phoneNumberId: formText(form, "phoneNumberId"),
        graphVersion: formText(form, "graphVersion"),
        accessToken: formText(form, "accessToken"),
      },
      { onError: (error) => setCheckErrors(describeError(error).fieldErrors) },
    );
  }

  return (
    <div className="space-y-4">
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label={t("fields.phoneNumberId")}
          htmlFor={id("phone-number-id")}
          hint={t("fields.phoneNumberIdHint")}
          error={errors.phoneNumberId}
        >
          <Input
            id={id("phone-number-id")}
            name="phoneNumberId"
            inputMode="numeric"
            autoComplete="off"
            defaultValue={stored?.phoneNumberId ?? ""}
            aria-invalid={Boolean(errors.phoneNumberId)}
          />
        </Field>
        <Field
          label={t("fields.businessAccountId")}
          htmlFor={id("business-account-id")}
          hint={t("fields.businessAccountIdHint")}
          error={errors.businessAccountId}
        >
          <Input
            id={id("business-account-id")}
            name="businessAccountId"
            inputMode="numeric"
            autoComplete="off"
            defaultValue={stored?.businessAccountId ?? ""}
            aria-invalid={Boolean(errors.businessAccountId)}
          />
        </Field>
        <Field
          label={t("fields.accessToken")}
          htmlFor={id("access-token")}
          hint={
            stored?.accessTokenEnd
              ? t("fields.accessTokenStored", { end: stored.accessTokenEnd })
              : t("fields.accessTokenHint")
          }
          error={errors.accessToken}
        >
          <Input
            id={id("access-token")}
            name="accessToken"
            type="password"
            autoComplete="off"
            placeholder={keep}
            aria-invalid={Boolean(errors.accessToken)}
          />
        </Field>
        <Field
          label={t("fields.appSecret")}
          htmlFor={id("app-secret")}
          hint={stored?.appSecretSet ? t("fields.appSecretStored") : t("fields.appSecretHint")}
          error={errors.appSecret}
        >
          <Input
            id={id("app-secret")}
            name="appSecret"
            type="password"
            autoComplete="off"
            placeholder={keep}
            aria-invalid={Boolean(errors.appSecret)}
          />
        </Field>
        <Field
          label={t("fields.verifyToken")}
          htmlFor={id("verify-token")}
          hint={stored ? t("fields.verifyTokenStored") : t("fields.verifyTokenHint")}
          error={errors.verifyToken}
        >
          <div className="flex min-w-0 gap-2">
            <Input
              id={id("verify-token")}
              name="verifyToken"
              autoComplete="off"
              spellCheck={false}
              value={verifyToken}
              placeholder={keep}
              onChange={(event) => setVerifyToken(event.target.value)}
              className="min-w-0 font-mono text-xs"
              aria-invalid={Boolean(errors.verifyToken)}
            />
            <Button
              size="sm"
              variant="secondary"
              className="mt-0.5 shrink-0"
              onClick={() => setVerifyToken(randomVerifyToken())}
            >
              {t("fields.generate")}
            </Button>
          </div>
        </Field>
        <Field
          label={t("fields.graphVersion")}
          htmlFor={id("graph-version")}
          hint={t("fields.graphVersionHint")}
          error={errors.graphVersion}
        >
          <Input
            id={id("graph-version")}
            name="graphVersion"
            autoComplete="off"
            defaultValue={stored?.graphVersion ?? ""}
            placeholder={t("fields.graphVersionPlaceholder")}
            aria-invalid={Boolean(errors.graphVersion)}
          />
        </Field>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button size="sm" variant="secondary" disabled={check.isPending} onClick={runCheck}>
          {check.isPending ? t("check.checking") : t("check.button")}
        </Button>
        <span className="text-xs text-muted-foreground">{t("check.hint")}</span>
      </div>
      <CloudCheckResult check={check} />
    </div>
  );
}
