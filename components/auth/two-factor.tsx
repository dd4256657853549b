"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { toDataURL } from "qrcode";
import { type FormEvent, useEffect, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Badge } from "~/components/ui/badge";
import { Button } from "~/components/ui/button";
import { Card, CardBody, CardHeader } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";

/** How many recovery codes a set holds (server/auth/two-factor.ts makes them). */
const RECOVERY_CODE_COUNT = 10;

/** The otpauth URI as a QR code, drawn in the browser: the secret never leaves for another service. */
function TotpQr({ uri }: { uri: string }) {
  const t = useTranslations("account.twoFactor");
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let isCurrent = true;
    void toDataURL(uri, { margin: 1, width: 224 }).then((drawn) => isCurrent && setUrl(drawn));
    return () => {
      isCurrent = false;
    };
  }, [uri]);
  return (
    <div className="flex size-56 shrink-0 items-center justify-center rounded-md border border-border bg-white p-2">
      {url ? (
        // A data URL drawn here: next/image has nothing to optimise.
        // eslint-disable-next-line @next/next/no-img-element
        <img src={url} alt={t("qrAlt")} width={208} height={208} />
      ) : (
        <span className="text-sm text-slate-600">{t("drawingQr")}</span>
      )}
    </div>
  );
}

/** Recovery codes, shown once: each signs in once in place of a code from the app. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useTranslations("account.recoveryCodes");
  return (
    <section
      aria-labelledby="recovery-codes-title"
      className="rounded-lg border border-warning/50 bg-warning/10 p-4 text-sm"
    >
      <h3 id="recovery-codes-title" className="font-semibold">
        {t("title")}
      </h3>
      <p className="mt-1">
        <strong>{t("saveNow")}</strong> {t("explain")}
      </p>
      <ul className="mt-3 grid grid-cols-2 gap-1 font-mono sm:grid-cols-5" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <Button size="sm" className="mt-3" onClick={onDone}>
        {t("saved")}
      </Button>
    </section>
  );
}

/**
 * Setting up two-factor sign-in: a QR code and the secret as text for the app, then a first code
 * to confirm it works before it is switched on, then the recovery codes.
 */
export function TwoFactorEnrolment({ onEnabled, onCancel }: { onEnabled: () => void; onCancel?: () => void }) {
  const t = useTranslations("account.twoFactor");
  const tCommon = useTranslations("common");
  const trpc = useTRPC();
  const start = useMutation(trpc.account.startTwoFactor.mutationOptions());
  const confirm = useMutation(trpc.account.confirmTwoFactor.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const { mutate: begin } = start;
  useEffect(() => begin(), [begin]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    try {
      const result = await confirm.mutateAsync({ code: formText(new FormData(event.currentTarget), "totp-code") });
      setCodes(result.recoveryCodes);
    } catch (caught) {
      const described = describeError(caught);
      setError(described.fieldErrors.code ?? described.message);
    }
  }

  if (codes) return <RecoveryCodes codes={codes} onDone={onEnabled} />;
  if (start.error) return <Alert tone="error">{describeError(start.error).message}</Alert>;
  if (!start.data) return <p className="text-sm text-muted-foreground">{t("preparing")}</p>;
  return (
    <div className="space-y-4 text-sm">
      <ol className="list-decimal space-y-1 pl-5">
        <li>{t("steps.open")}</li>
        <li>{t("steps.scan")}</li>
        <li>{t("steps.enter")}</li>
      </ol>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <TotpQr uri={start.data.uri} />
        <div className="min-w-0 space-y-3">
          <div>
            <p className="font-medium">{t("manualKey")}</p>
            <code className="mt-1 block break-all rounded bg-muted px-2 py-1 font-mono" data-testid="totp-secret">
              {start.data.secret}
            </code>
            <p className="mt-1 text-xs text-muted-foreground">{t("keyHint")}</p>
          </div>
          <form onSubmit={(event) => void onSubmit(event)} className="space-y-3" noValidate>
            <Field label={t("codeFromApp")} htmlFor="totp-code" error={error ?? undefined}>
              <Input
                id="totp-code"
                name="totp-code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={8}
                className="w-40"
                aria-invalid={Boolean(error)}
              />
            </Field>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={confirm.isPending}>
                {confirm.isPending ? t("checking") : t("turnOn")}
              </Button>
              {onCancel ? (
                <Button type="button" variant="ghost" onClick={onCancel}>
                  {tCommon("cancel")}
                </Button>
              ) : null}
            </div>
          </form>
        </div>
      </div>
    </div>
  );
}

/** A change that needs proof it is the user: a current code from the app, or the password. */
function StepUpForm({
  submitLabel,
  pending,
  onSubmit,
}: {
  submitLabel: string;
  pending: boolean;
  onSubmit: (proof: { code?: string; password?: string }) => Promise<Record<string, string> | null>;
}) {
  const t = useTranslations("account.twoFactor");
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const code = formText(form, "step-up-code");
    const password = formText(form, "step-up-password");
    setErrors((await onSubmit({ code: code || undefined, password: password || undefined })) ?? {});
  }
  return (
    <form onSubmit={(event) => void submit(event)} className="grid gap-3 sm:grid-cols-[10rem_14rem_auto]" noValidate>
      <Field label={t("codeFromApp")} htmlFor="step-up-code" error={errors.code}>
        <Input id="step-up-code" name="step-up-code" autoComplete="one-time-code" maxLength={64} />
      </Field>
      <Field label={t("orPassword")} htmlFor="step-up-password" error={errors.password}>
        <Input id="step-up-password" name="step-up-password" type="password" autoComplete="current-password" />
      </Field>
      <div className="flex items-end">
        <Button type="submit" variant="secondary" disabled={pending}>
          {submitLabel}
        </Button>
      </div>
      {errors.form ? (
        <Alert tone="error" className="sm:col-span-3">
          {errors.form}
        </Alert>
      ) : null}
    </form>
  );
}

