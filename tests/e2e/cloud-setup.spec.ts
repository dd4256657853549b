import { expect, type Page, test } from "@playwright/test";
import { FAKE_GRAPH_DEFAULTS } from "../support/fake-graph-server";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";
import { BASE_URL, GRAPH_URL } from "./stack";

/**
 * Setting a number up on Meta's Cloud API in the browser, against the fake Graph API the stack's
 * CLOUD_API_BASE_URL points at (its default number, token and account, and Meta's example
 * templates): the form walks through Meta's steps, the token is checked before saving (a wrong
 * one says what Meta said), the card shows the webhook URL and verify token, the templates are
 * synced and previewed with their variables filled in — on a desktop and on a phone.
 */

const APP_SECRET = "0123456789abcdef0123456789abcdef";

/** Opens the add form with the Cloud API engine chosen (the engine is a choice when there are several). */
async function chooseCloudEngine(page: Page) {
  await page.goto("/sessions");
  // The stack's worker offers several engines (the engine is then a choice): wait for the list,
  // or the form is filled for its first engine.
  const engine = page.getByLabel("Engine", { exact: true });
  await expect(engine).toBeVisible();
  await engine.selectOption({ label: "WhatsApp Cloud API" });
  await expect(page.getByTestId("cloud-setup-guide")).toBeVisible();
}

