import { expect, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE, screenshot, trpc, trpcQuery } from "./helpers";

type TSimulatorMessage = { direction: "in" | "out"; source: string; body: string };

/**
 * Issue 24 in the browser: a segment made in the campaign form with its live count, a campaign
 * to it from the Simulator's number, started, paused and resumed, with its progress live; every
 * recipient gets the message once.
 */
test("[campaigns] a campaign to a new segment: live count, start, pause, resume, done; each contact once", async ({
  page,
}) => {
  await login(page);
  const stamp = Date.now().toString(36);
  const tag = `spring-${stamp}`;
  // Six imported contacts (they never wrote) with the campaign's tag, on the Simulator's number.
  const base = 6_000 + Math.floor(Math.random() * 990);
  const phones = Array.from({ length: 6 }, (_, index) => `+1415555${base + index}`);
  for (const [index, phone] of phones.entries())
    await trpc(page, "contacts.save", {
      id: null,
      contact: { phone, name: `Guest${index} ${stamp}`, tags: [tag] },
    });

  await page.goto("/campaigns");
  await page.getByRole("button", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill(`Spring menu ${stamp}`);
  await page.getByRole("button", { name: "New segment" }).click();
  const segment = page.getByRole("group", { name: "New segment" });
  await segment.getByLabel("Segment name").fill(`Spring guests ${stamp}`);
  await segment.getByLabel("Has any of these tags").fill(tag);
  // The live count follows the filter.
  await expect(segment.getByTestId("segment-count")).toHaveText(
    "6 contacts match; 6 can be reached (not opted out or blocked).",
  );
  await segment.getByLabel("Wrote to us").selectOption("yes");
  await expect(segment.getByTestId("segment-count")).toHaveText(/^0 contacts match/);
  await segment.getByLabel("Wrote to us").selectOption("any");
  await expect(segment.getByTestId("segment-count")).toHaveText(/^6 contacts match/);
  await segment.getByRole("button", { name: "Save segment" }).click();
  await expect(page.getByLabel("Audience (segment)")).toHaveValue(/.+/);

  await page.getByLabel("Message", { exact: true }).fill("Hello {{contact.firstName}}, our spring menu is out.");
  await page.getByRole("checkbox", { name: /Simulator/ }).check();
  await page.getByLabel("Messages per minute").fill("20");
  await page.getByLabel(/Also send to contacts who never wrote/).check();
  await page.getByRole("button", { name: "Save draft" }).click();

  const detail = page.getByRole("progressbar", { name: "Campaign progress" });
  await expect(detail).toBeVisible();
  await expect(page.getByText("Draft", { exact: true }).last()).toBeVisible();
  await page.getByRole("button", { name: "Start" }).click();
  // 20 a minute: the first at once, then one every 3 s. Pause after the first.
  await expect(page.getByTestId("campaign-progress-text")).toHaveText(/^[1-5] of 6 recipients done$/, {
    timeout: 15_000,
  });
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
  const pausedAt = await page.getByTestId("campaign-progress-text").textContent();
  await page.waitForTimeout(4_000);
  await expect(page.getByTestId("campaign-progress-text")).toHaveText(pausedAt!);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("campaign-progress-text")).toHaveText("6 of 6 recipients done", { timeout: 30_000 });
  await expect(page.locator('[data-count="sent"]')).toHaveText("6", { timeout: 15_000 });
  await expect(page.getByText("Done", { exact: true }).last()).toBeVisible();
  await screenshot(page, "campaigns");
  await expectAccessible(page);

  // Each contact got the message once, personalised.
  for (const [index, phone] of phones.entries()) {
    const thread = await trpcQuery<TSimulatorMessage[]>(page, "simulator.thread", { waId: phone });
    expect(thread.filter((message) => message.direction === "out")).toEqual([
      expect.objectContaining({ source: "campaign", body: `Hello Guest${index}, our spring menu is out.` }),
    ]);
  }

  // On a phone the page fits.
  await page.setViewportSize(PHONE.viewport);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Campaigns", level: 1 })).toBeVisible();
  await expectNoSidewaysScroll(page);
});

/**
 * Issue 24, an imported list: a CSV uploaded to a draft (bad and opted-out rows reported by
 * line), the preview for real contacts of the list, the campaign started and done, its results
 * page (filter, table) and the CSV export (injection-safe, refused without a session).
 */