/** The account page's two-factor card: status, set-up, new recovery codes, turning it off. */
export function TwoFactorCard() {
  const t = useTranslations("account.twoFactor");
  const tCommon = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.account.twoFactor.queryOptions());
  const [mode, setMode] = useState<"view" | "enrol" | "disable" | "codes">("view");
  const [codes, setCodes] = useState<string[] | null>(null);
  const disable = useMutation(trpc.account.disableTwoFactor.mutationOptions());
  const regenerate = useMutation(trpc.account.regenerateRecoveryCodes.mutationOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.twoFactor.queryKey() });

  const failure = (caught: unknown) => {
    const described = describeError(caught);
    return Object.keys(described.fieldErrors).length ? described.fieldErrors : { form: described.message };
  };

  let body;
  if (status.error) body = <Alert tone="error">{describeError(status.error).message}</Alert>;
  else if (!status.data) body = <p className="text-sm text-muted-foreground">{tCommon("loading")}</p>;
  else if (codes) {
    body = (
      <RecoveryCodes
        codes={codes}
        onDone={() =>
          void refresh().then(() => {
            setCodes(null);
            setMode("view");
          })
        }
      />
    );
  } else if (mode === "enrol") {
    body = (
      <TwoFactorEnrolment
        // The recovery codes stay up until the status reads "on", never a stale "off" in between.
        onEnabled={() => void refresh().then(() => setMode("view"))}
        onCancel={() => setMode("view")}
      />
    );
  } else if (!status.data.enabled) {
    body = (
      <div className="space-y-3 text-sm">
        <p>
          <Badge>{t("off")}</Badge> {t("offText")}
          {status.data.required ? ` ${t("requiredForAdmins")}` : ""}
        </p>
        <Button onClick={() => setMode("enrol")}>{t("setUp")}</Button>
      </div>
    );
  } else {
    const data = status.data;
    body = (
      <div className="space-y-4 text-sm">
        <p data-testid="two-factor-status">
          <Badge tone="success">{t("on")}</Badge>{" "}
          {data.enabledAt ? `${t("since", { since: format.dateTime(data.enabledAt, "short") })} ` : ""}
          {t("codesLeft", { left: data.recoveryCodesLeft, total: RECOVERY_CODE_COUNT })}
        </p>
        {mode === "view" ? (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setMode("codes")}>
              {t("newCodes")}
            </Button>
            {data.required ? null : (
              <Button variant="secondary" onClick={() => setMode("disable")}>
                {t("turnOff")}
              </Button>
            )}
          </div>
        ) : null}
        {mode === "codes" ? (
          <StepUpForm
            submitLabel={t("makeNewCodes")}
            pending={regenerate.isPending}
            onSubmit={async (proof) => {
              try {
                setCodes((await regenerate.mutateAsync(proof)).recoveryCodes);
                return null;
              } catch (caught) {
                return failure(caught);
              }
            }}
          />
        ) : null}
        {mode === "disable" ? (
          <StepUpForm
            submitLabel={t("turnOffSubmit")}
            pending={disable.isPending}
            onSubmit={async (proof) => {
              try {
                await disable.mutateAsync(proof);
                setMode("view");
                await refresh();
                return null;
              } catch (caught) {
                return failure(caught);
              }
            }}
          />
        ) : null}
        {data.required ? <p className="text-muted-foreground">{t("staysOn")}</p> : null}
      </div>
    );
  }

  return (
    <Card>
      <CardHeader title={t("title")} description={t("description")} />
      <CardBody>{body}</CardBody>
    </Card>
  );
}
