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

/** A tRPC call from the signed-in page (its cookies), for set-up steps a journey does not test. */
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
