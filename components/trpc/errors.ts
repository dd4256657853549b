import { TRPCClientError } from "@trpc/client";
import { createTranslator } from "next-intl";
import type { AppRouter } from "~/server/api/root";
import { isLocale, type TLocale } from "~/server/i18n/locales";
import en from "~/server/i18n/messages/en/errors.json";
import es from "~/server/i18n/messages/es/errors.json";
import ptBR from "~/server/i18n/messages/pt-BR/errors.json";

const ERRORS: Record<TLocale, typeof en> = { en, es, "pt-BR": ptBR };

/** The page's language (the root layout's `<html lang>`), where no translation hook can reach. */
function pageLocale(): TLocale {
  const lang = typeof document === "undefined" ? null : document.documentElement.lang;
  return isLocale(lang) ? lang : "en";
}

/**
 * The message and per-field messages of a failed call, for forms. The server writes them in
 * the user's language; a call that never got an answer (offline, server down) says so in it too,
 * rather than the browser's "Failed to fetch".
 */
export function describeError(error: unknown): { message: string; fieldErrors: Record<string, string> } {
  const locale = pageLocale();
  const t = createTranslator({ locale, messages: ERRORS[locale], namespace: "client" });
  if (error instanceof TRPCClientError) {
    const failed = error as TRPCClientError<AppRouter>;
    if (!failed.shape) return { message: t("network"), fieldErrors: {} };
    const data = failed.data as { fieldErrors?: Record<string, string> } | undefined;
    return { message: failed.message, fieldErrors: data?.fieldErrors ?? {} };
  }
  return { message: error instanceof Error ? error.message : t("unknown"), fieldErrors: {} };
}
