import { readFile } from "node:fs/promises";
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import {
  createUser,
  expectAccessible,
  expectNoSidewaysScroll,
  fromBot,
  login,
  PHONE,
  sendAsContact,
  startChat,
  USER_PASSWORD,
} from "./helpers";
import { startOrderSystem } from "./order-system";

/** A unique suffix, so the spec can run again on the same stack (flow names and users are unique). */
const RUN = Date.now().toString(36);

/** The source handle `key` of step `stepId` on the canvas. */
function source(page: Page, stepId: string, key: string): Locator {
  return page.locator(`.react-flow__handle.source[data-nodeid="${stepId}"][data-handleid="${key}"]`);
}
function target(page: Page, stepId: string): Locator {
  return page.locator(`.react-flow__handle.target[data-nodeid="${stepId}"]`);
}

/** Draws a connection: presses on a way out of one step and lets go on another step's entry. */
async function connect(page: Page, from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("a handle is not on screen");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function newBuilder(page: Page, browser: Browser, phone = false) {
  const email = `flows-${phone ? "phone" : "desk"}-${RUN}@e2e.test`;
  await login(page);
  await createUser(page, { email, name: "Flo Builder", role: "builder" });
  const context = await browser.newContext(phone ? PHONE : {});
  const builder = await context.newPage();
  await login(builder, email, USER_PASSWORD);
  return { context, builder };
}

/** Adds a step from the palette (it is then selected, its form in the side panel). */
async function addStep(page: Page, type: string) {
  await page
    .getByRole("toolbar", { name: "Add step" })
    .getByRole("button", { name: `+ ${type}` })
    .click();
}

/** The variables a list shows (`<dt>` name, `<dd>` value), as the person reads them. */
async function variablesIn(scope: Locator): Promise<Record<string, string>> {
  const pairs = await scope
    .locator("dt")
    .evaluateAll((terms) => terms.map((term) => [term.textContent ?? "", term.nextElementSibling?.textContent ?? ""]));
  return Object.fromEntries(pairs) as Record<string, string>;
}

/** A phone number no other journey uses (the spec can run again on the same stack). */
function contactPhone(index: number): string {
  return `+1628555${String((Date.now() + index) % 10_000).padStart(4, "0")}`;
}

test("[builder] draws 'menu → order number → HTTP → branch → answer or hand off', tests it, publishes; contacts go through it and the agent who gets the hand-off sees what it collected", async ({
  browser,
  page,
}) => {
  test.setTimeout(240_000);
  // The shop's order system, on loopback: order 1001 has shipped, 999 does not exist (404).
  const orders = await startOrderSystem({ "1001": "shipped", "1002": "packing" });
  const { context, builder } = await newBuilder(page, browser);
  const agentEmail = `flows-agent-${RUN}@e2e.test`;
  await createUser(page, { email: agentEmail, name: "Ava Agent", role: "agent" });
  const agentContext = await browser.newContext();
  try {
    await builder.goto("/flows");
    await expect(builder.getByRole("heading", { name: "Flows", exact: true })).toBeVisible();
    await expectAccessible(builder);
    const name = `Order help ${RUN}`;
    const keyword = `track ${RUN}`;
    await builder.getByLabel("New flow").fill(name);
    await builder.getByRole("button", { name: "Create" }).click();
    await builder.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    await expect(builder.getByRole("heading", { name })).toBeVisible();
    const panel = builder.getByRole("complementary");

    // The trigger: a contact who writes the keyword starts the flow.
    await panel.getByLabel("Keywords").fill(keyword);

    // The menu: a choice with three options.
    await addStep(builder, "Ask and wait");
    await panel.getByLabel("Title", { exact: true }).fill("Menu");
    await panel.getByLabel("Question").fill("Which do you need?");
    await panel.getByLabel("Answer", { exact: true }).selectOption({ label: "Choice (menu)" });
    await panel.getByLabel("Option 1", { exact: true }).fill("Orders");
    await panel.getByRole("button", { name: "+ Option" }).click();
    await panel.getByLabel("Option 2", { exact: true }).fill("Returns");
    await panel.getByRole("button", { name: "+ Option" }).click();
    await panel.getByLabel("Option 3", { exact: true }).fill("Talk to us");
    await panel.getByLabel("Store the answer in").fill("topic");
    await expect(builder.getByTestId("rf__node-ask").getByText("Start", { exact: true })).toBeVisible();

    // The order number.
    await addStep(builder, "Ask and wait");
    await panel.getByLabel("Title", { exact: true }).fill("Order number");
    await panel.getByLabel("Question").fill("Your order number?");
    await panel.getByLabel("Answer", { exact: true }).selectOption({ label: "Number" });
    await panel.getByLabel("Store the answer in").fill("order");

    // The lookup in the shop's system.
    await addStep(builder, "HTTP request");
    await panel.getByLabel("Title", { exact: true }).fill("Lookup");
    await panel.getByLabel("URL").fill(`${orders.url}/orders/{{var.order}}`);
    await panel.getByRole("button", { name: "+ Field" }).click();
    await panel.getByLabel("Field 1: path in the answer").fill("status");
    await panel.getByLabel("Field 1: variable").fill("status");
    await panel.getByLabel("Store the HTTP status in").fill("http_status");

    // The branch on the status.
    await addStep(builder, "Branch");
    await panel.getByLabel("Title", { exact: true }).fill("Shipped?");
    await panel.getByLabel("Branch 1: label").fill("Shipped");
    await panel.getByRole("button", { name: "+ Condition" }).click();
    await panel.getByRole("combobox", { name: "Field", exact: true }).selectOption({ label: "Variable status" });
    await panel.getByRole("combobox", { name: "Operator", exact: true }).selectOption({ label: "is" });
    await panel.getByRole("textbox", { name: "Value", exact: true }).fill("shipped");

    await addStep(builder, "Send a message");
    await panel.getByLabel("Title", { exact: true }).fill("Answer");
    await panel.getByLabel("Message").fill("Order {{var.order}} is on its way.");

    await addStep(builder, "Hand off");
    await panel.getByLabel("Title", { exact: true }).fill("Person");
    await panel.getByLabel("Note for the agent").fill("Could not find the order");

    // Connections drawn by dragging from a way out to a step.
    await builder.getByRole("button", { name: "Fit the flow in view" }).click();
    await connect(builder, source(builder, "ask", "route:orders"), target(builder, "ask-2"));
    await connect(builder, source(builder, "ask-2", "next"), target(builder, "http"));
    await connect(builder, source(builder, "http", "next"), target(builder, "branch"));
    await connect(builder, source(builder, "branch", "branch:b1"), target(builder, "send"));
    await expect(builder.locator(".react-flow__edge")).toHaveCount(4);

    // The rest from the side panel's "Leads to" (the keyboard's way).
    await builder.locator('[data-step-id="ask"]').click();
    const edges = builder.locator(".react-flow__edge");
    await panel.getByRole("combobox", { name: "Option: Returns" }).selectOption({ label: "Person" });
    await expect(edges).toHaveCount(5);
    await panel.getByRole("combobox", { name: "Option: Talk to us" }).selectOption({ label: "Person" });
    await expect(edges).toHaveCount(6);
    await builder.locator('[data-step-id="branch"]').click();
    await panel.getByRole("combobox", { name: "Otherwise" }).selectOption({ label: "Person" });
    await expect(edges).toHaveCount(7);
    await builder.locator('[data-step-id="http"]').click();
    await panel.getByRole("combobox", { name: "Error" }).selectOption({ label: "Person" });
    await expect(edges).toHaveCount(8);

    // The answer leads nowhere: an error the checks show, and publishing waits for it.
    const checks = builder.getByRole("list", { name: "Checks" });
    const deadEnd = checks.getByRole("button", { name: /“Answer” leads nowhere/ });
    await expect(deadEnd).toBeVisible();
    await expect(builder.getByRole("button", { name: "Publish" })).toBeDisabled();
    await deadEnd.click();
    await expect(panel.getByLabel("Title", { exact: true })).toHaveValue("Answer");

    // Fixed: an end step, connected by dragging.
    await addStep(builder, "End");
    await builder.getByRole("button", { name: "Fit the flow in view" }).click();
    await connect(builder, source(builder, "send", "next"), target(builder, "end"));
    await expect(deadEnd).toBeHidden();
    await expect(builder.locator(".react-flow__edge")).toHaveCount(9);

    await builder.getByRole("button", { name: "Save draft" }).click();
    await expect(builder.getByText("Unsaved changes")).toBeHidden();
    expect(orders.requests).toEqual([]);

    // The Test panel runs the draft as a contact would see it, and its HTTP step calls the order system.
    const conversation = builder.getByRole("log");
    const answer = builder.getByLabel("Your answer");
    const reply = async (text: string) => {
      await answer.fill(text);
      await builder.getByRole("button", { name: "Send", exact: true }).click();
    };
    const variables = builder.getByRole("region", { name: "Variables", exact: true });
    const stepsTaken = builder.getByRole("region", { name: "Steps taken" });
    await builder.getByRole("button", { name: "Start", exact: true }).click();
    await expect(conversation).toContainText("Which do you need?");
    await expect(conversation).toContainText("1. Orders");
    await reply("1");
    await expect(conversation).toContainText("Your order number?");
    await reply("1001");
    await expect(conversation).toContainText("Order 1001 is on its way.");
    await expect(conversation).toContainText("The test ended: Completed.");
    expect(orders.requests).toEqual(["/orders/1001"]);
    await expect
      .poll(() => variablesIn(variables))
      .toEqual({ topic: "orders", topic_title: "Orders", order: "1001", status: "shipped", http_status: "200" });
    await expect(stepsTaken).toContainText(`Request: GET ${orders.url}/orders/1001`);
    await expect(stepsTaken).toContainText("Saved: status = shipped");
    await expect(stepsTaken).toContainText("Branch taken:");

    // An unknown order: the order system says 404, the HTTP step's Error exit hands off.
    await builder.getByRole("button", { name: "Restart" }).click();
    await expect(conversation).not.toContainText("Order 1001 is on its way.");
    await expect(conversation).toContainText("Which do you need?");
    await reply("1");
    await expect(conversation).toContainText("Your order number?");
    await reply("999");
    await expect(conversation).toContainText(
      "The test ended: Handed off. Handed off to people with what was collected.",
    );
    expect(orders.requests).toEqual(["/orders/1001", "/orders/999"]);
    await expect(stepsTaken).toContainText("Answer: HTTP 404");
    await expect
      .poll(() => variablesIn(variables))
      .toEqual({ topic: "orders", topic_title: "Orders", order: "999", status: "–", http_status: "404" });

    // Nothing was published by testing: contacts do not reach the flow yet.
    await expect(builder.getByText("Not published", { exact: true })).toBeVisible();

    await builder.getByLabel("Note for this version").fill("First version");
    await builder.getByRole("button", { name: "Publish" }).click();
    await expect(builder.getByText("Published version 1.")).toBeVisible();
    await expect(builder.getByText("Published: version 1")).toBeVisible();
    const versions = builder.getByRole("list", { name: "Versions" });
    await expect(versions.getByText("Version 1", { exact: true })).toBeVisible();
    await expect(versions.getByText("First version")).toBeVisible();

    // Export: one JSON document with the steps, where they lead, and the trigger.
    const download = builder.waitForEvent("download");
    await builder.getByRole("button", { name: "Export" }).click();
    const file = await (await download).path();
    const exported = JSON.parse(await readFile(file, "utf8")) as {
      format: string;
      name: string;
      triggers: { keywords: string[] };
      definition: { start: string; steps: { id: string; type: string; routes?: Record<string, string> }[] };
    };
    expect(exported.format).toBe("switchboard.flow");
    expect(exported.name).toBe(name);
    expect(exported.triggers.keywords).toEqual([keyword]);
    expect(exported.definition.start).toBe("ask");
    expect(exported.definition.steps.map((step) => step.type)).toEqual([
      "ask",
      "ask",
      "http",
      "branch",
      "send",
      "handoff",
      "end",
    ]);
    expect(exported.definition.steps[0]!.routes).toEqual({
      orders: "ask-2",
      returns: "handoff",
      "talk-to-us": "handoff",
    });

    // The list shows it published, at version 1.
    await builder.getByRole("link", { name: "← Flows" }).click();
    const row = builder.getByRole("row").filter({ hasText: name });
    await expect(row.getByText("Version 1")).toBeVisible();

    // The agent waits in the Inbox, in a browser of their own.
    const agent = await agentContext.newPage();
    await login(agent, agentEmail, USER_PASSWORD);
    await agent.goto("/inbox");
    const needsHuman = agent.getByRole("list", { name: "Conversations: Needs a human" });
    await expect(agent.getByRole("button", { name: /^Needs a human/ })).toHaveAttribute("aria-pressed", "true");

    // A contact with a shipped order goes through the published flow in the Simulator.
    const shipped = `Sam Shipped ${RUN}`;
    await startChat(page, contactPhone(0), shipped);
    await sendAsContact(page, keyword);
    await expect(fromBot(page, "Which do you need?")).toBeVisible({ timeout: 20_000 });
    await sendAsContact(page, "1");
    await expect(fromBot(page, "Your order number?")).toBeVisible({ timeout: 20_000 });
    await sendAsContact(page, "1001");
    await expect(fromBot(page, "Order 1001 is on its way.")).toBeVisible({ timeout: 20_000 });
    expect(orders.requests).toEqual(["/orders/1001", "/orders/999", "/orders/1001"]);

    // Another asks about an order the shop does not know: 404, the Error exit, handed off.
    const unknown = `Uma Unknown ${RUN}`;
    await startChat(page, contactPhone(1), unknown);
    await sendAsContact(page, keyword);
    await expect(fromBot(page, "Which do you need?")).toBeVisible({ timeout: 20_000 });
    await sendAsContact(page, "1");
    await expect(fromBot(page, "Your order number?")).toBeVisible({ timeout: 20_000 });
    await sendAsContact(page, "999");
    await expect.poll(() => orders.requests.length, { timeout: 20_000 }).toBe(4);
    expect(orders.requests.at(-1)).toBe("/orders/999");
    await expect(fromBot(page, /on its way/)).toHaveCount(0);

    // The hand-off reaches the agent live; the shipped contact's conversation stays with the bot.
    const handedOff = needsHuman.getByRole("link").filter({ hasText: unknown });
    await expect(handedOff).toBeVisible({ timeout: 20_000 });
    await expect(needsHuman.getByRole("link").filter({ hasText: shipped })).toHaveCount(0);
    await handedOff.click();

    // The conversation's Flow panel: the run, handed off, with its variables and the HTTP answer.
    const flowButton = agent.getByRole("button", { name: new RegExp(`Flow.*${name}`) });
    await expect(flowButton).toContainText("Handed off");
    await flowButton.click();
    const flowPanel = agent.getByRole("region", { name: "Flow", exact: true });
    await expect(flowPanel.getByText(`${name}, version 1`)).toBeVisible();
    await expect
      .poll(() => variablesIn(flowPanel))
      .toEqual({ topic: "orders", topic_title: "Orders", order: "999", status: "–", http_status: "404" });
    await expect(flowPanel).toContainText(`Request: GET ${orders.url}/orders/999`);
    await expect(flowPanel).toContainText("Answer: HTTP 404");
    await expect(flowPanel).toContainText("Handed off to people");
  } finally {
    await agentContext.close();
    await context.close();
    await orders.close();
  }
});

test("[builder] on a phone: the step's panel is a sheet, steps connect from it, and the flow publishes", async ({
  browser,
  page,
}) => {
  const { context, builder } = await newBuilder(page, browser, true);
  try {
    await builder.goto("/flows");
    const name = `Phone flow ${RUN}`;
    await builder.getByLabel("New flow").fill(name);
    await builder.getByRole("button", { name: "Create" }).click();
    await builder.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    await expectNoSidewaysScroll(builder);

    await addStep(builder, "Send a message");
    const sheet = builder.getByRole("complementary", { name: "Selected step" });
    await expect(sheet).toBeVisible();
    await expect(sheet).toHaveCSS("position", "fixed");
    await sheet.getByLabel("Title", { exact: true }).fill("Hello");
    await sheet.getByLabel("Message").fill("Hello there");
    await sheet.getByRole("button", { name: "Close" }).click();
    await expect(sheet).toBeHidden();

    await addStep(builder, "End");
    await builder.getByRole("complementary", { name: "Selected step" }).getByRole("button", { name: "Close" }).click();
    await builder.locator('[data-step-id="send"]').tap();
    await builder
      .getByRole("complementary", { name: "Selected step" })
      .getByRole("combobox", { name: "Next" })
      .selectOption({
        label: "End (end)",
      });
    await expect(builder.locator(".react-flow__edge")).toHaveCount(1);
    await builder.getByRole("complementary", { name: "Selected step" }).getByRole("button", { name: "Close" }).click();
    await expect(builder.getByText("No problems found.")).toBeVisible();
    await builder.getByRole("button", { name: "Publish" }).click();
    await expect(builder.getByText("Published version 1.")).toBeVisible();
    await expectNoSidewaysScroll(builder);
  } finally {
    await context.close();
  }
});
