import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { BASE_URL, E2E } from "./stack";
import { login, trpc } from "./helpers";

const DATABASE_URL = process.env.E2E_DATABASE_URL ?? `postgres://postgres:postgres@127.0.0.1:${E2E.pgPort}/switchboard`;
/** Where the stack's supervisor keeps its children's state (server/stack/supervisor.ts). */
const SUPERVISOR_STATE = path.join(E2E.dataDir, "supervisor-state.json");
const RECIPIENTS = 10_000;
/** +1 415 780 0000 … +1 415 780 9999: valid numbers no other test uses. */
const PHONE_PREFIX = "+1415780";

type TChild = {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  lastExit: { code: number | null; signal: string | null } | null;
};

async function workerStatus(): Promise<TChild> {
  const state = JSON.parse(await readFile(SUPERVISOR_STATE, "utf8")) as { children: TChild[] };
  const worker = state.children.find((child) => child.name === "worker");
  if (!worker) throw new Error(`no worker in ${SUPERVISOR_STATE}`);
  return worker;
}

/** "3,456 of 10,000 recipients done" → 3456. */
async function doneOnPage(page: Page): Promise<number> {
  const text = (await page.getByTestId("campaign-progress-text").textContent()) ?? "";
  const [done] = text.split(" of ");
  return Number((done ?? "").replace(/\D/g, ""));
}

/** Waits until the page's count (without a reload) passes `than`; returns the new count. */
async function expectProgressPast(page: Page, than: number, timeout = 30_000): Promise<number> {
  await expect.poll(() => doneOnPage(page), { timeout, intervals: [500] }).toBeGreaterThan(than);
  return doneOnPage(page);
}

/**
 * Issue 24, acceptance 1, in a real browser: a campaign to a 10,000-contact segment on the
 * Simulator's number, its progress live on the page, paused and resumed, and the stack's worker
 * SIGKILLed twice while it sends (the supervisor brings it back each time); in the end every
 * recipient has exactly one campaign message, delivered to the simulated phone once.
 *
 * The last project (playwright.config.ts): its 10,000 conversations do not crowd the other
 * journeys' pages. The Simulator's pacing (20 a minute) is off for the run and restored after.
 */
