import { NextIntlClientProvider } from "next-intl";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { OneTimeSecret } from "~/components/api/one-time-secret";
import { FORMATS } from "~/server/i18n/formats";
import { LOCALES, type TLocale } from "~/server/i18n/locales";
import { MESSAGES } from "~/server/i18n/messages";
import { EndpointStatus } from "./endpoint-item";
import type { TEndpoint } from "./webhook-labels";
import { WebhooksHelp } from "./webhooks-help";

/** Renders in a language; any missing message or argument fails the test instead of printing its key. */
function render(locale: TLocale, element: ReactElement): string {
  // A .test.ts file has no JSX: the provider gets its children among its props.
  const props = {
    locale,
    messages: MESSAGES[locale],
    formats: FORMATS,
    timeZone: "UTC",
    onError: (error: Error) => {
      throw error;
    },
    children: element,
  };
  return renderToStaticMarkup(createElement(NextIntlClientProvider, props));
}

describe("the Webhooks page's rich texts in every language", () => {
  for (const locale of LOCALES) {
    it(`${locale}: the help, an endpoint's state and a one-time secret render with their tags and arguments`, () => {
      const html = [
        render(locale, createElement(WebhooksHelp)),
        render(
          locale,
          createElement(EndpointStatus, {
            endpoint: {
              enabled: true,
              disabledReason: null,
              failingSince: new Date("2026-05-01T12:00:00Z"),
            } as TEndpoint,
          }),
        ),
        render(
          locale,
          createElement(OneTimeSecret, {
            title: "T",
            label: "Signing secret",
            secret: "whsec_x",
            keptAs: "x",
            onDone: () => {},
          }),
        ),
      ].join("\n");
      expect(html).toContain('<a class="underline" href="https://www.standardwebhooks.com/"');
      expect(html).toContain("<code>webhook-id</code>");
      expect(html).toContain("<strong>");
      expect(html).not.toMatch(/webhooks\.[a-z]+\.[a-zA-Z]|api\.secret|\{[a-z]+\}|<\/?(link|failed|mono)>/);
      expect(html).toContain("2026");
    });
  }
});