async function fillCloudForm(page: Page, name: string, accessToken: string) {
  const form = page.getByRole("form", { name: "Add a WhatsApp number" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Phone number ID").fill(FAKE_GRAPH_DEFAULTS.number.id);
  await form.getByLabel("WhatsApp Business Account ID").fill(FAKE_GRAPH_DEFAULTS.businessAccountId);
  await form.getByLabel("Access token").fill(accessToken);
  await form.getByLabel("App secret").fill(APP_SECRET);
  return form;
}

async function graphRequests(): Promise<{ method: string; path: string; authorization: string | null }[]> {
  const response = await fetch(`${GRAPH_URL}/__requests`);
  return (await response.json()) as { method: string; path: string; authorization: string | null }[];
}

test("[admin] adds a Cloud API number: checks the token, sees the webhook, syncs and previews templates", async ({
  page,
}) => {
  await login(page);
  await chooseCloudEngine(page);
  const form = await fillCloudForm(page, "Bakery Cloud", "EAAWrongToken-000000000000000000");

  // A wrong token: the check says what Meta said, before anything is saved.
  await form.getByRole("button", { name: "Check the token" }).click();
  await expect(form.getByTestId("cloud-check-result")).toContainText(
    "Meta refused the access token: it is invalid or has expired (code 190",
  );
  await expect(form.getByText("Meta refused this token: invalid or expired.")).toBeVisible();

  // The right one: the number and its verified name, from one real call to the (fake) Graph API.
  await form.getByLabel("Access token").fill(FAKE_GRAPH_DEFAULTS.accessToken);
  const before = (await graphRequests()).length;
  await form.getByRole("button", { name: "Check the token" }).click();
  await expect(form.getByTestId("cloud-check-result")).toHaveText(
    "The token works: +1 415-555-0100, Switchboard Bakery",
  );
  const checks = (await graphRequests()).slice(before);
  expect(checks).toContainEqual(
    expect.objectContaining({
      method: "GET",
      path: `/v26.0/${FAKE_GRAPH_DEFAULTS.number.id}`,
      authorization: `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`,
    }),
  );

  const verifyToken = await form.getByLabel("Verify token").inputValue();
  expect(verifyToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
  await form.getByRole("button", { name: "Add number" }).click();
  await expect(page.getByText("Added Bakery Cloud. Paste the webhook URL")).toBeVisible();

  const card = page.getByTestId("session-card").filter({ hasText: "Bakery Cloud" });
  const sessionId = await card.getAttribute("data-session-id");
  await expect(card.getByTestId("cloud-webhook-url")).toHaveValue(`${BASE_URL}/api/whatsapp/cloud/${sessionId}`);
  const verify = card.getByTestId("cloud-verify-token");
  await expect(verify).toHaveAttribute("type", "password");
  await card.getByRole("button", { name: "Show" }).click();
  await expect(verify).toHaveAttribute("type", "text");
  await expect(verify).toHaveValue(verifyToken);
  await expect(card.getByText("subscribe to the webhook field messages")).toBeVisible();
  // The secrets never reach the page: only the token's last four characters.
  await expect(card).toContainText(`token ending in …${FAKE_GRAPH_DEFAULTS.accessToken.slice(-4)}`);
  expect(await page.content()).not.toContain(FAKE_GRAPH_DEFAULTS.accessToken);
  expect(await page.content()).not.toContain(APP_SECRET);

  // The stored settings check out too.
  await card.getByRole("button", { name: "Check the token" }).click();
  await expect(card.getByTestId("cloud-check-result")).toHaveText(
    "The token works: +1 415-555-0100, Switchboard Bakery",
  );

  await card.getByRole("button", { name: "Sync templates" }).click();
  await expect(card.getByTestId("cloud-sync-result")).toHaveText("Templates synced: 4 in all (4 new, 0 removed).");

  await card.getByRole("link", { name: "Templates" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Templates" })).toBeVisible();
  await expect(page.getByRole("link", { name: "WhatsApp Manager" })).toHaveAttribute("href", /business\.facebook\.com/);
  await expect(page.getByTestId("template-card")).toHaveCount(4);
  await expect(page.locator('[data-template="spring_sale:en_US"]').getByTestId("template-status")).toHaveText(
    "rejected",
  );

  const order = page.locator('[data-template="order_update:en_US"]');
  await expect(order.getByTestId("template-status")).toHaveText("approved");
  await expect(order.getByTestId("template-bubble-body")).toHaveText(
    "Hi {{1}}, your order {{2}} is on its way and arrives {{3}}.",
  );
  await order.getByLabel("Header {{1}}").fill("#1042");
  await order.getByLabel("Body {{1}}").fill("Ana");
  await order.getByLabel("Body {{2}}").fill("#1042");
  await order.getByLabel("Body {{3}}").fill("tomorrow");
  await order.getByLabel("Button “Track it”").fill("1042");
  await expect(order.getByTestId("template-bubble-header")).toHaveText("Order #1042");
  await expect(order.getByTestId("template-bubble-body")).toHaveText(
    "Hi Ana, your order #1042 is on its way and arrives tomorrow.",
  );
  await expect(order.getByTestId("template-bubble")).toContainText("Reply STOP to opt out");
  await expect(order).toContainText("https://shop.example/track/1042");
  await expectAccessible(page);
});

test("[admin, phone] the guide, the form and the templates fit a 375 px screen", async ({ browser }) => {
  const context = await browser.newContext({ ...PHONE, viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  try {
    await login(page);
    await chooseCloudEngine(page);
    await expectNoSidewaysScroll(page);
    const form = await fillCloudForm(page, "Phone Cloud", FAKE_GRAPH_DEFAULTS.accessToken);
    await form.getByRole("button", { name: "Check the token" }).click();
    await expect(form.getByTestId("cloud-check-result")).toHaveText(
      "The token works: +1 415-555-0100, Switchboard Bakery",
    );
    await form.getByRole("button", { name: "Add number" }).click();
    const card = page.getByTestId("session-card").filter({ hasText: "Phone Cloud" });
    await expect(card.getByTestId("cloud-webhook-url")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await card.getByRole("button", { name: "Sync templates" }).click();
    await expect(card.getByTestId("cloud-sync-result")).toContainText("Templates synced: 4 in all");
    await card.getByRole("link", { name: "Templates" }).click();
    const order = page.locator('[data-template="order_update:en_US"]');
    await order.getByLabel("Body {{1}}").fill("Ana");
    await expect(order.getByTestId("template-bubble-body")).toContainText("Hi Ana, your order {{2}}");
    await expectNoSidewaysScroll(page);
  } finally {
    await context.close();
  }
});