test("[campaigns] 10,000 recipients: live progress, pause and resume, two worker SIGKILLs; each exactly once", async ({
  page,
}) => {
  test.setTimeout(360_000);
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const stamp = Date.now().toString(36);
  const tag = `scale-${stamp}`;
  const {
    rows: [simulator],
  } = await db.query<{ id: string; pacing: unknown }>(
    "select id, settings->'pacing' as pacing from wa_sessions where kind = 'simulator' order by created_at limit 1",
  );
  if (!simulator) throw new Error("no Simulator session");
  await login(page);
  await trpc(page, "sessions.updateSettings", { id: simulator.id, pacing: { enabled: false } });
  try {
    // 10,000 imported contacts (they never wrote) on the Simulator's number, in one statement.
    const seeded = await db.query(
      `insert into contacts (session_id, wa_id, name, tags)
       select $1::uuid, $2 || lpad(n::text, 4, '0'), 'Scale ' || n, array[$3]
       from generate_series(0, $4::int - 1) as n`,
      [simulator.id, PHONE_PREFIX, tag, RECIPIENTS],
    );
    expect(seeded.rowCount).toBe(RECIPIENTS);

    await page.goto("/campaigns");
    await page.getByRole("button", { name: "New campaign" }).click();
    await page.getByLabel("Name", { exact: true }).fill(`Ten thousand ${stamp}`);
    await page.getByRole("button", { name: "New segment" }).click();
    const segment = page.getByRole("group", { name: "New segment" });
    await segment.getByLabel("Segment name").fill(`Everyone at scale ${stamp}`);
    await segment.getByLabel("Has any of these tags").fill(tag);
    await expect(segment.getByTestId("segment-count")).toHaveText(
      "10,000 contacts match; 10,000 can be reached (not opted out or blocked).",
    );
    await segment.getByRole("button", { name: "Save segment" }).click();
    await expect(page.getByLabel("Audience (segment)")).toHaveValue(/.+/);
    await page.getByLabel("Message", { exact: true }).fill("Hello {{contact.firstName}}, the summer menu is out.");
    await page.getByRole("checkbox", { name: /Simulator/ }).check();
    await page.getByLabel("Messages per minute").fill("6000");
    await page.getByLabel(/Also send to contacts who never wrote/).check();
    await page.getByRole("button", { name: "Save draft" }).click();
    const bar = page.getByRole("progressbar", { name: "Campaign progress" });
    await expect(bar).toBeVisible();
    const {
      rows: [campaign],
    } = await db.query<{ id: string }>("select id from campaigns where name = $1", [`Ten thousand ${stamp}`]);
    if (!campaign) throw new Error("the campaign was not saved");
    const doneInDb = async () =>
      (
        await db.query<{ n: number }>(
          "select count(*)::int as n from campaign_recipients where campaign_id = $1 and state <> 'pending'",
          [campaign.id],
        )
      ).rows[0]!.n;

    const activeJobs = async () =>
      (
        await db.query<{ n: number }>(
          "select count(*)::int as n from pgboss.job where state = 'active' and name in ('campaign.tick', $1)",
          [`send.${simulator.id}`],
        )
      ).rows[0]!.n;

    const started = Date.now();
    await page.getByRole("button", { name: "Start" }).click();
    await expect(page.getByTestId("campaign-progress-text")).toHaveText(/ of 10,000 recipients done$/, {
      timeout: 20_000,
    });
    // Live: the count and the bar move on their own, twice. (A mark on the page's window: it is
    // never reloaded until the end.)
    await page.evaluate((mark) => {
      Object.assign(window, { scaleMark: mark });
    }, stamp);
    let seen = await expectProgressPast(page, 0);
    const barAt = Number(await bar.getAttribute("aria-valuenow"));
    seen = await expectProgressPast(page, seen);
    seen = await expectProgressPast(page, seen);
    await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow"))).toBeGreaterThan(barAt);

    // Pause: nothing more is taken, on the page or in the database.
    await page.getByRole("button", { name: "Pause" }).click();
    await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
    const pausedAt = await doneInDb();
    expect(pausedAt).toBeLessThan(RECIPIENTS);
    await expect(page.getByTestId("campaign-progress-text")).toHaveText(
      `${pausedAt.toLocaleString("en-US")} of 10,000 recipients done`,
    );
    await page.waitForTimeout(4_000);
    expect(await doneInDb()).toBe(pausedAt);
    await expect(page.getByTestId("campaign-progress-text")).toHaveText(
      `${pausedAt.toLocaleString("en-US")} of 10,000 recipients done`,
    );
    await page.getByRole("button", { name: "Resume" }).click();
    seen = await expectProgressPast(page, pausedAt);

    // Two SIGKILLs of the worker while it sends: the supervisor starts it again each time, the
    // web stays up, and the loop carries on.
    for (const share of [0.35, 0.65]) {
      await expect
        .poll(doneInDb, { timeout: 120_000, intervals: [500], message: `the campaign ${share * 100}% done` })
        .toBeGreaterThanOrEqual(RECIPIENTS * share);
      const before = await workerStatus();
      expect(before).toMatchObject({ state: "running", pid: expect.any(Number) });
      // In the middle of the work: while the worker holds a tick or a batch of sends.
      await expect.poll(activeJobs, { timeout: 10_000, intervals: [20] }).toBeGreaterThan(0);
      process.kill(before.pid!, "SIGKILL");
      await expect
        .poll(workerStatus, { timeout: 30_000, message: "the supervisor restarts the worker" })
        .toMatchObject({ state: "running", restarts: before.restarts + 1 });
      const after = await workerStatus();
      expect(after.pid).not.toBe(before.pid);
      expect(after.lastExit).toMatchObject({ signal: "SIGKILL" });
      // The new worker is alive and beating (the stack's identity, its own pid).
      await expect
        .poll(
          async () =>
            (
              await db.query<{ n: number }>(
                "select count(*)::int as n from worker_heartbeats where pid = $1 and stopped_at is null and beat_at > now() - interval '30 seconds'",
                [String(after.pid)],
              )
            ).rows[0]!.n,
          { timeout: 60_000, message: "the restarted worker's heartbeat" },
        )
        .toBe(1);
      expect((await fetch(`${BASE_URL}/api/health`)).status).toBe(200);
      seen = await expectProgressPast(page, Math.max(seen, await doneInDb()), 60_000);
    }

    await expect(page.getByTestId("campaign-progress-text")).toHaveText("10,000 of 10,000 recipients done", {
      timeout: 180_000,
    });
    await expect(page.locator('[data-count="sent"]')).toHaveText("10,000", { timeout: 120_000 });
    await expect(page.getByText("Done", { exact: true }).last()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { scaleMark?: string }).scaleMark)).toBe(stamp);
    const {
      rows: [retried],
    } = await db.query<{ n: number }>(
      "select count(*)::int as n from pgboss.job where retry_count > 0 and name in ('campaign.tick', $1)",
      [`send.${simulator.id}`],
    );
    console.log(
      `campaigns at scale: ${RECIPIENTS} recipients sent in ${Math.round((Date.now() - started) / 1000)} s; ` +
        `${retried!.n} tick or send jobs retried after the kills`,
    );

    // Exactly once: each recipient has one message, and the phone got each once.
    const {
      rows: [counts],
    } = await db.query<Record<string, number>>(
      `select
         (select count(*)::int from campaign_recipients where campaign_id = $1) as recipients,
         (select count(*)::int from campaign_recipients where campaign_id = $1 and state = 'queued'
            and message_id is not null) as queued,
         (select count(distinct message_id)::int from campaign_recipients where campaign_id = $1) as distinct_messages,
         (select count(*)::int from contacts c where $2 = any(c.tags) and (
            select count(*) from messages m join threads t on t.id = m.thread_id
            where t.contact_id = c.id and m.source = 'campaign') <> 1) as contacts_not_once,
         (select count(*)::int from messages m join threads t on t.id = m.thread_id join contacts c on c.id = t.contact_id
            where $2 = any(c.tags) and m.source = 'campaign' and m.status in ('sent', 'delivered', 'read')) as sent,
         (select count(*)::int from simulator_deliveries d where d.to_wa_id like $3) as deliveries,
         (select count(*)::int from (select d.to_wa_id from simulator_deliveries d where d.to_wa_id like $3
            group by d.to_wa_id having count(*) > 1) twice) as delivered_twice`,
      [campaign.id, tag, `${PHONE_PREFIX}%`],
    );
    expect(counts).toEqual({
      recipients: RECIPIENTS,
      queued: RECIPIENTS,
      distinct_messages: RECIPIENTS,
      contacts_not_once: 0,
      sent: RECIPIENTS,
      deliveries: RECIPIENTS,
      delivered_twice: 0,
    });
    const {
      rows: [sample],
    } = await db.query<{ body: string }>(
      `select m.body from messages m join threads t on t.id = m.thread_id join contacts c on c.id = t.contact_id
       where c.wa_id = $1 and m.source = 'campaign'`,
      [`${PHONE_PREFIX}4242`],
    );
    expect(sample?.body).toBe("Hello Scale, the summer menu is out.");
  } finally {
    await trpc(page, "sessions.updateSettings", { id: simulator.id, pacing: simulator.pacing ?? {} }).catch(
      () => undefined,
    );
    await db.end();
  }
});
