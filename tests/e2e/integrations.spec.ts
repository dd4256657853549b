import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { createWebhookReceiver } from "../support/webhook-receiver-server";
import { expectAccessible, login, screenshot } from "./helpers";
import { BASE_URL } from "./stack";

test("[admin] a webhook to a local receiver gets a signed test event (200 in the log); an API key made in the UI sends a message", async ({
  page,
}) => {
  const receiver = await createWebhookReceiver();
  try {
    await login(page);

    // The endpoint, added in the Webhooks page; its secret is shown once.
    await page.goto("/webhooks");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const form = page.getByRole("form", { name: "Add endpoint" });
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Description").fill("Local receiver (e2e)");
    await form.getByLabel(/^All events/).uncheck();
    await form.getByLabel("message.sent").check();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const secret = await page.getByRole("textbox", { name: "Signing secret" }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "I have copied it" }).click();

    // A test event from the UI: delivered with HTTP 200, and in the delivery log.
    const endpoint = page.getByRole("listitem", { name: `Endpoint ${receiver.url}` });
    await endpoint.getByRole("button", { name: "Send test event" }).click();
    await expect(endpoint.getByTestId("test-delivery-status")).toHaveText(/^Test event delivered: HTTP 200/, {
      timeout: 20_000,
    });
    const row = page.getByTestId("delivery-row").filter({ hasText: "webhook.test" });
    await expect(row).toContainText("delivered", { timeout: 20_000 });
    await expect(row).toContainText("HTTP 200");

    // The receiver got it once, with Standard Webhooks headers that verify against the secret.
    // (A reply an earlier test queued may be sent meanwhile: its message.sent is not this one.)
    const tests = receiver.received.filter((request) => request.body.includes('"type":"webhook.test"'));
    expect(tests).toHaveLength(1);
    const [request] = tests;
    const headers = {
      "webhook-id": String(request!.headers["webhook-id"]),
      "webhook-timestamp": String(request!.headers["webhook-timestamp"]),
      "webhook-signature": String(request!.headers["webhook-signature"]),
    };
    expect(headers["webhook-signature"]).toMatch(/^v1,/);
    const verified = new Webhook(secret).verify(request!.body, headers) as { type: string };
    expect(verified.type).toBe("webhook.test");

    // An API key made in the API page (write scope), shown once.
    await page.goto("/api-keys");
    await page.getByLabel("Name", { exact: true }).fill("e2e shipping bot");
    await page.getByRole("checkbox", { name: /^write/ }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByRole("textbox", { name: "API key", exact: true }).inputValue();
    expect(key).toMatch(/^sb_/);
    await expect(page.getByTestId("curl-example")).toContainText(key);
    await page.getByRole("button", { name: "I have copied it" }).click();
    await expect(page.getByRole("cell", { name: "e2e shipping bot", exact: true })).toBeVisible();

    // The key sends a message through the REST API; the same Idempotency-Key sends nothing twice.
    const idempotencyKey = randomUUID();
    const send = () =>
      fetch(`${BASE_URL}/api/v1/messages`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${key}`,
          "idempotency-key": idempotencyKey,
          "content-type": "application/json",
        },
        body: JSON.stringify({ to: "+14155550153", body: "Your order has shipped." }),
      });
    const sent = await send();
    expect(sent.status).toBe(202);
    const { message } = (await sent.json()) as { message: { id: string; status: string } };
    const again = await send();
    expect(((await again.json()) as { message: { id: string } }).message.id).toBe(message.id);

    // Its status, read back with the key, moves on from queued as the simulator acknowledges it.
    await expect
      .poll(
        async () => {
          const response = await fetch(`${BASE_URL}/api/v1/messages/${message.id}`, {
            headers: { authorization: `Bearer ${key}` },
          });
          return ((await response.json()) as { status: string }).status;
        },
        { timeout: 30_000 },
      )
      .toMatch(/^(delivered|read)$/);

    // …and the endpoint, subscribed to message.sent, heard about it.
    await expect
      .poll(
        () =>
          receiver.received
            .map((entry) => JSON.parse(entry.body) as { type: string; data?: { message?: { id?: string } } })
            .some((event) => event.type === "message.sent" && JSON.stringify(event).includes(message.id)),
        { timeout: 30_000 },
      )
      .toBe(true);

    // A wrong key is refused.
    const refused = await fetch(`${BASE_URL}/api/v1/messages/${message.id}`, {
      headers: { authorization: "Bearer sb_not_a_real_key" },
    });
    expect(refused.status).toBe(401);

    await page.goto("/webhooks");
    // Other journeys send messages on the same stack meanwhile: any message.sent row will do (the
    // receiver's check above is the one about this message).
    await expect(page.getByTestId("delivery-row").filter({ hasText: "message.sent" }).first()).toContainText(
      "delivered",
      {
        timeout: 20_000,
      },
    );
    await page.waitForLoadState("networkidle");
    await expectAccessible(page);
    await screenshot(page, "webhooks");
    // The receiver stops with this test: no further deliveries to it.
    await page
      .getByRole("listitem", { name: `Endpoint ${receiver.url}` })
      .getByRole("button", { name: "Disable" })
      .click();
    await expect(
      page.getByRole("listitem", { name: `Endpoint ${receiver.url}` }).getByRole("button", { name: "Enable" }),
    ).toBeVisible();
  } finally {
    await receiver.close();
  }
});
