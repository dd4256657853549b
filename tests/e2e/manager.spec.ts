import { randomUUID } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import pg from "pg";
import {
  createUser,
  expectAccessible,
  login,
  screenshot,
  sendAsContact,
  startChat,
  trpcOutcome,
  USER_PASSWORD,
} from "./helpers";
import { E2E } from "./stack";

const DATABASE_URL = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

const MANAGER = { email: "manager@e2e.test", name: "Mia Manager", role: "manager" };

/**
 * Messages the journeys (which run before this file: see playwright.config.ts) exchange at
 * least: contacts write 2 (AI) + 1 (builder) + 2 (agent); Switchboard sends 2 (AI) + 1 (builder)
 * + 3 (agent: hand-off reply, the agent's reply, the bot's answer after release) + 1 (API).
 */
const JOURNEYS_RECEIVED = 5;
const JOURNEYS_SENT = 7;

async function figure(page: Page, label: string): Promise<number> {
  const card = page.getByTestId("analytics-figure").filter({ has: page.getByText(label, { exact: true }) });
  const text = await card.locator("dd").first().innerText();
  return Number(text.replace(/[^\d]/g, ""));
}

test("[manager] the Analytics Overview counts the journeys' messages; rules can be read but not published", async ({
  page,
}) => {
  await login(page);
  await createUser(page, MANAGER);
  await page.context().clearCookies();
  await login(page, MANAGER.email, USER_PASSWORD);

  await page.goto("/analytics");
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  const received = page.getByTestId("analytics-figure").filter({ hasText: "Messages received" });
  await expect(received.locator("dd").first()).toHaveText(/^\d[\d,]*$/);
  expect(await figure(page, "Messages received")).toBeGreaterThanOrEqual(JOURNEYS_RECEIVED);
  expect(await figure(page, "Messages sent")).toBeGreaterThanOrEqual(JOURNEYS_SENT);
  expect(await figure(page, "Handed off to people")).toBeGreaterThanOrEqual(1);
  await page.waitForLoadState("networkidle");
  await expectAccessible(page);
  await screenshot(page, "analytics");

  // Rules: readable, but there is no Publish (nor New rule) for a manager…
  await page.goto("/rules");
  await expect(page.getByRole("list", { name: "Draft rules" }).getByText("Wants a person")).toBeVisible();
  await expect(page.getByRole("button", { name: "View" }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Publish" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
  await page.getByRole("button", { name: "View" }).first().click();
  await expect(page.locator("#rule-name")).toBeDisabled();
  await expect(page.getByRole("button", { name: /^(Save|Create) rule$/ })).toHaveCount(0);

  // …and the API refuses it.
  const outcome = await trpcOutcome(page, "rules.publish", { note: "by a manager" });
  expect(outcome.errorCode).toBe("FORBIDDEN");
  expect(outcome.httpStatus).toBe(403);
});

test("[admin] a stuck message shows on Failed sends with its cause, age and re-send, and is counted in Analytics", async ({
  page,
}) => {
  await login(page);
  // A contact of this run (+1 415 555 8650–8699: no other spec uses that block).
  const phone = `+1415555${8650 + Math.floor(Math.random() * 50)}`;
  const name = `Stella Stuck ${randomUUID().slice(0, 6)}`;
  await startChat(page, phone, name);
  await sendAsContact(page, "hello");
  // A message as the delivery sweep leaves one: re-sent once, taken by WhatsApp 7 hours ago, no receipt since.
  const body = `Your parcel ${randomUUID().slice(0, 6)} is on its way`;
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(
      `insert into messages (session_id, thread_id, direction, body, source, status, flags, wa_message_id,
         created_at, queued_at, sent_at)
       select c.session_id, t.id, 'out', $2, 'api', 'sent', '{stuck_resent,stuck:not_delivered}', $3,
         now() - interval '7 hours', now() - interval '7 hours', now() - interval '7 hours'
       from threads t join contacts c on c.id = t.contact_id where c.wa_id = $1`,
      [phone, body, `e2e-stuck-${randomUUID()}`],
    );
  } finally {
    await db.end();
  }

  await page.goto("/outbox");
  const stuck = page.getByRole("table", { name: "Stuck messages" });
  const row = stuck.locator("tr").filter({ hasText: body });
  await expect(row).toBeVisible();
  await expect(row).toContainText(name);
  await expect(row).toContainText("Not delivered");
  await expect(row).toContainText("Re-sent once");
  await expect(row).toContainText("7 hours ago");
  await expect(row).toContainText("sent, no delivery receipt");
  await page.waitForLoadState("networkidle");
  await expectAccessible(page);

  await page.goto("/analytics");
  await expect(page.getByTestId("stuck-summary")).toContainText(/\d+ messages? (is|are) stuck now/);
  await expect(page.getByTestId("stuck-summary").getByRole("link")).toHaveAttribute("href", "/outbox");
});
