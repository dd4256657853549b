"use client";

import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { setSignInLocale } from "~/app/login/actions";
import { Select } from "~/components/ui/input";
import { LOCALE_NAMES, LOCALES } from "~/server/i18n/locales";

/** The sign-in page's small language select: before anyone signs in, the choice is a cookie. */
export function SignInLanguage() {
  const t = useTranslations("auth.login");
  const locale = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <label className="mt-6 flex items-center justify-center gap-2 text-sm text-muted-foreground">
      <span>{t("language")}</span>
      <Select
        className="w-auto"
        value={locale}
        disabled={pending}
        onChange={(event) => {
          const next = event.target.value;
          startTransition(async () => {
            await setSignInLocale(next);
            router.refresh();
          });
        }}
      >
        {LOCALES.map((option) => (
          <option key={option} value={option} lang={option}>
            {LOCALE_NAMES[option]}
          </option>
        ))}
      </Select>
    </label>
  );
}
