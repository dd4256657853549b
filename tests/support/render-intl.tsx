import { NextIntlClientProvider } from "next-intl";
import type { ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect } from "vitest";
import { FORMATS } from "~/server/i18n/formats";
import type { TLocale } from "~/server/i18n/locales";
import { MESSAGES } from "~/server/i18n/messages";

/**
 * Renders a component as the dashboard does (the language's catalogue and named formats, dates
 * in São Paulo's time zone) and fails on a missing message or argument.
 */
export function renderInLocale(locale: TLocale, element: ReactElement): string {
  const problems: string[] = [];
  const html = renderToStaticMarkup(
    <NextIntlClientProvider
      locale={locale}
      messages={MESSAGES[locale]}
      formats={FORMATS}
      timeZone="America/Sao_Paulo"
      onError={(error) => problems.push(error.message)}
    >
      {element}
    </NextIntlClientProvider>,
  );
  expect(problems).toEqual([]);
  return html;
}
