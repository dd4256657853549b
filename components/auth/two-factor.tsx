"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
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

/** The otpauth URI as a QR code, drawn in the browser: the secret never leaves for another service. */
function TotpQr({ uri }: { uri: string }) {
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
        <img src={url} alt="QR code to add Switchboard to an authenticator app" width={208} height={208} />
      ) : (
        <span className="text-sm text-slate-600">Drawing the QR code…</span>
      )}
    </div>
  );
}

/** Recovery codes, shown once: each signs in once in place of a code from the app. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <section
      aria-labelledby="recovery-codes-title"
      className="rounded-lg border border-warning/50 bg-warning/10 p-4 text-sm"
    >
      <h3 id="recovery-codes-title" className="font-semibold">
        Your recovery codes
      </h3>
      <p className="mt-1">
        <strong>Save them now: you won’t see them again.</strong> Each one signs you in once if you lose your phone.
        Switchboard keeps only a hash of each.
      </p>
      <ul className="mt-3 grid grid-cols-2 gap-1 font-mono sm:grid-cols-5" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <Button size="sm" className="mt-3" onClick={onDone}>
        I have saved them
      </Button>
    </section>
  );
}

/**
 * Setting up two-factor sign-in: a QR code and the secret as text for the app, then a first code
 * to confirm it works before it is switched on, then the recovery codes.
 */
export function TwoFactorEnrolment({ onEnabled, onCancel }: { onEnabled: () => void; onCancel?: () => void }) {
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
  if (!start.data) return <p className="text-sm text-muted-foreground">Preparing…</p>;
  return (
    <div className="space-y-4 text-sm">
      <ol className="list-decimal space-y-1 pl-5">
        <li>Open an authenticator app on your phone (Google Authenticator, Authy, 1Password, Aegis…).</li>
        <li>Scan this QR code, or type the key below into the app.</li>
        <li>Enter the 6-digit code the app then shows, to switch two-factor sign-in on.</li>
      </ol>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        <TotpQr uri={start.data.uri} />
        <div className="space-y-3">
          <div>
            <p className="font-medium">Key for manual entry</p>
            <code className="mt-1 block break-all rounded bg-muted px-2 py-1 font-mono" data-testid="totp-secret">
              {start.data.secret}
            </code>
            <p className="mt-1 text-xs text-muted-foreground">Time-based, 6 digits, every 30 seconds.</p>
          </div>
          <form onSubmit={(event) => void onSubmit(event)} className="space-y-3" noValidate>
            <Field label="Code from the app" htmlFor="totp-code" error={error ?? undefined}>
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
            <div className="flex gap-2">
              <Button type="submit" disabled={confirm.isPending}>
                {confirm.isPending ? "Checking…" : "Turn on two-factor sign-in"}
              </Button>
              {onCancel ? (
                <Button type="button" variant="ghost" onClick={onCancel}>
                  Cancel
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
      <Field label="Code from the app" htmlFor="step-up-code" error={errors.code}>
        <Input id="step-up-code" name="step-up-code" autoComplete="one-time-code" maxLength={64} />
      </Field>
      <Field label="or your password" htmlFor="step-up-password" error={errors.password}>
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
  else if (!status.data) body = <p className="text-sm text-muted-foreground">Loading…</p>;
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
          <Badge>off</Badge> Signing in asks only for your password.
          {status.data.required ? " Settings require two-factor sign-in for admins." : ""}
        </p>
        <Button onClick={() => setMode("enrol")}>Set up two-factor sign-in</Button>
      </div>
    );
  } else {
    const data = status.data;
    body = (
      <div className="space-y-4 text-sm">
        <p data-testid="two-factor-status">
          <Badge tone="success">on</Badge> Since {data.enabledAt?.toLocaleString()}. {data.recoveryCodesLeft} of 10
          recovery codes left.
        </p>
        {mode === "view" ? (
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setMode("codes")}>
              New recovery codes
            </Button>
            {data.required ? null : (
              <Button variant="secondary" onClick={() => setMode("disable")}>
                Turn off
              </Button>
            )}
          </div>
        ) : null}
        {mode === "codes" ? (
          <StepUpForm
            submitLabel="Make new recovery codes"
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
            submitLabel="Turn two-factor sign-in off"
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
        {data.required ? (
          <p className="text-muted-foreground">Settings require two-factor sign-in for admins: it stays on.</p>
        ) : null}
      </div>
    );
  }

  return (
    <Card>
      <CardHeader
        title="Two-factor sign-in"
        description="A code from an authenticator app on your phone, asked after your password."
      />
      <CardBody>{body}</CardBody>
    </Card>
  );
}
