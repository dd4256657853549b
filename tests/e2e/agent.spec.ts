import { expect, test } from "@playwright/test";
import { expectAccessible, fromBot, login, screenshot, sendAsContact, startChat, trpc, USER_PASSWORD } from "./helpers";

const AGENT = { email: "agent@e2e.test", name: "Alex Agent" };
const HANDOFF_REPLY = "A person will answer you here shortly.";
const AGENT_REPLY = "Hi Hana, this is Alex. Your order leaves today.";
const DEFAULT_REPLY = "Thanks for your message! We will get back to you shortly.";

test("[agent] sees a handed-off thread appear live, takes it over, replies, releases it, and the bot answers again", async ({
  browser,
  page,
}) => {
  // The admin makes the agent's account in the Users page, and a rule that hands off.
  await login(page);
  await page.goto("/users");
  await page.fill("#new-name", AGENT.name);
  await page.fill("#new-email", AGENT.email);
  await page.getByLabel("Role", { exact: true }).selectOption("agent");
  await page.fill("#new-password", USER_PASSWORD);
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText(`Created ${AGENT.email}.`)).toBeVisible();
  await expect(page.getByTestId(`user-row-${AGENT.email}`)).toBeVisible();
  await trpc(page, "rules.create", {
    name: "Wants a person",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
    actions: [
      { type: "reply", text: HANDOFF_REPLY },
      { type: "handoff", assigneeId: null, note: "Asked for a person" },
    ],
  });
  await trpc(page, "rules.publish", { note: "Hand-off" });

  // The agent, in a browser of their own, waits in the Inbox.
  const context = await browser.newContext();
  const agent = await context.newPage();
  try {
    await login(agent, AGENT.email, USER_PASSWORD);
    await agent.goto("/inbox");
    const needsHuman = agent.getByRole("list", { name: "Conversations: Needs a human" });
    await expect(agent.getByRole("button", { name: /^Needs a human/ })).toHaveAttribute("aria-pressed", "true");
    await agent.waitForLoadState("networkidle");

    // A contact asks for a person in the Simulator: the rule answers and hands off.
    await startChat(page, "+14155550142", "Hana Help");
    await sendAsContact(page, "Can I talk to a human about my order?");
    await expect(fromBot(page, HANDOFF_REPLY)).toBeVisible({ timeout: 20_000 });

    // The thread appears in the agent's Inbox, live (no reload), as needing a human.
    const row = needsHuman.getByRole("link").filter({ hasText: "Hana Help" });
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row).toContainText("Unassigned");
    await row.click();
    const actions = agent.getByRole("group", { name: "Conversation actions" });
    await actions.getByRole("button", { name: "Take over" }).click();
    const about = agent.getByRole("group", { name: "About this conversation" });
    await expect(about.getByText("You", { exact: true })).toBeVisible();

    // A draft survives a reload (kept per person and thread in the tab).
    const composer = agent.getByLabel("Reply", { exact: true });
    await composer.fill("Hi Hana, let me check");
    await agent.reload();
    await expect(agent.getByLabel("Reply", { exact: true })).toHaveValue("Hi Hana, let me check");

    // The agent replies; the reply reaches the contact in the Simulator, with ticks.
    await composer.fill(AGENT_REPLY);
    await agent.getByRole("button", { name: "Send", exact: true }).click();
    await expect(agent.getByTestId("message-out").filter({ hasText: AGENT_REPLY })).toBeVisible();
    await expect(composer).toHaveValue("");
    const delivered = fromBot(page, AGENT_REPLY);
    await expect(delivered).toBeVisible({ timeout: 20_000 });
    await expect(delivered.locator("[data-status]")).toHaveAttribute("data-status", /^(delivered|read)$/, {
      timeout: 20_000,
    });
    await expect(
      agent.getByTestId("message-out").filter({ hasText: AGENT_REPLY }).locator("[data-status]"),
    ).toHaveAttribute("data-status", /^(delivered|read)$/, { timeout: 20_000 });
    await agent.waitForLoadState("networkidle");
    await expectAccessible(agent);
    await screenshot(agent, "inbox");

    // Released, the thread is the bot's again: the next message gets the bot's answer.
    await actions.getByRole("button", { name: "Release to bot" }).click();
    await expect(about.getByText("Bot", { exact: true })).toBeVisible();
    await sendAsContact(page, "Thanks, that was all.");
    await expect(fromBot(page, DEFAULT_REPLY)).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("from-bot").last()).toHaveText(new RegExp(DEFAULT_REPLY.replace(/[.!?]/g, "\\$&")));
  } finally {
    await context.close();
  }
});
