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
