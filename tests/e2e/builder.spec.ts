import { expect, test } from "@playwright/test";
import {
  createUser,
  expectAccessible,
  fromBot,
  login,
  screenshot,
  sendAsContact,
  startChat,
  trpc,
  trpcQuery,
  USER_PASSWORD,
} from "./helpers";

const BUILDER = { email: "builder@e2e.test", name: "Bea Builder", role: "builder" };
const PRICE_LIST = "Our price list: sourdough 6 €, rye 5 €, croissant 2 €.";
const CLOSED_ALL_WEEK = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

test("[builder] a rule built in the visual editor, tested, published, answers in the Simulator and tags the contact", async ({
  browser,
  page,
}) => {
  // Set-up as the admin: the builder's account, and opening hours that make the rule's
  // "within business hours is false" hold whatever the time of the run (closed all week).
  await login(page);
  await createUser(page, BUILDER);
  const before = await trpcQuery<{ businessHours: unknown }>(page, "settings.get");
  await trpc(page, "settings.update", { businessHours: CLOSED_ALL_WEEK });

  const context = await browser.newContext();
  const builder = await context.newPage();
  try {
    await login(builder, BUILDER.email, USER_PASSWORD);

    // A context profile.
    await builder.goto("/profiles");
    await builder.getByRole("button", { name: "New profile" }).click();
    await builder.fill("#p-name", "Price questions");
    await builder.fill("#p-business", "Sunrise Bakery");
    await builder.fill("#p-tone", "brief");
    await builder.getByRole("button", { name: "Save profile" }).click();
    await expect(builder.getByText("Price questions", { exact: true })).toBeVisible();

    // The rule, in the visual editor: the word "price" and outside business hours → reply, tag.
    await builder.goto("/rules");
    await builder.getByRole("button", { name: "New rule" }).click();
    await builder.fill("#rule-name", "Price list after hours");
    const fields = builder.getByRole("combobox", { name: "Field", exact: true });
    const operators = builder.getByRole("combobox", { name: "Operator", exact: true });
    await expect(fields.first()).toHaveValue("message.text");
    await expect(operators.first()).toHaveValue("containsWord");
    await builder.getByRole("textbox", { name: "Value", exact: true }).first().fill("price");
    await builder.getByRole("button", { name: "+ Condition" }).first().click();
    await fields.nth(1).selectOption({ label: "Within business hours" });
    await expect(operators.nth(1)).toHaveValue("equal");
    await builder.getByRole("combobox", { name: "Value", exact: true }).selectOption("false");
    await builder.getByLabel("Reply text 1").fill(PRICE_LIST);
    await builder.getByRole("button", { name: "+ Action" }).click();
    await builder.getByLabel("Action 2").selectOption({ label: "Tag the contact" });
    await builder.getByLabel("Tag 2").fill("lead");
    await expectAccessible(builder);
    await screenshot(builder, "rule-editor");
    await builder.getByRole("button", { name: "Create rule" }).click();
    const drafts = builder.getByRole("list", { name: "Draft rules" });
    await expect(drafts.getByText("Price list after hours")).toBeVisible();
    await expect(drafts.getByText("reply → tag")).toBeVisible();

    // The test panel: the draft matches, and says what it would do.
    await builder.fill("#test-text", "What is the price of rye?");
    await builder.getByRole("button", { name: "Test", exact: true }).click();
    const result = builder.getByLabel("Test result");
    await expect(result.getByText("Price list after hours:")).toContainText("matched");
    await expect(result.getByTestId("test-reply")).toHaveText(PRICE_LIST);
    await expect(result.getByText("Tags added: lead")).toBeVisible();
    await expectAccessible(builder);
    await screenshot(builder, "rules-test");

    // Publish: the worker uses it for the next message.
    await builder.getByLabel("Version note").fill("Price list after hours");
    await builder.getByRole("button", { name: "Publish" }).click();
    await expect(builder.getByText(/^Published version \d+\.$/)).toBeVisible();

    // A contact asks in the Simulator and gets the reply, live.
    await startChat(builder, "+14155550131", "Paul Price");
    await sendAsContact(builder, "Hi, what is the price of a croissant?");
    await expect(fromBot(builder, PRICE_LIST)).toBeVisible({ timeout: 20_000 });

    // The contact now has the tag, on their page.
    await builder.goto("/contacts");
    await builder.getByRole("link", { name: "Paul Price" }).click();
    await expect(builder.getByLabel("Tags (comma-separated)")).toHaveValue(/\blead\b/);
  } finally {
    await context.close();
    await trpc(page, "settings.update", { businessHours: before.businessHours });
  }
});
