"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "~/components/trpc/errors";
import { useTRPC } from "~/components/trpc/client";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { formText } from "~/components/ui/form-text";
import { Input } from "~/components/ui/input";
import { formatPairingCode, type TSession } from "./session-labels";

/** How long "Copied" shows on the copy button. */
const COPIED_FOR_MS = 2_000;

/**
 * Linking a number by a code typed on the phone instead of scanning the QR (WhatsApp's own words:
 * "Link with phone number instead"), for an engine with the `pairing.code` capability. Staff type
 * the number; the worker asks WhatsApp for a code, and it appears here live (the runner records it
 * with a `session.status` event), big and split in two as the phone shows it, with the steps.
 * Only staff who may restart a number may ask; others see a code already asked for.
 */
export function SessionPairingCode({ session, canWrite }: { session: TSession; canWrite: boolean }) {
  const trpc = useTRPC();
  const t = useTranslations("sessions");
  const fieldId = useId();
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  // The number asked for on this page: until its code comes, the page says it is waiting.
  const [asked, setAsked] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const request = useMutation(trpc.sessions.requestPairingCode.mutationOptions());
  const code = session.pairingCode ? formatPairingCode(session.pairingCode) : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFieldError(undefined);
    setError(null);
    try {
      const { phone } = await request.mutateAsync({
        id: session.id,
        phone: formText(new FormData(event.currentTarget), "phone"),
      });
      setAsked(phone);
    } catch (caught) {
      const described = describeError(caught);
      setFieldError(described.fieldErrors.phone);
      setError(described.fieldErrors.phone ? null : described.message);
    }
  }

  async function copy(text: string) {
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), COPIED_FOR_MS);
  }

  if (!canWrite && !code) return null;
  return (
    <section
      className="min-w-0 space-y-3 rounded-md border border-border p-4 text-sm"
      aria-labelledby={`${fieldId}-title`}
      data-testid="session-pairing"
    >
      <h3 id={`${fieldId}-title`} className="font-medium">
        {t("pairing.title")}
      </h3>
      {code ? (
        <div className="space-y-3" data-testid="session-pairing-code">
          <p>{t("pairing.codeFor", { phone: session.pairingPhone ?? "" })}</p>
          <div className="flex flex-wrap items-center gap-3">
            <output
              className="rounded-md bg-muted px-4 py-2 font-mono text-3xl font-semibold tracking-[0.2em] select-all sm:text-4xl"
              aria-label={t("pairing.codeLabel", { code: code.split("").join(" ") })}
              translate="no"
              data-testid="session-pairing-code-value"
            >
              {code}
            </output>
            <Button size="sm" variant="secondary" type="button" onClick={() => void copy(code.replace("-", ""))}>
              {copied ? t("pairing.copied") : t("pairing.copy")}
            </Button>
          </div>
          <ol className="list-decimal space-y-1 pl-5">
            <li>{t("pairing.step1")}</li>
            <li>{t.rich("pairing.step2", { strong: (chunks) => <strong>{chunks}</strong> })}</li>
            <li>{t.rich("pairing.step3", { strong: (chunks) => <strong>{chunks}</strong> })}</li>
            <li>{t("pairing.step4")}</li>
          </ol>
          <p className="text-muted-foreground">{t("pairing.expires")}</p>
        </div>
      ) : asked ? (
        <p aria-live="polite" data-testid="session-pairing-waiting">
          {t("pairing.waiting", { phone: asked })}
        </p>
      ) : (
        <p className="text-muted-foreground">{t("pairing.intro")}</p>
      )}
      {canWrite ? (
        <form
          onSubmit={(event) => void onSubmit(event)}
          className="flex flex-wrap items-start gap-3"
          noValidate
          aria-label={t("pairing.formLabel", { name: session.name })}
        >
          <Field
            label={t("pairing.phone")}
            htmlFor={`${fieldId}-phone`}
            hint={t("pairing.phoneHint")}
            error={fieldError}
            className="w-full sm:w-72"
          >
            <Input
              id={`${fieldId}-phone`}
              name="phone"
              type="tel"
              inputMode="tel"
              autoComplete="tel"
              required
              maxLength={40}
              defaultValue={session.pairingPhone ?? ""}
              aria-invalid={Boolean(fieldError)}
            />
          </Field>
          <Button type="submit" variant="secondary" disabled={request.isPending} className="sm:mt-7">
            {request.isPending ? t("pairing.asking") : code || asked ? t("pairing.askAgain") : t("pairing.ask")}
          </Button>
        </form>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
    </section>
  );
}
