import { randomUUID } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
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

/** An agent of this run (the database may hold other runs' users). */
function newAgent() {
  const tag = randomUUID().slice(0, 8);
  return { email: `sam.schedule.${tag}@e2e.test`, name: `Sam Schedule ${tag}`, role: "agent" };
}

async function signedIn(browser: Browser, user: { email: string }, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await login(page, user.email, USER_PASSWORD);
  return { context, page };
}

/**
 * A number of this run: +1 415 555 26xx–29xx (the journeys use no other of that block; the
 * database may hold earlier runs' contacts, so each run takes its own).
 */
function newPhone() {
  return `+1415555${2600 + Math.floor(Math.random() * 400)}`;
}

/** `wall` (`YYYY-MM-DDTHH:mm`) plus `minutes`, as a wall time again (no zone: plain arithmetic on the clock). */
function addMinutes(wall: string, minutes: number): string {
  const at = new Date(`${wall}:00Z`);
  return new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 16);
}

/** Opens the conversation of `name` in the Inbox and turns on Schedule; the org's "now" as the picker's minimum. */
async function openAndSchedule(agent: Page, name: string) {
  await agent.goto("/inbox?filter=all");
  await agent.getByTestId("inbox-thread").filter({ hasText: name }).click();
  await agent.getByTestId("schedule-toggle").click();
  const picker = agent.getByLabel("Send at", { exact: true });
  await expect(picker).toBeVisible();
  await expect(agent.getByTestId("schedule-time")).toContainText("Time zone:");
  const now = await picker.getAttribute("min");
  expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  return { picker, now: now! };
}

async function scheduleOne(agent: Page, text: string, wall: string) {
  const composer = agent.getByLabel("Reply", { exact: true });
  await composer.fill(text);
  await agent.getByLabel("Send at", { exact: true }).fill(wall);
  await agent.getByRole("button", { name: "Schedule message", exact: true }).click();
  await expect(composer).toHaveValue("");
  await expect(agent.getByTestId("scheduled-message").filter({ hasText: text })).toBeVisible();
}

test("[scheduled] an agent schedules two messages in the Inbox, cancels one, and the other arrives in the Simulator at its time", async ({
  browser,
  page,
}) => {
  test.setTimeout(240_000);
  const agentUser = newAgent();
  const tag = randomUUID().slice(0, 6);
  const contact = `Rita Reminder ${tag}`;
  const soon = `Your table is ready (${tag})`;
  const later = `See you next week (${tag})`;
  await login(page);
  await createUser(page, agentUser);
  const phone = newPhone();
  await startChat(page, phone, contact);
  await sendAsContact(page, "Please remind me when my table is ready");

  const { context, page: agent } = await signedIn(browser, agentUser);
  try {
    const { now } = await openAndSchedule(agent, contact);
    // The next whole minute at least 20 s away, and one a day ahead.
    const seconds = new Date().getUTCSeconds();
    const dueWall = addMinutes(now, seconds > 40 ? 2 : 1);
    await scheduleOne(agent, later, addMinutes(now, 24 * 60));
    await agent.getByTestId("schedule-toggle").click();
    await scheduleOne(agent, soon, dueWall);
    await expect(agent.getByTestId("scheduled-message")).toHaveCount(2);
    await expectAccessible(agent);

    // The one a day ahead is cancelled: it leaves the list.
    const laterRow = agent.getByTestId("scheduled-message").filter({ hasText: later });
    await laterRow.getByRole("button", { name: /^Cancel the message scheduled for/ }).click();
    await expect(laterRow).toHaveCount(0);
    await expect(agent.getByText("Scheduled message cancelled")).toBeVisible();

    // The other reaches the contact at its time, and leaves the list once sent.
    // (The admin's page is still the contact's chat in the Simulator.)
    await expect(fromBot(page, soon)).toBeVisible({ timeout: 150_000 });
    await expect(agent.getByTestId("scheduled-message").filter({ hasText: soon })).toHaveCount(0, { timeout: 15_000 });
    await expect(agent.getByTestId("message-out").filter({ hasText: soon })).toBeVisible({ timeout: 15_000 });
    await expect(fromBot(page, later)).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("[scheduled] on a phone: the schedule picker, its time zone and the scheduled list fit the screen", async ({
  browser,
  page,
}) => {
  test.setTimeout(120_000);
  const agentUser = newAgent();
  const tag = randomUUID().slice(0, 6);
  const contact = `Pia Phone ${tag}`;
  const text = `Your parcel arrives tomorrow (${tag})`;
  await login(page);
  await createUser(page, agentUser);
  await startChat(page, newPhone(), contact);
  await sendAsContact(page, "When does my parcel arrive?");

  const { context, page: agent } = await signedIn(browser, agentUser, PHONE);
  try {
    const { now } = await openAndSchedule(agent, contact);
    await expectNoSidewaysScroll(agent);
    await scheduleOne(agent, text, addMinutes(now, 120));
    await expectNoSidewaysScroll(agent);
    await expectAccessible(agent);
    const row = agent.getByTestId("scheduled-message").filter({ hasText: text });
    await row.getByRole("button", { name: /^Cancel the message scheduled for/ }).click();
    await expect(row).toHaveCount(0);
  } finally {
    await context.close();
  }
});
