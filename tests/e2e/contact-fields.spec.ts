import { expect, test } from "@playwright/test";
import { expectAccessible, login, sendAsContact, startChat } from "./helpers";

/**
 * An admin defines a contact field and a secret in Settings, sets the field on a contact's page,
 * finds the contact by it in the list, and the secret's value is never shown again.
 */
test("[contact fields] defined in Settings, set on the contact page, filtered on in the list", async ({ page }) => {
  await login(page);
  await startChat(page, "+14155550171", "Field Tester");
  await sendAsContact(page, "Hello");

  await page.goto("/settings");
  const fields = page.getByRole("form", { name: "Add field" });
  await fields.getByLabel("Label").fill("Membership tier");
  await fields.getByLabel("Key").fill("e2e_tier");
  await fields.getByLabel("Type").selectOption("choice");
  await fields.getByLabel("Options").fill("Gold, Silver");
  await fields.getByRole("button", { name: "Add field" }).click();
  await expect(page.getByRole("list", { name: "Contact fields" })).toContainText("field.e2e_tier");

  const secrets = page.getByRole("form", { name: "Add secret" });
  await secrets.getByLabel("Name").fill("E2E_TOKEN");
  await secrets.getByLabel("Value").fill("e2e-super-secret-value");
  await secrets.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByRole("list", { name: "Secrets" })).toContainText("E2E_TOKEN");
  await page.reload();
  await expect(page.getByRole("list", { name: "Secrets" })).toContainText("E2E_TOKEN");
  await expect(page.getByText("e2e-super-secret-value")).toHaveCount(0);
  await expectAccessible(page);

  await page.goto("/contacts");
  await page.getByRole("link", { name: "Field Tester" }).click();
  const card = page.getByRole("form", { name: "Custom fields" });
  await card.getByLabel("Membership tier").selectOption("Gold");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card).toContainText("Fields saved.");
  await page.reload();
  await expect(page.getByRole("form", { name: "Custom fields" }).getByLabel("Membership tier")).toHaveValue("Gold");

  await page.goto("/contacts");
  const filter = page.getByRole("group", { name: "Custom field" });
  await filter.getByLabel("Custom field").selectOption({ label: "Membership tier" });
  await filter.getByLabel("Value").selectOption("Silver");
  await expect(page.getByRole("link", { name: "Field Tester" })).toHaveCount(0);
  await filter.getByLabel("Value").selectOption("Gold");
  await expect(page.getByRole("link", { name: "Field Tester" }).first()).toBeVisible();
});
