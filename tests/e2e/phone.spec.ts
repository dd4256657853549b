import { expect, test } from "@playwright/test";
import {
  createUser,
  expectAccessible,
  expectNoSidewaysScroll,
  fromBot,
  login,
  PHONE,
  sendAsContact,
  startChat,
  trpc,
  USER_PASSWORD,
} from "./helpers";

const AGENT = { email: "phone-agent@e2e.test", name: "Pat Phone", role: "agent" };
const BUILDER = { email: "phone-builder@e2e.test", name: "Bo Phone", role: "builder" };

test("[agent, phone] lands on the Inbox, finds the handed-off conversation, takes it over, replies and releases it", async ({
  browser,
  page,
}) => {
  await login(page);
  await createUser(page, AGENT);
  await trpc(page, "rules.create", {
    name: "Wants a callback",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "callback" }] },
    actions: [
      { type: "reply", text: "Someone will call you back." },
      { type: "handoff", assigneeId: null, note: "Wants a callback" },
    ],
  });
  await trpc(page, "rules.publish", { note: "Callback hand-off" });

  const context = await browser.newContext(PHONE);
  const agent = await context.newPage();
  try {
    await login(agent, AGENT.email, USER_PASSWORD);
    // An agent's home is the Inbox.
    await expect(agent).toHaveURL(/\/inbox/);
    await expect(agent.getByRole("button", { name: "Open menu" })).toBeVisible();
    await expectNoSidewaysScroll(agent);
    await agent.waitForLoadState("networkidle");

    await startChat(page, "+14155550177", "Pia Phone");
    await sendAsContact(page, "Could I get a callback today?");
    await expect(fromBot(page, "Someone will call you back.")).toBeVisible({ timeout: 20_000 });

    // The list fills the phone; the name shows whole (not "+…").
    const row = agent
      .getByRole("list", { name: "Conversations: Needs a human" })
      .getByRole("link")
      .filter({ hasText: "Pia Phone" });
    await expect(row).toBeVisible({ timeout: 20_000 });
    await row.click();
    // The conversation replaces the list, with a way back.
    const back = agent.getByRole("link", { name: "Back to conversations" });
    await expect(back).toBeVisible();
    await expect(agent.getByRole("list", { name: "Conversations: Needs a human" })).toBeHidden();
    const actions = agent.getByRole("group", { name: "Conversation actions" });
    await actions.getByRole("button", { name: "Take over" }).click();
    const composer = agent.getByLabel("Reply", { exact: true });
    await composer.fill("Hi Pia, I will call you at 3.");
    await agent.getByRole("button", { name: "Send", exact: true }).click();
    await expect(agent.getByTestId("message-out").filter({ hasText: "Hi Pia, I will call you at 3." })).toBeVisible();
    await expect(fromBot(page, "Hi Pia, I will call you at 3.")).toBeVisible({ timeout: 20_000 });
    await expectNoSidewaysScroll(agent);
    await expectAccessible(agent);
    await actions.getByRole("button", { name: "Release to bot" }).click();
    await expect(
      agent.getByRole("group", { name: "About this conversation" }).getByText("Bot", { exact: true }),
    ).toBeVisible();

    // Back to the list; the menu opens and leads to another page.
    await back.click();
    await expect(agent.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
    await agent.getByRole("button", { name: "Open menu" }).click();
    await agent.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Contacts" }).click();
    await expect(agent.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
    await expect(agent.getByRole("navigation", { name: "Main" })).toBeHidden();
    await expectNoSidewaysScroll(agent);
  } finally {
    await context.close();
  }
});

test("[builder, phone] writes a rule in the visual editor, publishes it, and it answers", async ({ browser, page }) => {
  await login(page);
  await createUser(page, BUILDER);
  const context = await browser.newContext(PHONE);
  const builder = await context.newPage();
  try {
    await login(builder, BUILDER.email, USER_PASSWORD);
    await builder.goto("/rules");
    await builder.getByRole("button", { name: "New rule" }).click();
    await builder.fill("#rule-name", "Opening hours on a phone");
    await builder.getByRole("textbox", { name: "Value", exact: true }).first().fill("opening");
    await builder.getByLabel("Reply text 1").fill("We open at 8 every day.");
    await expectNoSidewaysScroll(builder);
    await expectAccessible(builder);
    await builder.getByRole("button", { name: "Create rule" }).click();
    await expect(
      builder.getByRole("list", { name: "Draft rules" }).getByText("Opening hours on a phone"),
    ).toBeVisible();
    await builder.getByLabel("Version note").fill("Opening hours");
    await builder.getByRole("button", { name: "Publish" }).click();
    await expect(builder.getByText(/^Published version \d+\.$/)).toBeVisible();
    await expectNoSidewaysScroll(builder);

    await startChat(page, "+14155550178", "Oli Opening");
    await sendAsContact(page, "What are your opening times?");
    await expect(fromBot(page, "We open at 8 every day.")).toBeVisible({ timeout: 20_000 });
  } finally {
    await context.close();
  }
});

test("[admin, phone] the menu closes on Escape and gives focus back to its button; the theme applies at once and is remembered", async ({
  browser,
}) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  try {
    await login(page);
    const menuButton = page.getByTestId("menu-button");
    await menuButton.click();
    await expect(menuButton).toHaveAttribute("aria-expanded", "true");
    const menu = page.getByTestId("mobile-menu-layer");
    const theme = menu.getByTestId("theme-switch");

    // Light, then dark: the page changes at once, without a reload.
    await theme.selectOption("light");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    const light = await background();
    await theme.selectOption("dark");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    expect(await background()).not.toBe(light);

    // Escape closes the menu, and focus goes back to the button that opened it.
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    await expect(menuButton).toBeFocused();

    // Remembered: the next page load is dark from the server's first byte.
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    expect(await background()).not.toBe(light);
  } finally {
    await context.close();
  }
});
