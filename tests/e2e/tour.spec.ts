import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { flattenMessages as flatten, type TMessageTree as TTree } from "../../server/i18n/flatten";
import { LOCALES, type TLocale } from "../../server/i18n/locales";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";

/**
 * Every main page, at a desktop and a phone size, in each language: nothing scrolls sideways,
 * axe finds no serious or critical violation, no catalogue key is missing, and in Spanish and
 * Portuguese no English interface text is left. Runs after the journeys, so pages show data.
 */
const PAGES: { path: string; open?: (page: Page) => Promise<void> }[] = [
  { path: "/" },
  { path: "/inbox?filter=all" },
  { path: "/teams" },
  { path: "/contacts" },
  {
    path: "/contacts",
    open: async (page) => {
      const href = await page.evaluate(
        () =>
          [...document.querySelectorAll<HTMLAnchorElement>('a[href^="/contacts/"]')]
            .map((link) => link.getAttribute("href") ?? "")
            .find((path) => /^\/contacts\/[0-9a-f-]{36}$/.test(path)) ?? "/contacts/none",
      );
      await page.goto(href);
    },
  },
  { path: "/profiles" },
  { path: "/rules" },
  { path: "/flows" },
  {
    path: "/flows",
    // A flow's editor: its canvas, a step's panel and the checks (the journeys drew some).
    open: async (page) => {
      await page.locator('main a[href^="/flows/"]').first().waitFor();
      const href = await page.evaluate(
        () =>
          [...document.querySelectorAll<HTMLAnchorElement>('a[href^="/flows/"]')]
            .map((link) => link.getAttribute("href") ?? "")
            .find((path) => /^\/flows\/[0-9a-f-]{36}$/.test(path)) ?? "/flows/none",
      );
      await page.goto(href);
      await page.locator("[data-step-id]").first().click();
    },
  },
  { path: "/campaigns" },
  { path: "/tools" },
  {
    path: "/tools",
    // A tool's editor: the parameters table, headers, profiles and the Test panel.
    open: async (page) => {
      await page
        .locator("main button")
        .filter({ hasText: /^(New tool|Nueva herramienta|Nova ferramenta)$/ })
        .click();
      await page.locator("#tool-name").waitFor();
      await page.locator("main fieldset button").first().click();
    },
  },
  { path: "/webhooks" },
  { path: "/api-keys" },
  { path: "/simulator" },
  { path: "/outbox" },
  { path: "/sessions" },
  { path: "/analytics" },
  { path: "/users" },
  { path: "/audit" },
  { path: "/settings" },
  { path: "/system" },
  { path: "/account" },
];

const SIZES = { desktop: { viewport: { width: 1440, height: 900 } }, phone: PHONE } as const;

/** The catalogues as the app loads them (server/i18n/messages/<locale>/<namespace>.json), read from disk. */
const CATALOGUES = path.resolve(import.meta.dirname, "../../server/i18n/messages");
const NAMESPACES = readdirSync(path.join(CATALOGUES, "en"))
  .filter((name) => name.endsWith(".json"))
  .map((name) => name.slice(0, -".json".length));
const MESSAGES = Object.fromEntries(
  LOCALES.map((locale) => [
    locale,
    Object.fromEntries(
      NAMESPACES.map((namespace) => [
        namespace,
        JSON.parse(readFileSync(path.join(CATALOGUES, locale, `${namespace}.json`), "utf8")) as TTree,
      ]),
    ),
  ]),
) as Record<TLocale, TTree>;
/**
 * The English interface texts that must not show in `locale`: messages that read differently
 * there, as patterns (a `{name}` argument matches any text; plurals and selects are left out).
 */
function englishPatterns(locale: TLocale): RegExp[] {
  const english = flatten(MESSAGES.en);
  const local = flatten(MESSAGES[locale]);
  const patterns: RegExp[] = [];
  for (const [key, message] of english) {
    if (local.get(key) === message || /[{<].*,|<\w/.test(message)) continue;
    const literal = message.replace(/\{\w+\}/g, "");
    if ((literal.match(/[A-Za-z]/g) ?? []).length < 4) continue;
    const pattern = message
      .split(/(\{\w+\})/)
      .map((part) => (/^\{\w+\}$/.test(part) ? ".+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/'/g, "'")))
      .join("");
    patterns.push(new RegExp(`^${pattern}$`));
  }
  return patterns;
}

/**
 * Visible text nodes, and the labels people hear or see (aria-label, title, placeholder, alt);
 * not code and names marked `translate="no"` (rule and session names, tags, queue names), nor
 * text marked as another language (`lang="en"`: the REST API's own reference).
 */
async function readableTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = node.textContent?.trim();
      if (!text || !parent || ["SCRIPT", "STYLE", "NOSCRIPT"].includes(parent.tagName)) continue;
      if (!parent.checkVisibility() && !parent.closest(".sr-only")) continue;
      if (parent.closest('code, pre, kbd, [translate="no"]')) continue;
      if (parent.closest("[lang]")?.getAttribute("lang") !== document.documentElement.lang) continue;
      texts.push(text);
    }
    for (const element of document.body.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
      for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        const value = element.getAttribute(name)?.trim();
        if (value) texts.push(value);
      }
    }
    return texts;
  });
}

const KEY_LIKE = new RegExp(`^(${NAMESPACES.join("|")})\\.[\\w.]+$`);

for (const locale of LOCALES) {
  for (const [size, options] of Object.entries(SIZES)) {
    test.describe(`main pages in ${locale} on a ${size}`, () => {
      const english = locale === "en" ? [] : englishPatterns(locale);
      let problems: string[] = [];
      test.use({ ...options, locale });
      test.beforeEach(async ({ page }) => {
        problems = [];
        page.on("console", (message) => {
          if (/MISSING_MESSAGE|INSUFFICIENT_PATH|FORMATTING_ERROR/.test(message.text()))
            problems.push(`console: ${message.text()}`);
        });
        await login(page);
      });

      for (const entry of PAGES) {
        test(`${entry.path}${entry.open ? " (one)" : ""}`, async ({ page }) => {
          await page.goto(entry.path);
          if (entry.open) await entry.open(page);
          await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
          await page.waitForLoadState("networkidle");
          expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
          await expectNoSidewaysScroll(page);
          await expectAccessible(page);
          const texts = await readableTexts(page);
          const missing = texts.filter((text) => KEY_LIKE.test(text));
          const left = texts.filter((text) => english.some((pattern) => pattern.test(text)));
          expect({ missing, english: [...new Set(left)], problems }).toEqual({
            missing: [],
            english: [],
            problems: [],
          });
        });
      }
    });
  }
}
