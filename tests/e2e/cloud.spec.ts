import { createHash } from "node:crypto";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { cloudEnvelope, signCloudWebhook } from "../support/cloud-webhooks";
import { FAKE_GRAPH_DEFAULTS, type TFakeGraphRequest } from "../support/fake-graph-server";
import { jpegBytes } from "../support/media-fixtures";
import { expectNoSidewaysScroll, login, PHONE, trpc } from "./helpers";
import { BASE_URL, GRAPH_URL } from "./stack";

/**
 * Acceptance 1 of the Cloud API, in the browser: the admin sets a number up in the Sessions page
 * against the fake Graph API (a number of its own, so cloud-setup.spec's numbers do not matter),
 * Meta's subscription check passes through Next, and then Meta's signed webhooks are posted over
 * real HTTP to the URL the page shows: a text gets the published rule's reply through the Graph
 * API, Meta's statuses move the reply's ticks in the Inbox, a photo is downloaded from the
 * Graph media endpoints and shown, and a wrongly signed post is refused.
 */

/** A phone number the fake Graph API learns for this spec (cloud-setup.spec uses the default one). */
const NUMBER = { id: "106540352242977", display: "+1 415-555-0177", name: "Switchboard Bakery Uptown" };
const APP_SECRET = "c10dd0e2e5ec12e7a0123456789abcde";
const VERIFY_TOKEN = "cloud-journey-e2e-verify-token";
/** A contact no other spec writes as. */
const CONTACT = { waId: "14155550197", name: "Noor Cloudwright" };
const KEYWORD = "pistachio";
const REPLY = "Pistachio croissants come out of the oven at 9.";
const GRAPH_VERSION = "v26.0";

let sessionId: string | undefined;

async function graphRequests(): Promise<TFakeGraphRequest[]> {
  return (await (await fetch(`${GRAPH_URL}/__requests`)).json()) as TFakeGraphRequest[];
}

