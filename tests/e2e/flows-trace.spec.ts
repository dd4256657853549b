import { expect, test } from "@playwright/test";
import { PHONE, expectNoSidewaysScroll, fromBot, login, sendAsContact, startChat, trpc } from "./helpers";

/** "trace e2e" → a menu → an order number (two tries) → hand off with what was collected. */
const FLOW = {
  name: "Trace e2e",
  triggers: { keywords: ["trace e2e"], firstMessage: false },
  definition: {
    start: "menu",
    steps: [
      {
        id: "menu",
        type: "ask",
        title: "Menu",
        text: "Which do you need?",
        answer: "choice",
        choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }] },
        variable: "topic",
        next: "order",
        onInvalid: "people",
      },
      {
        id: "order",
        type: "ask",
        title: "Order number",
        text: "Your order number?",
        answer: "number",
        variable: "order",
        retryText: "That is not an order number.",
        maxAttempts: 2,
        next: "people",
        onInvalid: "people",
      },
      { id: "people", type: "handoff", title: "People", note: "From the trace flow" },
    ],
  },
};

test("[flows trace] the Test panel runs the draft; the Inbox shows the run's steps and what it collected; Analytics its funnel", async ({
  page,
  browser,
}) => {
  await login(page);
  const flow = await trpc<{ id: string }>(page, "flows.create", FLOW);

  // The editor's Test panel, with buttons: tap an option, answer wrong twice, handed off.
  await page.goto(`/flows/${flow.id}`);
  await page.getByLabel("Choices show as").selectOption({ label: "Buttons and lists" });
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const chat = page.getByRole("log").filter({ hasText: "Which do you need?" });
  await expect(chat).toBeVisible();
  await chat.getByRole("button", { name: "Orders" }).click();
  await expect(chat).toContainText("Your order number?");
  const answer = page.getByLabel("Your answer");
  await answer.fill("not a number");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(chat).toContainText("That is not an order number.");
  await answer.fill("still not");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(chat).toContainText("The test ended: Handed off.");
  await expect(page.getByText("topic_title")).toBeVisible();
  await expect(page.getByText("Not valid (not a number): “still not”, attempt 2")).toBeVisible();

  // Published, a contact goes through it in the Simulator.
  await trpc(page, "flows.publish", { id: flow.id });
  await startChat(page, "+14155550931", "Trace Contact");
  await sendAsContact(page, "trace e2e");
  await expect(fromBot(page, "Which do you need?")).toBeVisible();
  await sendAsContact(page, "1");
  await expect(fromBot(page, "Your order number?")).toBeVisible();
  await sendAsContact(page, "abc");
  await expect(fromBot(page, "That is not an order number.")).toBeVisible();
  await sendAsContact(page, "def");

  // The person who gets the hand-off sees what the flow collected, on a phone too.
  const phone = await browser.newContext({ ...PHONE, storageState: await page.context().storageState() });
  for (const view of [page, await phone.newPage()]) {
    await view.goto("/inbox?filter=all");
    await view
      .getByRole("link", { name: /Trace Contact/ })
      .first()
      .click();
    const flowButton = view.getByRole("button", { name: /Flow.*Trace e2e/ });
    await expect(flowButton).toContainText("Handed off");
    await flowButton.click();
    await expect(view.getByText("Trace e2e, version 1")).toBeVisible();
    await expect(view.getByText("Answered: Orders")).toBeVisible();
    await expect(view.getByText("Handed off to people")).toBeVisible();
    await expectNoSidewaysScroll(view);
  }

  // Analytics: the flow's funnel.
  await page.goto("/analytics");
  await page.getByLabel("Flow", { exact: true }).selectOption({ label: "Trace e2e" });
  const funnel = page.getByRole("region", { name: "Funnel" });
  await expect(funnel).toContainText("Order number");
  await expect(funnel).toContainText("1 run");
  await phone.close();
});
