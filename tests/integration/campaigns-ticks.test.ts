import { eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import { campaigns } from "~/db/schema";
import { saveCampaign, startCampaign, tickCampaign } from "~/server/campaigns/campaigns";
import { saveSegment } from "~/server/campaigns/segments";
import { createBoss } from "~/server/jobs/boss";
import { QUEUES } from "~/server/jobs/queues";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { waitFor } from "../support/processes";

/**
 * The campaign loop's timing and its crash safety at the job level (docs/campaigns.md, "How it
 * sends"): ticks at least a second apart at a high rate, each taking the second's worth; and a
 * tick whose worker died is retried within seconds (the queue's heartbeat), not at its expiry.
 */

/** A prepared database with `count` imported contacts (tag `tick`) and a draft campaign to them at `rate` a minute. */
async function setUp(count: number, ratePerMinute: number) {
  const database = await usePreparedDatabase();
  const { db, sessionId } = database;
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ graceful: false }));
  const admin = await insertUser(db, "admin");
  const actor = { id: admin.id, email: admin.email };
  await db.execute(sql`
    insert into contacts (session_id, wa_id, name, tags)
    select ${sessionId}::uuid, '+1415781' || lpad(n::text, 4, '0'), 'Tick ' || n, array['tick']
    from generate_series(1, ${count}) as n`);
  const segment = await saveSegment(db, actor, null, {
    name: "Ticks",
    filter: { tags: { any: ["tick"], all: [], none: [] } },
  });
  const campaign = await saveCampaign(db, actor, null, {
    name: "Ticks",
    segmentId: segment.id,
    content: { kind: "text", body: "Hello {{contact.firstName}}" },
    sessionIds: [sessionId],
    ratePerMinute,
    includeColdContacts: true,
  });
  return { ...database, boss, actor, campaign };
}

const tokenOf = async (db: TDb, id: string) =>
  (await db.select({ token: campaigns.tickToken }).from(campaigns).where(eq(campaigns.id, id)))[0]!.token!;

/** The `campaign.tick` job carrying `token`: when it may start, its state and what it ended with. */
async function tickJob(db: TDb, token: string) {
  const { rows } = await db.execute<{ id: string; start_after: string; state: string; output: unknown }>(sql`
    select id, start_after, state, output from pgboss.job
    where name = 'campaign.tick' and data->>'token' = ${token}`);
  expect(rows).toHaveLength(1);
  return { ...rows[0]!, startAfter: new Date(rows[0]!.start_after) };
}

describe("the campaign loop's ticks", () => {
  it("at a high rate, a tick takes a second's worth at once and the next comes at least a second later", async () => {
    const { db, boss, actor, campaign } = await setUp(250, 6_000);
    await startCampaign(db, boss, actor, campaign.id);
    const t0 = new Date();
    // The first tick materialises and sends one (the rate's "+1"): 6,000 a minute would have the
    // next one due 10 ms later, but the next tick is a second away.
    expect(
      await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t0),
    ).toEqual({ action: "sent", queued: 1, skipped: 0, done: false });
    const second = await tickJob(db, await tokenOf(db, campaign.id));
    expect(second.startAfter.getTime() - t0.getTime()).toBeGreaterThanOrEqual(1_000);
    expect(second.startAfter.getTime() - t0.getTime()).toBeLessThanOrEqual(2_000);
    // That tick, a second on: the second's worth (100) in one transaction, and again a second to the next.
    const t1 = new Date(t0.getTime() + 1_000);
    expect(
      await tickCampaign(db, boss, { campaignId: campaign.id, token: await tokenOf(db, campaign.id) }, {}, t1),
    ).toEqual({ action: "sent", queued: 100, skipped: 0, done: false });
    const third = await tickJob(db, await tokenOf(db, campaign.id));
    expect(third.startAfter.getTime() - t1.getTime()).toBeGreaterThanOrEqual(1_000);
    const [row] = await db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(row!.doneCount).toBe(101);
  });

  it("declares a heartbeat on campaign.tick, shorter than its expiry", () => {
    const { policy } = QUEUES["campaign.tick"];
    expect(policy.heartbeatSeconds).toBeGreaterThanOrEqual(10);
    expect(policy.heartbeatSeconds!).toBeLessThan(policy.expireInSeconds);
  });

  it(
    "a tick whose worker died holding it is retried within seconds (heartbeat), and the retry sends",
    { timeout: 60_000 },
    async () => {
      const { db, boss, actor, campaign, url } = await setUp(3, 600);
      await startCampaign(db, boss, actor, campaign.id);
      const token = await tokenOf(db, campaign.id);
      // A worker takes the tick and dies before finishing it: nothing touches the job again.
      const doomed = createBoss(url, "web");
      await doomed.start();
      const [taken] = await doomed.fetch("campaign.tick");
      expect(taken?.data).toEqual({ campaignId: campaign.id, token });
      await doomed.stop({ graceful: false });
      expect((await tickJob(db, token)).state).toBe("active");
      // Another worker's supervisor (every 5 s) finds the heartbeat missing and fails the job
      // into a retry: long before its expiry (120 s).
      const supervisor = createBoss(url, "worker");
      await supervisor.start();
      onTestFinished(() => supervisor.stop({ graceful: false }));
      const takenAt = Date.now();
      const retried = await waitFor(
        async () => {
          const job = await tickJob(db, token);
          return job.state === "retry" ? job : undefined;
        },
        40_000,
        async () => `the dead worker's tick to be retried; it is ${JSON.stringify(await tickJob(db, token))}`,
      );
      expect(Date.now() - takenAt).toBeLessThan(40_000);
      expect(retried.output).toMatchObject({ value: { message: "job heartbeat timeout" } });
      // pg-boss hands it out again (counting the retry) once its retry delay has passed.
      const again = await waitFor(
        async () => (await boss.fetch("campaign.tick"))[0],
        10_000,
        "the retry to be fetched",
      );
      expect(again.data).toEqual({ campaignId: campaign.id, token });
      // The retry holds the same token: it runs the step the dead worker never committed.
      expect(await tickCampaign(db, boss, { campaignId: campaign.id, token }, {}, new Date())).toMatchObject({
        action: "sent",
        queued: 1,
      });
    },
  );
});
