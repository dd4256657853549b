import { mkdir } from "node:fs/promises";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { E2E } from "./stack";

const SCREENSHOTS = path.resolve(import.meta.dirname, "../../docs/screenshots");

export async function login(page: Page, email = E2E.adminEmail, password = E2E.adminPassword) {
  await page.goto("/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** A tRPC query from the signed-in page (its cookies), for set-up steps a journey does not test. */
export async function trpcQuery<T = unknown>(page: Page, procedure: string, input?: unknown): Promise<T> {
  const result = await page.evaluate(
    async ({ procedure, input }) => {
      const query = new URLSearchParams({ batch: "1", input: JSON.stringify({ 0: { json: input ?? null } }) });
      const response = await fetch(`/api/trpc/${procedure}?${query.toString()}`);
      return (await response.json()) as [{ result?: { data: { json: unknown } }; error?: unknown }];
    },
    { procedure, input },
  );
  const [first] = result;
  if (!first?.result) throw new Error(`${procedure} failed: ${JSON.stringify(first?.error)}`);
  return first.result.data.json as T;
}

/** A tRPC mutation from the signed-in page (its cookies), for set-up steps a journey does not test. */
export async function trpc<T = unknown>(page: Page, procedure: string, input: unknown): Promise<T> {
  const result = await page.evaluate(
    async ({ procedure, input }) => {
      const response = await fetch(`/api/trpc/${procedure}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ 0: { json: input } }),
      });
      return (await response.json()) as [{ result?: { data: { json: unknown } }; error?: unknown }];
    },
    { procedure, input },
  );
  const [first] = result;
  if (!first?.result) throw new Error(`${procedure} failed: ${JSON.stringify(first?.error)}`);
  return first.result.data.json as T;
}

/** A screenshot for the README's tour (docs/screenshots, made anew by every run). */
export async function screenshot(page: Page, name: string) {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** No serious or critical accessibility violations on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
  expect(bad).toEqual([]);
}

/** What a tRPC call answered: its data, or the error's code ("FORBIDDEN", …). */
export async function trpcOutcome(
  page: Page,
  procedure: string,
  input: unknown,
): Promise<{ data?: unknown; errorCode?: string; httpStatus: number }> {
  return page.evaluate(
    async ({ procedure, input }) => {
      const response = await fetch(`/api/trpc/${procedure}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ 0: { json: input } }),
      });
      const [first] = (await response.json()) as [
        { result?: { data: { json: unknown } }; error?: { json: { data?: { code?: string } } } },
      ];
      return { data: first.result?.data.json, errorCode: first.error?.json.data?.code, httpStatus: response.status };
    },
    { procedure, input },
  );
}

/** The password every user the journeys create signs in with. */
export const USER_PASSWORD = "e2e-user-password-1";

/** A user made by the signed-in admin (a set-up step; the agent journey makes its user in the Users page). */
export async function createUser(page: Page, user: { email: string; name: string; role: string }) {
  await trpc(page, "users.create", { ...user, password: USER_PASSWORD });
}

/** Opens the Simulator as a new contact (`phone`, `name`), ready to write. */
export async function startChat(page: Page, phone: string, name: string) {
  await page.goto("/simulator");
  await page.fill("#sim-phone", phone);
  await page.fill("#sim-name", name);
  await page.getByRole("button", { name: "Start chatting" }).click();
  await expect(page.getByText(`You are writing as ${phone}`)).toBeVisible();
}

/** Writes `text` as the open Simulator contact. */
export async function sendAsContact(page: Page, text: string) {
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
  await expect(page.getByTestId("from-contact").filter({ hasText: text })).toBeVisible();
}

/** The bot's (or an agent's) message in the open Simulator chat whose text is `text`. */
export function fromBot(page: Page, text: string | RegExp) {
  return page.getByTestId("chat").getByTestId("from-bot").filter({ hasText: text });
}

/** A phone: 390 × 844 CSS pixels, touch. */
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } as const;

/**
 * The page is no wider than the viewport (nothing scrolls sideways). Measured against the
 * configured viewport, not `innerWidth`: a mobile browser (`isMobile`) widens its layout viewport
 * to fit a page that overflows, and `innerWidth` with it, so that comparison could never fail.
 */
export async function expectNoSidewaysScroll(page: Page) {
  const viewport = page.viewportSize()?.width ?? (await page.evaluate(() => window.innerWidth));
  const { width, culprits } = await page.evaluate((limit) => {
    // What sticks out, for the failure message: the outermost elements whose right edge passes the viewport.
    const out = [...document.querySelectorAll<HTMLElement>("body *")].filter(
      (element) => element.getBoundingClientRect().right > limit + 0.5,
    );
    const outermost = out.filter((element) => !out.includes(element.parentElement!));
    const describe = (element: HTMLElement) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""}${
        element.getAttribute("data-testid") ? `[data-testid=${element.getAttribute("data-testid")}]` : ""
      }.${[...element.classList].slice(0, 6).join(".")} (right edge ${Math.round(element.getBoundingClientRect().right)}px)`;
    return { width: document.documentElement.scrollWidth, culprits: outermost.slice(0, 5).map(describe) };
  }, viewport);
  expect(
    width,
    `the page is ${width}px wide in a ${viewport}px viewport; sticking out: ${culprits.join("; ") || "nothing visible"}`,
  ).toBeLessThanOrEqual(viewport);
}
