import { expect, test } from "@playwright/test";
import { login, trpc, trpcQuery } from "./helpers";

type TNumberOutreach = { sessionId: string; name: string; sentToday: number; cap: number | null };
type TSession = { id: string; name: string; settings: { outreach: Record<string, unknown> } };

/**
 * Issue 24, number health in the browser: a number's campaign limits set on its card (warm-up,
 * daily cap), its health and today's use shown there, and a campaign that stops at the cap and
 * says it waits for the next day.
 */
test("[campaigns] a number's daily cap and warm-up on its card; a campaign stops at the cap and says why", async ({
  page,
}) => {
  await login(page);
  const sessions = await trpcQuery<TSession[]>(page, "sessions.list");
  const simulator = sessions.find((session) => session.name === "Simulator")!;
  const before = simulator.settings.outreach;
  try {
    await page.goto("/sessions");
    const card = page.getByTestId("session-card").filter({ hasText: "Simulator" });
    const form = card.getByRole("form", { name: "Sending settings of Simulator" });
    // A warm-up from today: day 1 of 14, a cap of 20.
    const today = await page.evaluate(() => new Date().toISOString().slice(0, 10));
    await form.getByLabel("Warm-up from").fill(today);
    await form.getByRole("button", { name: /^Save/ }).click();
    await expect(form.getByText(/^Saved/)).toBeVisible();
    await page.reload();
    await expect(form.getByLabel("Warm-up from")).toHaveValue(today);
    await expect(form.getByTestId("number-health")).toHaveText(
      /^Health \d+\/100.* · \d+ of 20 campaign messages today · warm-up day 1 of 14$/,
    );

    // No warm-up; a daily cap of two more than the number sent today (other journeys sent some).
    const sent = (await trpcQuery<TNumberOutreach[]>(page, "sessions.outreach")).find(
      (number) => number.sessionId === simulator.id,
    )!.sentToday;
    await form.getByLabel("Warm-up from").fill("");
    await form.getByLabel("Daily cap").fill(String(sent + 2));
    await form.getByRole("button", { name: /^Save/ }).click();
    await expect(form.getByText(/^Saved/)).toBeVisible();
    await page.reload();
    await expect(form.getByTestId("number-health")).toHaveText(
      new RegExp(`^Health \\d+/100.* · ${sent} of ${sent + 2} campaign messages today$`),
    );
    // A bad cap is refused by the field, nothing saved.
    await form.getByLabel("Daily cap").fill("0");
    await form.getByRole("button", { name: /^Save/ }).click();
    await expect(form.getByText("Between 1 and 1,000,000.")).toBeVisible();

    // A campaign to five contacts: two go, then it waits for the org's next day, and says so.
    const stamp = Date.now().toString(36);
    const tag = `capped-${stamp}`;
    const base = 3_000 + Math.floor(Math.random() * 990);
    for (let index = 0; index < 5; index++)
      await trpc(page, "contacts.save", {
        id: null,
        contact: { phone: `+1415555${base + index}`, name: `Capped${index} ${stamp}`, tags: [tag] },
      });
    const segment = await trpc<{ id: string }>(page, "campaigns.saveSegment", {
      id: null,
      segment: { name: `Capped ${stamp}`, filter: { tags: { any: [tag], all: [], none: [] } } },
    });
    const campaign = await trpc<{ id: string }>(page, "campaigns.save", {
      id: null,
      campaign: {
        name: `Capped ${stamp}`,
        audience: "segment",
        segmentId: segment.id,
        content: { kind: "text", body: "Our winter menu is out." },
        sessionIds: [simulator.id],
        ratePerMinute: 600,
        includeColdContacts: true,
      },
    });
    expect(campaign.id).toBeTruthy();
    await page.goto("/campaigns");
    await page.getByRole("button", { name: new RegExp(`^Capped ${stamp}`) }).click();
    await page.getByRole("button", { name: "Start" }).click();
    await expect(page.getByText(/^Waiting: its numbers reached today's cap\. It goes on /)).toBeVisible({
      timeout: 20_000,
    });
    await expect(page.getByTestId("campaign-progress-text")).toHaveText("2 of 5 recipients done");
    await page.getByRole("button", { name: /^Cancel/ }).click();
    await expect(page.getByText("Cancelled", { exact: true }).last()).toBeVisible();
  } finally {
    await trpc(page, "sessions.updateSettings", { id: simulator.id, outreach: before });
  }
});
