import { expect, type Page, test } from "@playwright/test";
import { expectAccessible, fromBot, login, sendAsContact, startChat, USER_PASSWORD } from "./helpers";

/**
 * A new admin on a first start (this file runs before every journey: playwright.config.ts)
 * follows the getting-started checklist to a first bot reply in the Simulator, then the other
 * steps, and the checklist ticks each one from what was done; once all are, the home page is
 * today's summary.
 */
async function step(page: Page, name: "reply" | "rule" | "agent" | "hours" | "apiKey") {
  await page.goto("/");
  return page.getByTestId(`checklist-${name}`);
}

test("[admin, first start] follows the checklist to a first bot reply, and each step is ticked", async ({ page }) => {
  await login(page);
  await expect(page).toHaveURL(/\/$/);
  const checklist = page.getByTestId("checklist");
  await expect(checklist).toBeVisible();
  await expect(page.getByTestId("checklist-progress")).toHaveText("0 of 5 done");
  for (const name of ["reply", "rule", "agent", "hours", "apiKey"] as const)
    await expect(page.getByTestId(`checklist-${name}`)).toHaveAttribute("data-done", "false");
  await expectAccessible(page);

  // A first rule, from the checklist's link.
  await (await step(page, "rule")).getByRole("link", { name: "Write a rule" }).click();
  await expect(page).toHaveURL(/\/rules$/);
  await page.getByRole("button", { name: "New rule" }).click();
  await page.fill("#rule-name", "Opening hours");
  await page.getByRole("textbox", { name: "Value", exact: true }).first().fill("hours");
  await page.getByLabel("Reply text 1").fill("We are open 9 to 5, Monday to Friday.");
  await page.getByRole("button", { name: "Create rule" }).click();
  await page.getByLabel("Version note").fill("First rule");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText(/^Published version \d+\.$/)).toBeVisible();
  await expect(await step(page, "rule")).toHaveAttribute("data-done", "true");
  await expect(page.getByTestId("checklist-reply")).toHaveAttribute("data-done", "false");

  // The first bot reply, in the Simulator the checklist links to.
  await (await step(page, "reply")).getByRole("link", { name: "Open the Simulator" }).click();
  await expect(page).toHaveURL(/\/simulator$/);
  await startChat(page, "+14155550100", "First Customer");
  await sendAsContact(page, "What are your hours?");
  await expect(fromBot(page, "We are open 9 to 5, Monday to Friday.")).toBeVisible({ timeout: 20_000 });
  await expect(await step(page, "reply")).toHaveAttribute("data-done", "true");
  await expect(page.getByTestId("checklist-progress")).toHaveText("2 of 5 done");

  // An agent.
  await (await step(page, "agent")).getByRole("link", { name: "Add a user" }).click();
  await page.fill("#new-name", "First Agent");
  await page.fill("#new-email", "first-agent@e2e.test");
  await page.getByLabel("Role", { exact: true }).selectOption("agent");
  await page.fill("#new-password", USER_PASSWORD);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText("Created first-agent@e2e.test.")).toBeVisible();
  await expect(await step(page, "agent")).toHaveAttribute("data-done", "true");

  // Opening hours (the defaults, reviewed and saved).
  await (await step(page, "hours")).getByRole("link", { name: "Open Settings" }).click();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await expect(await step(page, "hours")).toHaveAttribute("data-done", "true");

  // An API key: the last step; the checklist gives way to today's summary.
  await (await step(page, "apiKey")).getByRole("link", { name: "Create a key" }).click();
  await page.getByLabel("Name", { exact: true }).fill("first key");
  await page.getByRole("checkbox", { name: /^read/ }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("button", { name: "I have copied it" }).click();
  await page.goto("/");
  await expect(page.getByTestId("checklist")).toHaveCount(0);
  await expect(page.getByTestId("today")).toBeVisible();
  await expect(page.getByTestId("today-messagesIn")).toHaveText("1");
  await expectAccessible(page);
});
