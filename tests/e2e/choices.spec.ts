import { expect, type Page, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, fromBot, login, PHONE, startChat } from "./helpers";

/**
 * A reply that offers choices, built in the rule editor as a business person would; answered
 * in the Simulator by a tap (a `button_reply`) and by typing the option's number (the
 * numbered-menu answer): both give the rule fact "Button or list choice" (`message.replyId`)
 * the option's id. The keyword is this file's own, so the rules answer no other journey.
 */

const KEYWORD = "menu-choices-e2e";
const MENU_TEXT = "How can we help? Pick one.";
const OPTIONS = ["Orders", "Returns", "Talk to us"] as const;
const RETURNS_REPLY = "Returns desk: send us your order number";
const CONTACT = { phone: "+14155550191", name: "Cora Choices" };
const PHONE_CONTACT = { phone: "+14155550192", name: "Pia Phone" };

// The second test answers the rules the first one builds and publishes.
test.describe.configure({ mode: "serial" });

/** Writes `text` as the open Simulator contact, and waits for it to show (once more than before). */
async function writeAsContact(page: Page, text: string) {
  const mine = page.getByTestId("chat").getByTestId("from-contact").filter({ hasText: text });
  const before = await mine.count();
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill(text);
  await composer.press("Enter");
  await expect(mine).toHaveCount(before + 1);
}

const TAP_BUTTONS = "Buttons: tap one to answer as the contact";

/** The bot's messages offering a choice as buttons in the open Simulator chat. */
function choicesFromBot(page: Page) {
  return page
    .getByTestId("chat")
    .getByTestId("from-bot")
    .filter({ has: page.getByRole("group", { name: TAP_BUTTONS }) });
}

/** The buttons under the bot's latest choice in the open Simulator chat. */
function latestButtons(page: Page) {
  return choicesFromBot(page).last().getByRole("group", { name: TAP_BUTTONS });
}

/** The bot's latest choice shows its text (the question), with the three buttons under it. */
async function expectMenu(page: Page, count: number) {
  await expect(choicesFromBot(page)).toHaveCount(count, { timeout: 20_000 });
  await expect(choicesFromBot(page).last()).toContainText(MENU_TEXT);
  await expect(latestButtons(page).getByRole("button")).toHaveText([...OPTIONS]);
  // Each option once: as a button to tap, not repeated as a label.
  for (const title of OPTIONS)
    await expect(choicesFromBot(page).last().getByText(title, { exact: true })).toHaveCount(1);
}

