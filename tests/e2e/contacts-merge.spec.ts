import { expect, test } from "@playwright/test";
import { expectAccessible, login, sendAsContact, startChat } from "./helpers";

/**
 * One person who wrote from two numbers: staff find the second contact from the first's page,
 * read the preview (who remains, what moves, which values win), merge, and the page then shows
 * one contact with both identities and one history.
 */
test("[contacts] a staff merge from the contact page, with the preview, leaves one contact with one history", async ({
  page,
}) => {
  await login(page);
  await startChat(page, "+14155550161", "Marta Home");
  await sendAsContact(page, "Hello from my home number");
  await startChat(page, "+14155550162", "Marta Work");
  await sendAsContact(page, "And hello from my work number");

  await page.goto("/contacts");
  await page.getByRole("link", { name: "Marta Work" }).click();
  await expect(page.getByRole("list", { name: "WhatsApp identities" })).toContainText("+14155550162");
  await page.getByRole("button", { name: "Merge with…" }).click();
  await page.getByLabel("Find the other contact").fill("Marta");
  await page.getByRole("button", { name: "Choose Marta Home" }).click();

  const preview = page.getByRole("region", { name: "Merge preview" });
  await expect(preview).toContainText("Marta Home (+14155550161) remains");
  await expect(preview).toContainText("Identities that move: Phone +14155550162");
  await expect(preview.getByRole("table", { name: "Fields that differ" })).toContainText("Name");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Merge contacts" }).click();

  // The page follows the contact that remains: both numbers, both messages, one conversation.
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
  const identities = page.getByRole("list", { name: "WhatsApp identities" });
  await expect(identities).toContainText("+14155550161");
  await expect(identities).toContainText("+14155550162");
  await expect(page.getByText("Hello from my home number")).toBeVisible();
  await expect(page.getByText("And hello from my work number")).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Marta Home");

  await page.goto("/contacts");
  await expect(page.getByRole("link", { name: "Marta Home" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Marta Work" })).toHaveCount(0);
});
