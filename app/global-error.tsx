"use client";

import { createTranslator } from "next-intl";
import { useSyncExternalStore } from "react";
import { Button } from "~/components/ui/button";
import { negotiateLocale, type TLocale } from "~/server/i18n/locales";
import en from "~/server/i18n/messages/en/errors.json";
import es from "~/server/i18n/messages/es/errors.json";
import ptBR from "~/server/i18n/messages/pt-BR/errors.json";
import "./globals.css";

const ERRORS: Record<TLocale, typeof en> = { en, es, "pt-BR": ptBR };
const noChange = () => () => undefined;

/**
 * The browser's language: this page replaces the root layout and its provider, so it knows
 * neither the user's choice nor the request's; English while rendered on the server.
 */
function useBrowserLocale(): TLocale {
  return useSyncExternalStore(
    noChange,
    () => negotiateLocale(navigator.languages.join(",")),
    () => "en",
  );
}

/**
 * What a page shows when it fails to render (the database is down, a bug). Our own rather than
 * Next's built-in page, whose inline <style> carries no CSP nonce and is blocked (proxy.ts sets
 * the CSP). It replaces the root layout, so it brings its own <html>, stylesheet and words.
 */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const locale = useBrowserLocale();
  const t = createTranslator({ locale, messages: ERRORS[locale], namespace: "globalError" });
  return (
    <html lang={locale}>
      <body className="min-h-screen font-sans antialiased">
        <main className="flex min-h-screen items-center justify-center p-6">
          <div className="w-full max-w-sm">
            <h1 className="mb-1 text-2xl font-semibold tracking-tight">{t("title")}</h1>
            <p className="mb-6 text-sm text-muted-foreground">
              {error.digest ? t("descriptionWithReference", { reference: error.digest }) : t("description")}
            </p>
            <Button onClick={reset}>{t("retry")}</Button>
          </div>
        </main>
      </body>
    </html>
  );
}
