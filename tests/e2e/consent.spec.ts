import { expect, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, fromBot, login, PHONE, sendAsContact, startChat } from "./helpers";

const KEYWORDS = "STOP, UNSUBSCRIBE, BAJA, PARAR, CANCELAR, SAIR";

/**
 * Issue 24's consent in the browser: the opt-out keywords are shown and saved in Settings (and
 * put back: specs share the database); a contact who writes STOP is told so once and their page
 * says when they opted out; staff opt them back in, and the page says when and how, on a phone too.
 */
test("[consent] opt-out keywords in Settings; STOP opts a contact out; staff opt them back in on the contact page", async ({
  page,
  browser,
}) => {
  const suffix = Date.now().toString(36);
  await login(page);
  await page.goto("/settings");
  const keywords = page.getByLabel("Keywords", { exact: true });
  await expect(keywords).toHaveValue(KEYWORDS);
  await expect(page.getByLabel("Confirmation", { exact: true })).toHaveValue("");
  try {
    await keywords.fill(`${KEYWORDS}, E2E-QUIT`);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Keywords", { exact: true })).toHaveValue(`${KEYWORDS}, E2E-QUIT`);
    await expectAccessible(page);

    await startChat(page, "+14155550925", `Consent Contact ${suffix}`);
    await sendAsContact(page, "e2e-quit!");
    await expect(fromBot(page, "You have been unsubscribed")).toHaveCount(1);
  } finally {
    await page.goto("/settings");
    await page.getByLabel("Keywords", { exact: true }).fill(KEYWORDS);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
  }

  await page.goto("/contacts");
  await page
    .getByRole("link", { name: /Consent Contact/ })
    .first()
    .click();
  const consent = page.getByRole("group", { name: "Consent" });
  await expect(consent).toContainText("Opted out on");
  await page.getByLabel("Opted in", { exact: true }).check();
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  await expect(page.getByText("Saved.", { exact: true })).toBeVisible();
  await expect(consent).toContainText(/Opted in on .* \(by staff\)/);
  await expect(page.getByLabel("Opted out", { exact: true })).not.toBeChecked();
  await expectAccessible(page);

  const phone = await browser.newContext({ ...PHONE, storageState: await page.context().storageState() });
  const view = await phone.newPage();
  await view.goto(page.url());
  await expect(view.getByRole("group", { name: "Consent" })).toContainText(/Opted in on .* \(by staff\)/);
  await expectNoSidewaysScroll(view);
  await expectAccessible(view);
  await phone.close();
});
