"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { formText } from "~/components/ui/form-text";
import { Card, CardBody } from "~/components/ui/card";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { SECOND_FACTOR_REQUIRED, WRONG_EMAIL_OR_PASSWORD } from "~/server/auth/sign-in-messages";

/**
 * Sign-in in one or two steps: email and password, then (for an account with two-factor
 * sign-in) a code from the authenticator app or a recovery code. The second step sends the
 * password again with the code; the server keeps no half-signed-in state. A refused attempt says
 * why (wrong password or code, or throttled and for how long).
 */
export function LoginForm({ callbackUrl, initialError = null }: { callbackUrl: string; initialError?: string | null }) {
  const t = useTranslations("auth.login");
  const tCommon = useTranslations("common");
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);
  const [credentials, setCredentials] = useState<{ email: string; password: string } | null>(null);

  async function submit(email: string, password: string, code?: string) {
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email, password, code: code ?? "", redirect: false });
    setPending(false);
    if (result && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    const message = result?.error && result.error !== "CredentialsSignin" ? result.error : WRONG_EMAIL_OR_PASSWORD;
    if (message === SECOND_FACTOR_REQUIRED) {
      setCredentials({ email, password });
      return;
    }
    // A wrong password at the code step (changed meanwhile) starts over.
    if (message === WRONG_EMAIL_OR_PASSWORD) {
      setCredentials(null);
      setError(t("errors.wrongEmailOrPassword"));
      return;
    }
    // The server's own words (a wrong code, a throttled attempt), as it wrote them.
    setError(message);
  }

  function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void submit(formText(form, "email"), formText(form, "password"));
  }

  function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!credentials) return;
    const form = new FormData(event.currentTarget);
    void submit(credentials.email, credentials.password, formText(form, "code"));
  }

  return (
    <Card>
      <CardBody>
        {credentials ? (
          <form onSubmit={onCode} className="space-y-4" aria-label={t("twoFactorForm")}>
            <p className="text-sm">
              {t.rich("twoFactorOn", { email: credentials.email, strong: (chunks) => <strong>{chunks}</strong> })}
            </p>
            <Field label={t("code")} htmlFor="code" hint={t("codeHint")}>
              <Input
                id="code"
                name="code"
                autoComplete="one-time-code"
                autoCapitalize="none"
                spellCheck={false}
                required
                autoFocus
                maxLength={64}
              />
            </Field>
            {error ? <Alert tone="error">{error}</Alert> : null}
            <Button type="submit" className="w-full" disabled={pending}>
              {pending ? t("checking") : t("verify")}
            </Button>
            <Button
              type="button"
              variant="ghost"
              className="w-full"
              onClick={() => {
                setCredentials(null);
                setError(null);
              }}
            >
              {tCommon("back")}
            </Button>
          </form>
        ) : (
          <form onSubmit={onPassword} className="space-y-4">
            <Field label={t("email")} htmlFor="email">
              <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
            </Field>
            <Field label={t("password")} htmlFor="password">
              <Input id="password" name="password" type="password" autoComplete="current-password" required />
            </Field>
            {error ? <Alert tone="error">{error}</Alert> : null}
            <Button type="submit" className="w-full" disabled={pending}>
              {pending ? t("submitting") : t("submit")}
            </Button>
          </form>
        )}
      </CardBody>
    </Card>
  );
}
