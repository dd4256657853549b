import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { campaigns } from "~/db/schema";
import { saveCampaign, startCampaign } from "~/server/campaigns/campaigns";
import { saveSegment } from "~/server/campaigns/segments";
import { createBoss } from "~/server/jobs/boss";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { usePreparedDatabase } from "../support/pipeline";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";
import { eq } from "drizzle-orm";

const RECIPIENTS = 1_000;

function startWorkerProcess(url: string): TSpawned {
  return spawnTs("workers/main.ts", [], {
    DATABASE_URL: url,
    APP_SECRET: "c".repeat(32),
    LOG_LEVEL: "warn",
    WORKER_HEARTBEAT_INTERVAL_MS: "500",
    WORKER_SESSION_LEASE_TTL_S: "3",
  });
}

describe("a campaign survives its worker being killed", () => {
  it(
    "every recipient gets the message exactly once, on the phone too, across two SIGKILLs while it sends",
    { timeout: 300_000 },
    async () => {
      const database = await usePreparedDatabase();
      const { db, sessionId } = database;
      await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false } });
      await db.execute(sql`
        insert into contacts (session_id, wa_id, name, tags)
        select ${sessionId}::uuid, '+1557' || lpad(n::text, 7, '0'), 'Guest ' || n, array['crash']
        from generate_series(1, ${RECIPIENTS}) as n`);
      const segment = await saveSegment(db, null, null, {
        name: "Crash",
        filter: { tags: { any: ["crash"], all: [], none: [] } },
      });
      const campaign = await saveCampaign(db, null, null, {
        name: "Crash",
        segmentId: segment.id,
        content: { kind: "text", body: "Hello {{contact.firstName}}" },
        sessionIds: [sessionId],
        ratePerMinute: 1_000,
        includeColdContacts: true,
      });
      const boss = createBoss(database.url, "web");
      await boss.start();
      let worker = startWorkerProcess(database.url);
      await startCampaign(db, boss, null, campaign.id);
      const done = () =>
        db.execute<{ n: number }>(sql`select done_count as n from ${campaigns} where id = ${campaign.id}`);
      // Two SIGKILLs while it sends: a third of the way, and two thirds.
      for (const share of [1 / 3, 2 / 3]) {
        await waitFor(
          async () => ((await done()).rows[0]!.n >= RECIPIENTS * share ? true : undefined),
          120_000,
          `the campaign ${Math.round(share * 100)}% done`,
        );
        worker.child.kill("SIGKILL");
        await worker.exited;
        worker = startWorkerProcess(database.url);
      }
      await waitFor(
        async () =>
          (await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaign.id)))[0]
            ?.status === "done"
            ? true
            : undefined,
        120_000,
        "the campaign to finish",
      );
      const counts = async () =>
        (
          await db.execute<{
            recipients: number;
            messages: number;
            contacts_with_two: number;
            sent: number;
            deliveries: number;
            delivered_twice: number;
          }>(sql`
            select
              (select count(*)::int from campaign_recipients where campaign_id = ${campaign.id} and state = 'queued') as recipients,
              (select count(*)::int from messages where source = 'campaign') as messages,
              (select count(*)::int from (select thread_id from messages where source = 'campaign'
                 group by thread_id having count(*) > 1) d) as contacts_with_two,
              (select count(*)::int from messages where source = 'campaign' and status in ('sent', 'delivered', 'read')) as sent,
              (select count(*)::int from simulator_deliveries d join messages m on m.wa_message_id = d.wa_message_id
                 where m.source = 'campaign') as deliveries,
              (select count(*)::int from (select client_ref from simulator_deliveries group by client_ref
                 having count(*) > 1) d) as delivered_twice`)
        ).rows[0]!;
      const final = await waitFor(
        async () => {
          const now = await counts();
          return now.sent === RECIPIENTS ? now : undefined;
        },
        120_000,
        async () => `every message sent; so far ${JSON.stringify(await counts())}`,
      );
      worker.child.kill("SIGTERM");
      await worker.exited;
      await boss.stop({ graceful: false });
      console.log(`campaign crash test: 2 SIGKILLs; ${JSON.stringify(final)}`);
      expect(final).toEqual({
        recipients: RECIPIENTS,
        messages: RECIPIENTS,
        contacts_with_two: 0,
        sent: RECIPIENTS,
        deliveries: RECIPIENTS,
        delivered_twice: 0,
      });
    },
  );
});
