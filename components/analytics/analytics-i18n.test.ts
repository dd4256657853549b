import { NextIntlClientProvider } from "next-intl";
import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FORMATS } from "~/server/i18n/formats";
import { LOCALES, type TLocale } from "~/server/i18n/locales";
import { MESSAGES } from "~/server/i18n/messages";
import type { TFigures } from "~/server/analytics/overview";
import { AgentsTable } from "./agents-table";
import { BusiestHours } from "./busiest-hours";
import { OverviewCards } from "./overview-cards";
import { RulesTable } from "./rules-table";

/** Renders in a language; any missing message or argument fails the test instead of printing its key. */
function render(locale: TLocale, element: ReactElement): string {
  // A .test.ts file has no JSX: the provider gets its children among its props.
  const props = {
    locale,
    messages: MESSAGES[locale],
    formats: FORMATS,
    timeZone: "America/Sao_Paulo",
    onError: (error: Error) => {
      throw error;
    },
    children: element,
  };
  return renderToStaticMarkup(createElement(NextIntlClientProvider, props));
}

const figures = (scale: number): TFigures => ({
  messagesIn: 12345 * scale,
  messagesOut: 1100 * scale,
  activeContacts: 40 * scale,
  newContacts: 3 * scale,
  activeThreads: 50 * scale,
  botResolvedThreads: 30 * scale,
  handedOffThreads: 1 * scale,
  handoffRate: 0.02 * scale,
  firstResponse: {
    bot: { median: 850, p90: 1_200, count: 1 * scale },
    human: { median: 240_000, p90: 600_000, count: 2 },
  },
  delivery: { sent: 10, delivered: 9, read: 8, failed: 1, successRate: 0.9 },
  webhooks: { attempts: 1, succeeded: 1, successRate: 1 },
  ai: { calls: 0, latencyP50: null, latencyP95: null, fallbackRate: null },
});

describe("the Analytics page in every language", () => {
  for (const locale of LOCALES) {
    it(`${locale}: the figures, tables and heatmap render with every message and argument`, () => {
      const html = [
        render(locale, createElement(OverviewCards, { current: figures(2), previous: figures(1) })),
        render(
          locale,
          createElement(BusiestHours, { cells: [{ weekday: 1, hour: 9, messages: 1 }], isPending: false }),
        ),
        render(
          locale,
          createElement(RulesTable, {
            rows: [
              {
                ruleId: "r1",
                name: "Prices",
                evaluations: 1500,
                matches: 3,
                matchRate: 0.002,
                lastFiredAt: new Date("2026-05-01T12:00:00Z"),
                followedByHandoff: 1,
              },
            ],
            isPending: false,
          }),
        ),
        render(locale, createElement(AgentsTable, { rows: [], isPending: false })),
      ].join("\n");
      expect(html).not.toMatch(/analytics\.|\{[a-z]+\}/);
      if (locale === "en") {
        expect(html).toContain("Messages received");
        expect(html).toContain("24,690");
        expect(html).toContain("2 replies");
      } else {
        expect(html).not.toContain("Messages received");
        expect(html).toContain("24.690");
      }
    });
  }
});
