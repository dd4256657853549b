import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE, sendAsContact, startChat } from "./helpers";

/**
 * Data rights (docs/data-rights.md): an admin downloads everything held about a contact as a ZIP,
 * then erases the contact after typing their name (a wrong confirmation erases nothing), at the
 * desktop and on a phone; and sets message retention on Settings, which refuses too few days.
 */

/** A contact who wrote two messages, with a number no other run of this spec uses. */
async function contactWithMessages(page: Page, label: string) {
  const suffix = String(Math.floor(Math.random() * 1000)).padStart(3, "0");
  const phone = `+14155559${suffix}`;
  const name = `Rights ${label} ${suffix}${Date.now().toString(36).slice(-4)}`;
  await startChat(page, phone, name);
  await sendAsContact(page, `Please send me my data ${suffix}`);
  await sendAsContact(page, `And then forget me ${suffix}`);
  return { phone, name };
}

for (const device of ["desktop", "phone"] as const) {
  test(`[data-rights] an admin exports a contact's data as a ZIP and erases them (${device})`, async ({
    page,
    browser,
  }) => {
    await login(page);
    const contact = await contactWithMessages(page, device);
    // The phone part runs in a phone context signed in as the same admin.
    const view =
      device === "phone"
        ? await (await browser.newContext({ ...PHONE, storageState: await page.context().storageState() })).newPage()
        : page;

    await view.goto("/contacts");
    await view.getByRole("link", { name: contact.name }).first().click();
    await view.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    const contactUrl = view.url();
    await expect(view.getByText("Data rights", { exact: true })).toBeVisible();
    if (device === "phone") await expectNoSidewaysScroll(view);
    else await expectAccessible(view);

    // Export: a ZIP (its first bytes "PK") holding contact.json.
    const downloading = view.waitForEvent("download");
    await view.getByRole("link", { name: "Export data" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const bytes = await readFile(await download.path());
    expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(bytes.includes(Buffer.from("contact.json"))).toBe(true);

    // Erase: a wrong confirmation erases nothing and says why.
    await view.getByRole("button", { name: "Erase contact…" }).click();
    const dialog = view.getByRole("dialog");
    await expect(dialog).toContainText(`Erase ${contact.name} for good?`);
    await dialog.getByLabel("Type their name or phone number").fill(`${contact.name} (not quite)`);
    const eraseButton = dialog.getByRole("button", { name: "Erase for good" });
    if (await eraseButton.isEnabled()) {
      await eraseButton.click();
      await expect(view.getByText("Type the contact's name or phone number exactly to confirm.")).toBeVisible();
    }
    await view.goto(contactUrl);
    await expect(view.getByText("Data rights", { exact: true })).toBeVisible();

    // The right confirmation (their phone number on the phone, their name at the desktop) erases them.
    await view.getByRole("button", { name: "Erase contact…" }).click();
    await view
      .getByRole("dialog")
      .getByLabel("Type their name or phone number")
      .fill(device === "phone" ? contact.phone : contact.name);
    await view.getByRole("dialog").getByRole("button", { name: "Erase for good" }).click();
    await view.waitForURL((url) => url.pathname === "/contacts");
    await expect(view.getByRole("link", { name: contact.name })).toHaveCount(0);
    await view.goto(contactUrl);
    await expect(view.getByText("Data rights", { exact: true })).toHaveCount(0);
    const gone = await view.request.get(`${contactUrl.replace("/contacts/", "/api/contacts/")}/data-export`);
    expect(gone.status()).toBe(404);
    if (view !== page) await view.context().close();
  });
}

test("[data-rights] message retention on Settings: 30 days is kept after a reload; 3 days is refused clearly", async ({
  page,
}) => {
  await login(page);
  await page.goto("/settings");
  const field = page.getByLabel("Keep messages (days)");
  await field.fill("30");
  await field.press("Enter");
  await expect(page.getByText("Messages older than 30 days are deleted every night.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Keep messages (days)")).toHaveValue("30");

  await page.getByLabel("Keep messages (days)").fill("3");
  await page.getByLabel("Keep messages (days)").press("Enter");
  await expect(page.getByText("Keep messages: at least 7 days")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Keep messages (days)")).toHaveValue("30");

  // On a phone the card fits; then back to the default (forever), so no other journey's messages age out.
  await page.setViewportSize(PHONE.viewport);
  await expect(page.getByLabel("Keep messages (days)")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.getByLabel("Keep messages (days)").fill("");
  await page.getByLabel("Keep messages (days)").press("Enter");
  await expect(page.getByText("Messages are kept forever.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Keep messages (days)")).toHaveValue("");
});
