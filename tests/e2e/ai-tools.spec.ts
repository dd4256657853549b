import { expect, test } from "@playwright/test";
import { expectNoSidewaysScroll, fromBot, login, PHONE, sendAsContact, startChat, trpc } from "./helpers";
import { startOrderSystem } from "./order-system";
import { GEMINI_URL } from "./stack";

test("[ai tools] a tool defined and tested in the UI; the model calls it for 'order status for 1234' and the Inbox shows the call", async ({
  page,
  browser,
}) => {
  const shop = await startOrderSystem({ "1234": "shipped" });
  try {
    await login(page);
    const suffix = Date.now().toString(36);
    const toolName = `order_status_${suffix}`;
    const profile = await trpc<{ id: string }>(page, "profiles.save", {
      id: null,
      profile: { name: `Tool shop ${suffix}` },
    });

    // The tool, made in the browser: a parameter from the table, the URL template, the profile.
    await page.goto("/tools");
    await page.getByRole("button", { name: "New tool" }).click();
    await page.fill("#tool-name", toolName);
    await page.fill("#tool-description", "Looks up the status of an order by its number");
    await page.getByRole("button", { name: "Add a parameter" }).click();
    await page.getByLabel("Parameter 1 name").fill("order");
    await page.getByLabel("Parameter 1 description").fill("The order number");
    await page.getByLabel("Required").check();
    await page.fill("#tool-url", `${shop.url}/orders/{{args.order}}`);
    await page.getByLabel(`Tool shop ${suffix}`).check();
    // The JSON view shows the schema the table wrote.
    await page.getByRole("button", { name: "Edit as JSON" }).click();
    await expect(page.getByLabel("Parameters as JSON schema")).toHaveValue(/"required": \[\s*"order"\s*\]/);
    await page.getByRole("button", { name: "Back to the table" }).click();

    // Test: the request and the answer, no model.
    await page.locator("#test-arg-order").fill("1234");
    await page.getByRole("button", { name: "Run the test" }).click();
    const test_ = page.getByRole("region", { name: "Test" });
    await expect(test_).toContainText(`GET ${shop.url}/orders/1234`);
    await expect(test_).toContainText("HTTP 200");
    await expect(test_).toContainText('"status": "shipped"');
    expect(shop.requests).toEqual(["/orders/1234"]);

    await page.getByRole("button", { name: "Save tool" }).click();
    await expect(page.getByText(toolName, { exact: true })).toBeVisible();
    await expect(page.getByRole("listitem").filter({ hasText: toolName })).toContainText("1 profile");

    // A rule answering with that profile; the model (the fake) calls the tool once.
    await trpc(page, "rules.create", {
      name: `Order status ${suffix}`,
      conditions: { any: [{ fact: "message.text", operator: "containsWord", value: `parcel${suffix}` }] },
      actions: [{ type: "ai_reply", profileId: profile.id }],
    });
    await trpc(page, "rules.publish", { note: "AI tools" });
    await fetch(`${GEMINI_URL}/__steps`, {
      method: "POST",
      body: JSON.stringify([{ call: { name: toolName, args: { order: "1234" } } }]),
    });
    await startChat(page, "+14155552377", `Tools Contact ${suffix}`);
    await sendAsContact(page, `order status for 1234 parcel${suffix}`);
    await expect(fromBot(page, `Tool ${toolName} said:`)).toContainText("shipped", { timeout: 20_000 });
    expect(shop.requests).toEqual(["/orders/1234", "/orders/1234"]);

    // The Inbox shows the call under the conversation's header, on a phone too.
    const phone = await browser.newContext({ ...PHONE, storageState: await page.context().storageState() });
    for (const view of [page, await phone.newPage()]) {
      await view.goto("/inbox?filter=all");
      await view
        .getByRole("link", { name: new RegExp(`Tools Contact ${suffix}`) })
        .first()
        .click();
      await view.getByRole("button", { name: /AI tool calls/ }).click();
      const trace = view.getByRole("region", { name: "AI tool calls" });
      await expect(trace).toContainText(toolName);
      await expect(trace).toContainText("HTTP 200");
      await expect(trace).toContainText('{"order":"1234"}');
      await expectNoSidewaysScroll(view);
    }
    // The tools page on a phone.
    const phonePage = phone.pages()[0]!;
    await phonePage.goto("/tools");
    await expect(phonePage.getByText(toolName, { exact: true })).toBeVisible();
    await expectNoSidewaysScroll(phonePage);
    await phone.close();
  } finally {
    await shop.close();
  }
});
