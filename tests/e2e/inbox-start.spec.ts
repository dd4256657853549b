import { expect, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, fromBot, login, PHONE, sendAsContact, startChat } from "./helpers";

const NUMBER = "+1 415 555 0232";
const E164 = "+14155550232";

test("[inbox] an agent starts a conversation with a number: it opens as theirs, the first message reaches the phone, the answer comes back live", async ({
  page,
  browser,
}) => {
  await login(page);
  await page.goto("/inbox");
  await page.getByTestId("new-conversation").click();
  const dialog = page.getByTestId("new-conversation-dialog");
  await expect(dialog).toBeVisible();
  await expectAccessible(page);

  // A bad number is refused in the dialog, beside its field.
  await dialog.getByLabel("WhatsApp number").fill("call me");
  await dialog.getByRole("button", { name: "Start", exact: true }).click();
  await expect(dialog.getByRole("alert")).toContainText("is not a phone number");

  await dialog.getByLabel("WhatsApp number").fill(NUMBER);
  await dialog.getByRole("button", { name: "Start", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/thread=[0-9a-f-]{36}/);
  const composer = page.getByLabel("Reply", { exact: true });
  await composer.fill("Hello from the shop, your order is ready");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(composer).toHaveValue("");

  // The contact's phone (the Simulator) has it; their answer reaches the agent's open conversation live.
  const phone = await browser.newContext();
  const contact = await phone.newPage();
  try {
    await login(contact);
    await startChat(contact, E164, "Olga Start");
    await expect(fromBot(contact, "Hello from the shop, your order is ready")).toBeVisible();
    await sendAsContact(contact, "Great, coming now");
    await expect(page.getByTestId("message-in").filter({ hasText: "Great, coming now" })).toBeVisible();
  } finally {
    await phone.close();
  }
});

test.describe("on a phone", () => {
  test.use(PHONE);
  test("[inbox] the New conversation dialog fits a phone", async ({ page }) => {
    await login(page);
    await page.goto("/inbox");
    await page.getByTestId("new-conversation").click();
    await expect(page.getByTestId("new-conversation-dialog")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("new-conversation-dialog")).toBeHidden();
  });
});
