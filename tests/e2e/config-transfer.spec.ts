import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";

/** Exports the configuration from the page and returns the downloaded file's JSON. */
async function exportFromPage(page: Page) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export configuration" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^switchboard-config-\d{4}-\d{2}-\d{2}\.json$/);
  return JSON.parse(await readFile(await download.path(), "utf8")) as Record<string, unknown>;
}

async function upload(page: Page, document: unknown) {
  await page.getByLabel("Choose a file").setInputFiles({
    name: "config.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(document)),
  });
}

/**
 * An admin downloads the configuration, imports a copy that adds a contact field: the diff names
 * it, Apply imports it, and the same file again has nothing to change. A file that is not a
 * configuration is refused with a clear message.
 */
test("[configuration transfer] export downloads the file; import shows the diff, then applies it", async ({ page }) => {
  await login(page);
  await page.goto("/settings");
  await page.getByRole("link", { name: /Configuration transfer/ }).click();
  await expect(page.getByRole("heading", { name: "Configuration transfer" })).toBeVisible();

  const exported = await exportFromPage(page);
  expect(exported).toMatchObject({ format: "switchboard-config", version: 1 });
  expect(JSON.stringify(exported)).not.toMatch(/"secret"/);

  const changed = {
    ...exported,
    contactFields: [
      ...(exported.contactFields as unknown[]),
      { key: "e2e_config_import", label: "Imported field", type: "text", options: [] },
    ],
  };
  await upload(page, changed);
  const fields = page.locator('[data-kind="contactFields"]');
  await expect(fields).toContainText("Added (1)");
  await expect(fields).toContainText("e2e_config_import");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("The configuration was imported.")).toBeVisible();

  await upload(page, changed);
  await expect(page.getByText("This instance already has this configuration: nothing to change.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();

  await upload(page, { format: "something-else" });
  await expect(page.getByText("This is not a Switchboard configuration file.")).toBeVisible();
});

test("[configuration transfer] on a phone: export and the diff fit the screen", async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await login(page);
  await page.goto("/settings/configuration");
  const exported = await exportFromPage(page);
  await upload(page, { ...exported, teams: [{ name: "E2E imported team on a phone with a long name" }] });
  await expect(page.locator('[data-kind="teams"]')).toContainText("E2E imported team");
  await expectNoSidewaysScroll(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await context.close();
});
