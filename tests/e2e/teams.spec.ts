import { expect, type Page, test } from "@playwright/test";
import pg from "pg";
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
import { E2E } from "./stack";

const DATABASE_URL = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;

const TEAM = "Night Owls";
const ANA = { email: "ana.teams@e2e.test", name: "Ana Owl" };
const BEN = { email: "ben.teams@e2e.test", name: "Ben Owl" };
const ACK = "A night owl will answer you here.";

function teamCard(page: Page) {
  return page.getByTestId("team-card").filter({ has: page.getByRole("heading", { name: TEAM }) });
}

function memberDot(page: Page, name: string) {
  return teamCard(page).getByTestId("team-member").filter({ hasText: name }).getByTestId("availability-dot");
}

test("[teams] an admin makes a team of two agents with round robin; availability shows live; a hand-off to the team waits in its queue with its count, then goes to the agent who comes online", async ({
  browser,
  page,
}) => {
  test.setTimeout(150_000);
  await login(page);
  await createUser(page, { ...ANA, role: "agent" });
  await createUser(page, { ...BEN, role: "agent" });

  // The admin creates the team in the Teams page (reached from the navigation).
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Teams" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).first().fill(TEAM);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("teams-notice")).toHaveText(`Team ${TEAM} created.`);
  const card = teamCard(page);
  await expect(card).toBeVisible();
  await expect(card.getByTestId("team-waiting")).toHaveText("Nothing waiting");

  // Two agents join; assignment becomes round robin, two open conversations each at most.
  for (const agent of [ANA, BEN]) {
    await card.getByLabel(`Add a member to ${TEAM}`).selectOption({ label: agent.name });
    await card.getByRole("button", { name: "Add", exact: true }).click();
    await expect(card.getByTestId("team-member").filter({ hasText: agent.name })).toBeVisible();
  }
  await card.getByLabel("Assignment").selectOption("round_robin");
  await card.getByLabel("Open conversations per agent").fill("2");
  await card.getByLabel("First response target (minutes)").fill("30");
  await card.getByRole("button", { name: "Save team" }).click();
  await expect(page.getByTestId("teams-notice")).toHaveText(`Team ${TEAM} saved.`);
  await expect(card).toContainText("Round robin");
  await expect(card).toContainText("Up to 2 open conversations per agent");
  await expect(memberDot(page, ANA.name)).toHaveAttribute("data-availability", "offline");
  await expect(memberDot(page, BEN.name)).toHaveAttribute("data-availability", "offline");
  await expectAccessible(page);

  // The hand-off rule, in the rule editor: the team is picked for the hand-off action.
  await page.goto("/rules");
  await page.getByRole("button", { name: "New rule" }).click();
  await page.fill("#rule-name", "Night owls");
  await page.getByRole("textbox", { name: "Value", exact: true }).first().fill("nightowl");
  await page.getByLabel("Reply text 1").fill(ACK);
  await page.getByRole("button", { name: "+ Action" }).click();
  await page.getByLabel("Action 2", { exact: true }).selectOption("handoff");
  await page.getByLabel("Team for action 2").selectOption({ label: TEAM });
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("list", { name: "Draft rules" }).getByText("Night owls")).toBeVisible();
  await page.getByLabel("Version note").fill("Night owls");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText(/^Published version \d+\.$/)).toBeVisible();

  // The flow editor's hand-off step takes the team too, and keeps it in the saved draft.
  await page.goto("/flows");
  await page.getByLabel("New flow").fill(`Night owl flow ${Date.now().toString(36)}`);
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
  await page.getByRole("toolbar", { name: "Add step" }).getByRole("button", { name: "+ Hand off" }).click();
  const panel = page.getByRole("complementary");
  await panel.getByLabel("Team", { exact: true }).selectOption({ label: TEAM });
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForLoadState("networkidle");
  await page.reload();
  await page.locator('[data-step-id^="handoff"]').first().click();
  await expect(
    page.getByRole("complementary").getByLabel("Team", { exact: true }).locator("option:checked"),
  ).toHaveText(TEAM);

  // Ana, in a browser of her own, goes online from the shell; the admin's Teams page shows it live.
  await page.goto("/teams");
  await expect(memberDot(page, ANA.name)).toHaveAttribute("data-availability", "offline");
  await page.waitForLoadState("networkidle");
  const context = await browser.newContext();
  const ana = await context.newPage();
  try {
    await login(ana, ANA.email, USER_PASSWORD);
    await ana.goto("/teams");
    const mine = ana.getByTestId("availability-switch").last();
    await expect(mine).toHaveValue("offline");
    await mine.selectOption("online");
    await expect(memberDot(page, ANA.name)).toHaveAttribute("data-availability", "online");
    await expect(memberDot(ana, ANA.name)).toHaveAttribute("data-availability", "online");
    // And back offline, so the hand-off below waits for someone.
    await mine.selectOption("offline");
    await expect(memberDot(page, ANA.name)).toHaveAttribute("data-availability", "offline");

    // A contact asks for a night owl: the hand-off waits in the team's queue, counted there.
    await ana.goto("/inbox?filter=needs_human");
    const queues = ana.getByRole("group", { name: "Queues" });
    const teamChip = queues.getByRole("button", { name: new RegExp(`^${TEAM}`) });
    await expect(teamChip).toBeVisible();
    await ana.waitForLoadState("networkidle");
    await startChat(page, "+14155550231", "Olive Owl");
    await sendAsContact(page, "Is a nightowl around?");
    await expect(fromBot(page, ACK)).toBeVisible({ timeout: 20_000 });
    await expect(teamChip).toHaveAccessibleName(`${TEAM} 1 waiting`, { timeout: 20_000 });
    await teamChip.click();
    await expect(teamChip).toHaveAttribute("aria-pressed", "true");
    await expect(ana).toHaveURL(/queue=/);
    const row = ana.getByTestId("inbox-thread").filter({ hasText: "Olive Owl" });
    await expect(row).toBeVisible();
    await expect(row).toContainText("Unassigned");
    // Its SLA clock runs in the row: time left to the first reply; past due, it is highlighted.
    const timer = row.getByTestId("sla-timer");
    await expect(timer).toHaveAttribute("data-breached", "false");
    await expect(timer).toContainText(/^First reply in (29|30) min$/);
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      await db.query(
        `update threads set sla_first_response_due_at = now() - interval '5 minutes'
         where contact_id = (select id from contacts where name = 'Olive Owl')`,
      );
    } finally {
      await db.end();
    }
    await ana.reload();
    await expect(timer).toHaveAttribute("data-breached", "true");
    await expect(timer).toContainText(/^First reply overdue by (5|6) min$/);
    // The shared queue does not have it.
    await queues.getByRole("button", { name: /^Shared/ }).click();
    await expect(row).toHaveCount(0);
    await teamChip.click();
    await expect(row).toBeVisible();

    await page.goto("/teams");
    await expect(teamCard(page).getByTestId("team-waiting")).toHaveText("1 waiting");

    // Ana comes online: round robin gives her the waiting conversation; her dot shows beside it.
    await ana.getByTestId("availability-switch").last().selectOption("online");
    await queues.getByRole("button", { name: "All queues" }).click();
    await ana.getByRole("button", { name: /^Mine/ }).click();
    const assigned = ana.getByTestId("inbox-thread").filter({ hasText: "Olive Owl" });
    await expect(assigned).toBeVisible({ timeout: 30_000 });
    await expect(assigned.getByTestId("availability-dot")).toHaveAttribute("data-availability", "online");
    await expect(teamCard(page).getByTestId("team-waiting")).toHaveText("Nothing waiting", { timeout: 20_000 });
    await expectAccessible(ana);
  } finally {
    await context.close();
  }
});

test.describe("on a phone", () => {
  test.use(PHONE);

  test("[teams] the Teams page and the availability switch work on a phone", async ({ page }) => {
    await login(page);
    await page.goto("/teams");
    await expect(page.getByRole("heading", { level: 1, name: "Teams" })).toBeVisible();
    await expect(teamCard(page)).toBeVisible();
    await expect(teamCard(page).getByTestId("team-member")).toHaveCount(2);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
    // The admin's own availability, from the menu.
    await page.getByTestId("menu-button").click();
    const mine = page.locator("#mobile-menu").getByTestId("availability-switch");
    await expect(mine).toHaveValue(/online|away|offline/);
    await mine.selectOption("away");
    await expect(mine).toHaveValue("away");
    await page.reload();
    await page.getByTestId("menu-button").click();
    await expect(page.locator("#mobile-menu").getByTestId("availability-switch")).toHaveValue("away");
  });
});
