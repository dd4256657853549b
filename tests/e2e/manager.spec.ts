import { expect, type Page, test } from "@playwright/test";
import { createUser, expectAccessible, login, screenshot, trpcOutcome, USER_PASSWORD } from "./helpers";

const MANAGER = { email: "manager@e2e.test", name: "Mia Manager", role: "manager" };

/**
 * Messages the journeys (which run before this file: see playwright.config.ts) exchange at
 * least: contacts write 2 (AI) + 1 (builder) + 2 (agent); Switchboard sends 2 (AI) + 1 (builder)
 * + 3 (agent: hand-off reply, the agent's reply, the bot's answer after release) + 1 (API).
 */
const JOURNEYS_RECEIVED = 5;
const JOURNEYS_SENT = 7;

async function figure(page: Page, label: string): Promise<number> {
  const card = page.getByTestId("analytics-figure").filter({ has: page.getByText(label, { exact: true }) });
  const text = await card.locator("dd").first().innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

test("[manager] the Analytics Overview counts the journeys' messages; rules can be read but not published", async ({
  page,
}) => {
  await login(page);
  await createUser(page, MANAGER);
  await page.context().clearCookies();
  await login(page, MANAGER.email, USER_PASSWORD);

  await page.goto("/analytics");
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  const received = page.getByTestId("analytics-figure").filter({ hasText: "Messages received" });
  await expect(received.locator("dd").first()).toHaveText(/^\d[\d,]*$/);
  expect(await figure(page, "Messages received")).toBeGreaterThanOrEqual(JOURNEYS_RECEIVED);
  expect(await figure(page, "Messages sent")).toBeGreaterThanOrEqual(JOURNEYS_SENT);
  expect(await figure(page, "Handed off to people")).toBeGreaterThanOrEqual(1);
  await page.waitForLoadState("networkidle");
  await expectAccessible(page);
  await screenshot(page, "analytics");

  // Rules: readable, but there is no Publish (nor New rule) for a manager…
  await page.goto("/rules");
  await expect(page.getByRole("list", { name: "Draft rules" }).getByText("Wants a person")).toBeVisible();
  await expect(page.getByRole("button", { name: "View" }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Publish" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
  await page.getByRole("button", { name: "View" }).first().click();
  await expect(page.locator("#rule-name")).toBeDisabled();
  await expect(page.getByRole("button", { name: /^(Save|Create) rule$/ })).toHaveCount(0);

  // …and the API refuses it.
  const outcome = await trpcOutcome(page, "rules.publish", { note: "by a manager" });
  expect(outcome.errorCode).toBe("FORBIDDEN");
  expect(outcome.httpStatus).toBe(403);
});