test("[campaigns] an imported list: upload with its row report, preview, start, results, export", async ({
  page,
  playwright,
}) => {
  await login(page);
  const stamp = Date.now().toString(36);
  const base = 7_000 + Math.floor(Math.random() * 900);
  const phones = Array.from({ length: 4 }, (_, index) => `+1415555${base + index}`);
  // The third has opted out already: never a recipient.
  await trpc(page, "contacts.save", { id: null, contact: { phone: phones[2], name: `Out ${stamp}`, optedOut: true } });

  await page.goto("/campaigns");
  await page.getByRole("button", { name: "New campaign" }).click();
  await page.getByLabel("Name", { exact: true }).fill(`Guest list ${stamp}`);
  await page.getByLabel(/A list from a CSV file/).check();
  await page.getByRole("checkbox", { name: /Simulator/ }).check();
  await page.getByLabel("Message", { exact: true }).fill("Hi {{contact.firstName}}, your table is {{var.table}}.");
  await page.getByLabel("Messages per minute").fill("600");
  // The Simulator is paced at 20 a minute: the form says faster messages wait for their turn.
  await expect(page.getByText(/pacing sends at most 20 a minute together/)).toBeVisible();
  await page.getByLabel(/Also send to contacts who never wrote/).check();
  await page.getByRole("button", { name: "Save draft" }).click();

  await expect(page.getByRole("heading", { name: "Audience from a CSV file" })).toBeVisible();
  const csv = [
    "Phone,Name,Table",
    `${phones[0]},Ana ${stamp},7`,
    `${phones[1]},@Bruno ${stamp},8`,
    `${phones[2]},Out ${stamp},9`,
    "not a number,Nobody,1",
    `${phones[3]},Dora ${stamp},12`,
  ].join("\n");
  await page
    .getByLabel("CSV file", { exact: true })
    .setInputFiles({ name: "guests.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Upload list" }).click();
  await expect(page.getByTestId("campaign-list-result")).toHaveText("3 recipients from 5 rows; 3 new contacts.");
  const rejected = page.getByRole("table", { name: "2 rows left out" });
  await expect(rejected.getByRole("row")).toHaveCount(3);
  await expect(rejected.getByRole("row").nth(1)).toContainText("The contact opted out");
  await expect(rejected.getByRole("row").nth(2)).toContainText("5");
  await expect(page.getByTestId("campaign-list-summary")).toHaveText("3 recipients in the list. Variables: table");

  // The preview: the list's first contact, then another, with their own values.
  await expect(page.getByTestId("campaign-preview")).toHaveText("Hi Ana, your table is 7.");
  await page.getByLabel("Contact", { exact: true }).selectOption({ label: `@Bruno ${stamp} (${phones[1]})` });
  await expect(page.getByTestId("campaign-preview")).toHaveText("Hi @Bruno, your table is 8.");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByTestId("campaign-progress-text")).toHaveText("3 of 3 recipients done", { timeout: 30_000 });

  await page.getByRole("link", { name: "Results and export" }).click();
  await expect(page.getByRole("heading", { name: "Campaign results", level: 1 })).toBeVisible();
  const table = page.getByRole("table", { name: "Recipients" });
  await expect(table.getByRole("row")).toHaveCount(4);
  await expect(table.getByRole("row").nth(1)).toContainText(`Ana ${stamp}`);
  await expect(page.locator('[data-count="sent"]')).toHaveText("3", { timeout: 15_000 });
  await page.getByLabel("Show", { exact: true }).selectOption("skipped");
  await expect(table.getByRole("row").nth(1)).toHaveText("No recipients match.");
  await page.getByLabel("Show", { exact: true }).selectOption("all");
  await expect(table.getByRole("row")).toHaveCount(4);
  await expectAccessible(page);

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloading;
  const stream = await download.createReadStream();
  let exported = "";
  for await (const chunk of stream) exported += String(chunk);
  const lines = exported.trimEnd().split("\r\n");
  expect(lines[0]).toBe("position,name,phone,number,state,message_status,replied,skipped_reason,opted_out,queued_at");
  expect(lines).toHaveLength(4);
  expect(lines[1]).toMatch(new RegExp(`^1,Ana ${stamp},\\${phones[0]},`));
  // A cell a spreadsheet would run as a formula is defused.
  expect(lines[2]).toMatch(new RegExp(`^2,'@Bruno ${stamp},`));

  // The export needs a session.
  const anonymous = await playwright.request.newContext();
  const refused = await anonymous.get(
    new URL(new URL(page.url()).pathname.replace(/^\/campaigns/, "/api/campaigns") + "/export", page.url()).toString(),
  );
  expect(refused.status()).toBe(401);
  await anonymous.dispose();

  // On a phone the results page fits.
  await page.setViewportSize(PHONE.viewport);
  await page.reload();
  await expect(page.getByRole("table", { name: "Recipients" })).toBeVisible();
  await expectNoSidewaysScroll(page);
});