test("[admin] a reply offering three buttons, and a rule on the chosen one: tapped or typed as a number in the Simulator", async ({
  page,
}) => {
  await login(page);

  // The menu: the keyword → a reply offering three buttons.
  await page.goto("/rules");
  await page.getByRole("button", { name: "New rule" }).click();
  await page.fill("#rule-name", "Menu of choices");
  const fields = page.getByRole("combobox", { name: "Field", exact: true });
  const operators = page.getByRole("combobox", { name: "Operator", exact: true });
  await expect(fields.first()).toHaveValue("message.text");
  await operators.first().selectOption({ label: "is" });
  await page.getByRole("textbox", { name: "Value", exact: true }).first().fill(KEYWORD);
  await page.getByLabel("Reply text 1").fill(MENU_TEXT);
  await page.getByRole("button", { name: "+ Offer choices" }).click();
  const choices = page.getByRole("group", { name: "Choices of reply 1" });
  await expect(choices.getByLabel("How choices of reply 1 are shown")).toHaveValue("buttons");
  const addOption = choices.getByRole("button", { name: "+ Option" });
  for (const [index, title] of OPTIONS.entries()) {
    if (index > 0) await addOption.click();
    await choices.getByLabel(`Reply 1, option ${index + 1}: title`).fill(title);
  }
  // Three is WhatsApp's most for buttons; the ids come from the titles unless one is typed.
  await expect(addOption).toBeDisabled();
  await expect(choices.getByLabel("Reply 1, option 2: id")).toHaveAttribute("placeholder", "returns");
  await expect(choices.getByLabel("Reply 1, option 3: id")).toHaveAttribute("placeholder", "talk-to-us");
  // Where they become buttons and where a numbered menu, from the engines' capabilities.
  await expect(choices).toContainText(/Shown as buttons on [^;]*Simulator[^;]*; as a numbered menu \(1, 2, 3\) on /);
  await expect(choices).toContainText(/numbered menu \(1, 2, 3\) on [^.]*WhatsApp Web/);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create rule" }).click();
  const drafts = page.getByRole("list", { name: "Draft rules" });
  await expect(drafts.getByText("Menu of choices")).toBeVisible();

  // The answer: "Button or list choice" is the Returns option's id (the editor suggests the ids offered).
  await page.getByRole("button", { name: "New rule" }).click();
  await page.fill("#rule-name", "Returns desk");
  await fields.first().selectOption({ label: "Button or list choice" });
  await expect(operators.first()).toHaveValue("equal");
  const value = page.getByRole("combobox", { name: "Value", exact: true }).first();
  const listId = await value.getAttribute("list");
  expect(listId).toBeTruthy();
  const suggestions = page.locator(`datalist[id="${listId}"] option`);
  await expect(suggestions).toHaveCount(3);
  await expect(page.locator(`datalist[id="${listId}"] option[value="returns"]`)).toHaveText("Returns");
  await value.fill("returns");
  await page.getByLabel("Reply text 1").fill(RETURNS_REPLY);
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(drafts.getByText("Returns desk")).toBeVisible();

  await page.getByLabel("Version note").fill("Choices");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText(/^Published version \d+\.$/)).toBeVisible();

  // A new contact asks for the menu and sees the three buttons.
  await startChat(page, CONTACT.phone, CONTACT.name);
  await writeAsContact(page, KEYWORD);
  await expectMenu(page, 1);

  // A tap answers as the contact (a button reply), and the Returns rule replies.
  await latestButtons(page).getByRole("button", { name: "Returns", exact: true }).click();
  await expect(page.getByTestId("chat").getByTestId("from-contact").filter({ hasText: "Returns" })).toHaveCount(1);
  await expect(fromBot(page, RETURNS_REPLY)).toHaveCount(1, { timeout: 20_000 });

  // The menu again, answered this time by typing the option's number.
  await writeAsContact(page, KEYWORD);
  await expectMenu(page, 2);
  await writeAsContact(page, "2");
  await expect(fromBot(page, RETURNS_REPLY)).toHaveCount(2, { timeout: 20_000 });
  await expect(page.getByTestId("chat").getByTestId("from-bot").last()).toContainText(RETURNS_REPLY);
  await expectAccessible(page);
});

test("[admin, phone] the choice's buttons are tappable on a phone, and nothing scrolls sideways", async ({
  browser,
}) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await login(page);
    // The editor's choices fit a phone.
    await page.goto("/rules");
    const menuRule = page
      .getByRole("list", { name: "Draft rules" })
      .getByRole("listitem")
      .filter({ hasText: "Menu of choices" });
    await menuRule.getByRole("button", { name: /^(Edit|View)$/ }).click();
    await expect(page.getByLabel("Reply 1, option 3: title")).toHaveValue("Talk to us");
    await expectNoSidewaysScroll(page);

    await startChat(page, PHONE_CONTACT.phone, PHONE_CONTACT.name);
    await writeAsContact(page, KEYWORD);
    await expectMenu(page, 1);
    await expectNoSidewaysScroll(page);
    // Each button is a comfortable target (at least 44 px high) inside the screen.
    for (const title of OPTIONS) {
      const box = await latestButtons(page).getByRole("button", { name: title, exact: true }).boundingBox();
      expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= PHONE.viewport.width).toBe(true);
    }
    await latestButtons(page).getByRole("button", { name: "Returns", exact: true }).tap();
    await expect(fromBot(page, RETURNS_REPLY)).toHaveCount(1, { timeout: 20_000 });
    await expectNoSidewaysScroll(page);
  } finally {
    await context.close();
  }
});
