import { expect, test } from "@playwright/test";
import { expectAccessible, login } from "./helpers";

/**
 * Issue 23's burst and budget settings in the browser: the quiet period, whether rules wait for
 * it too, and the daily AI budget are saved from the Settings page and kept; Analytics shows AI usage and today's spend against
 * the budget. (The budget is set high and removed again: specs share the database.)
 */
test("the quiet period and the daily AI budget are saved in Settings, and Analytics shows AI usage against it", async ({
  page,
}) => {
  await login(page);
  await page.goto("/settings");
  const quiet = page.getByLabel("Quiet period before an AI reply (milliseconds)");
  const budget = page.getByLabel("Daily AI budget (US dollars)");
  await expect(quiet).toHaveValue("2500");
  await budget.fill("-3");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Daily AI budget: at least 0.01 US dollars")).toBeVisible();
  try {
    await budget.fill("5000");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Daily AI budget (US dollars)")).toHaveValue("5000");
    await expect(page.getByLabel("Quiet period before an AI reply (milliseconds)")).toHaveValue("2500");
    // Rules wait too, when chosen (and back at once: other specs expect rules to answer at once).
    const beforeRules = page.getByLabel("Wait before rules too");
    await expect(beforeRules).toHaveValue("no");
    await beforeRules.selectOption({ label: "All replies (rules too)" });
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Wait before rules too")).toHaveValue("yes");
    await page.getByLabel("Wait before rules too").selectOption("no");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();

    await page.goto("/analytics");
    const section = page.getByRole("heading", { name: "AI usage and cost" });
    await expect(section).toBeVisible();
    await expect(page.getByTestId("ai-budget")).toContainText("daily budget");
    await expect(page.getByTestId("ai-budget")).toContainText("$5,000.00");
    await expectAccessible(page);
  } finally {
    await page.goto("/settings");
    await page.getByLabel("Daily AI budget (US dollars)").fill("");
    await page.getByLabel("Wait before rules too").selectOption("no");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.reload();
    await expect(page.getByLabel("Daily AI budget (US dollars)")).toHaveValue("");
  }
});