async function controlGraph(control: Record<string, unknown>): Promise<{ ok: boolean; mediaId?: string }> {
  const response = await fetch(`${GRAPH_URL}/__control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(control),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean; mediaId?: string };
}

/** Posts a notification to the webhook URL as Meta does: the raw JSON, signed with the app secret (or as told). */
async function postWebhook(url: string, payload: unknown, secret = APP_SECRET): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signCloudWebhook(body, secret) },
    body,
  });
  return response.status;
}

/** One message from the contact to this spec's number, as Meta's webhook carries it. */
function fromContact(id: string, type: string, fields: Record<string, unknown>) {
  return cloudEnvelope(
    {
      contacts: [{ profile: { name: CONTACT.name }, wa_id: CONTACT.waId }],
      messages: [{ from: CONTACT.waId, id, timestamp: String(Math.floor(Date.now() / 1000)), type, ...fields }],
    },
    NUMBER.id,
  );
}

/** Meta's status notification for a message the number sent. */
function statusOf(wamid: string, status: "delivered" | "read") {
  return cloudEnvelope(
    {
      statuses: [
        {
          id: wamid,
          status,
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: CONTACT.waId,
          conversation: { id: "e2e0c10d5ec12e7a0123456789abcdef", origin: { type: "service" } },
          pricing: { billable: true, pricing_model: "PMP", category: "service", type: "free_customer_service" },
        },
      ],
    },
    NUMBER.id,
  );
}

/** The natural width of a loaded image (0 while it is not loaded, or broken). */
function naturalWidth(image: Locator): Promise<number> {
  return image.evaluate((element: HTMLImageElement) => (element.complete ? element.naturalWidth : 0));
}

/** The Graph API's accepted text messages to the contact from this spec's number. */
async function repliesSent(): Promise<TFakeGraphRequest[]> {
  return (await graphRequests()).filter(
    (request) =>
      request.method === "POST" &&
      request.path === `/${GRAPH_VERSION}/${NUMBER.id}/messages` &&
      request.status === 200 &&
      (request.body as { type?: string } | null)?.type === "text",
  );
}

async function openThread(page: Page) {
  await page.goto("/inbox");
  await page.getByRole("button", { name: /^All/ }).click();
  await page
    .getByRole("list", { name: "Conversations: All" })
    .getByRole("link")
    .filter({ hasText: CONTACT.name })
    .click();
  await page.waitForURL(/thread=/);
}

test.afterAll(async ({ browser }) => {
  if (!sessionId) return;
  // Later specs see the stack's numbers as before (this one would otherwise stay among them).
  const page = await browser.newPage();
  try {
    await login(page);
    await trpc(page, "sessions.delete", { id: sessionId });
  } finally {
    await page.close();
  }
});

test("[admin, cloud] a number set up in the browser: Meta's signed text gets the rule's reply through the Graph API, statuses move its ticks, a photo is downloaded and shown", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await controlGraph({ numbers: [NUMBER] });
  await login(page);

  // (1) The number, through the Sessions page, with the fake Graph API's token and account.
  await page.goto("/sessions");
  // The stack's worker offers several engines (the engine is then a choice): wait for the list,
  // or the form is filled for its first engine.
  const engine = page.getByLabel("Engine", { exact: true });
  await expect(engine).toBeVisible();
  await engine.selectOption({ label: "WhatsApp Cloud API" });
  const form = page.getByRole("form", { name: "Add a WhatsApp number" });
  await form.getByLabel("Name", { exact: true }).fill("Uptown Cloud");
  await form.getByLabel("Phone number ID").fill(NUMBER.id);
  await form.getByLabel("WhatsApp Business Account ID").fill(FAKE_GRAPH_DEFAULTS.businessAccountId);
  await form.getByLabel("Access token").fill(FAKE_GRAPH_DEFAULTS.accessToken);
  await form.getByLabel("App secret").fill(APP_SECRET);
  await form.getByLabel("Verify token").fill(VERIFY_TOKEN);
  await form.getByRole("button", { name: "Check the token" }).click();
  await expect(form.getByTestId("cloud-check-result")).toHaveText(`The token works: ${NUMBER.display}, ${NUMBER.name}`);
  await form.getByRole("button", { name: "Add number" }).click();
  const card = page.getByTestId("session-card").filter({ hasText: "Uptown Cloud" });
  await expect(card.getByTestId("cloud-webhook-url")).toBeVisible();
  sessionId = (await card.getAttribute("data-session-id")) ?? undefined;
  const webhookUrl = await card.getByTestId("cloud-webhook-url").inputValue();
  expect(webhookUrl).toBe(`${BASE_URL}/api/whatsapp/cloud/${sessionId}`);
  // The worker's cloud engine checks the token and reports the number connected.
  await expect(card.getByTestId("session-status")).toHaveText("Connected", { timeout: 30_000 });

  // (2) Meta's subscription check, over real HTTP through Next.
  const challenge = "1158201444";
  const subscribe = await fetch(
    `${webhookUrl}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(VERIFY_TOKEN)}&hub.challenge=${challenge}`,
  );
  expect(subscribe.status).toBe(200);
  expect(await subscribe.text()).toBe(challenge);
  const wrongToken = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=not-it-at-all&hub.challenge=1`);
  expect(wrongToken.status).toBe(403);

  // (3) A rule that answers the keyword, published.
  await trpc(page, "rules.create", {
    name: "Pistachio croissants",
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: KEYWORD }] },
    actions: [{ type: "reply", text: REPLY }],
  });
  await trpc(page, "rules.publish", { note: "Cloud API journey" });

  // (7) A wrongly signed notification is refused before anything reads it.
  const question = fromContact("wamid.E2E-CLOUD-QUESTION", "text", {
    text: { body: `Any ${KEYWORD} croissants left?` },
  });
  expect(await postWebhook(webhookUrl, question, "f".repeat(32))).toBe(401);

  // (4) Meta's signed text: the Inbox shows it and the rule's reply; the Graph API got the reply.
  expect(await postWebhook(webhookUrl, question)).toBe(200);
  await expect
    .poll(async () => (await repliesSent()).length, { timeout: 30_000, message: "the reply at the fake Graph API" })
    .toBe(1);
  const [request] = await repliesSent();
  expect(request!.authorization).toBe(`Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`);
  expect(request!.body).toEqual({
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: CONTACT.waId,
    type: "text",
    text: { body: REPLY, preview_url: false },
    biz_opaque_callback_data: expect.any(String),
  });
  const wamid = (request!.response as { messages: { id: string }[] }).messages[0]!.id;
  expect(wamid).toMatch(/^wamid\./);

  await openThread(page);
  await expect(page.getByRole("heading", { name: CONTACT.name })).toBeVisible();
  await expect(page.getByTestId("message-in").filter({ hasText: `Any ${KEYWORD} croissants left?` })).toBeVisible();
  const reply = page.getByTestId("message-out").filter({ hasText: REPLY });
  await expect(reply).toBeVisible();
  const ticks = reply.locator("[data-status]");
  await expect(ticks).toHaveAttribute("data-status", "sent");

  // (5) Meta's statuses for the reply: delivered, then read, move its ticks (live, no reload).
  expect(await postWebhook(webhookUrl, statusOf(wamid, "delivered"))).toBe(200);
  await expect(ticks).toHaveAttribute("data-status", "delivered", { timeout: 20_000 });
  await expect(ticks).toHaveAttribute("aria-label", "delivered");
  expect(await postWebhook(webhookUrl, statusOf(wamid, "read"))).toBe(200);
  await expect(ticks).toHaveAttribute("data-status", "read", { timeout: 20_000 });
  await expect(ticks).toHaveAttribute("aria-label", "read");

  // (6) A photo: registered at the fake Graph API, announced by a signed webhook with its media
  // id, downloaded by the number's connection and shown in the Inbox.
  const photo = await jpegBytes(640, 480);
  const { mediaId } = await controlGraph({ addMedia: { base64: photo.toString("base64"), mimeType: "image/jpeg" } });
  expect(mediaId).toMatch(/^\d+$/);
  const image = fromContact("wamid.E2E-CLOUD-PHOTO", "image", {
    image: {
      caption: "The tray this morning",
      mime_type: "image/jpeg",
      sha256: createHash("sha256").update(photo).digest("base64"),
      id: mediaId,
    },
  });
  expect(await postWebhook(webhookUrl, image)).toBe(200);
  const shown = page
    .locator('[data-testid="message-in"][data-kind="image"]')
    .filter({ hasText: "The tray this morning" });
  const thumbnail = shown.getByTestId("media-image");
  await expect(thumbnail).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => naturalWidth(thumbnail), { timeout: 20_000 }).toBeGreaterThan(0);
  const fetched = (await graphRequests()).filter(
    (graph) => graph.path === `/${GRAPH_VERSION}/${mediaId}` || graph.path === `/__media/${mediaId}`,
  );
  expect(fetched.map((graph) => [graph.path, graph.authorization])).toEqual([
    [`/${GRAPH_VERSION}/${mediaId}`, `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`],
    [`/__media/${mediaId}`, `Bearer ${FAKE_GRAPH_DEFAULTS.accessToken}`],
  ]);
  // Still one reply: neither the statuses nor the photo made another.
  expect(await repliesSent()).toHaveLength(1);

  // The same thread on a phone: nothing scrolls sideways.
  const context = await browser.newContext(PHONE);
  const phone = await context.newPage();
  try {
    await login(phone);
    await phone.goto(page.url());
    await expect(phone.getByTestId("message-out").filter({ hasText: REPLY })).toBeVisible();
    await expect.poll(() => naturalWidth(phone.getByTestId("media-image").last())).toBeGreaterThan(0);
    await expectNoSidewaysScroll(phone);
  } finally {
    await context.close();
  }
});
