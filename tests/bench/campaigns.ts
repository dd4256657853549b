import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { campaigns } from "~/db/schema";
import { saveCampaign, startCampaign, tickCampaign } from "~/server/campaigns/campaigns";
import { saveSegment } from "~/server/campaigns/segments";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import { waitFor } from "../support/processes";
import { withBenchDatabase } from "./database";
import { ingestMany, publishBenchRules, startBoss, startWorker, stopWorker, type TContext } from "./pipeline";
import { note, percentile, report } from "./report";
import { eq } from "drizzle-orm";

const BENCH = "campaigns";
const RECIPIENTS = Number(process.env.BENCH_CAMPAIGN_RECIPIENTS ?? 100_000);
/** The rate run: this many recipients at this rate (a minute of sending). */
const RATE_RECIPIENTS = Number(process.env.BENCH_RATE_RECIPIENTS ?? 600);
const RATE_PER_MINUTE = 600;

/** Contacts `+1556…` from `first`, tagged, who never wrote (the campaign includes them). */
async function seedContacts(context: { db: TContext["db"]; sessionId: string }, count: number, tag: string, first = 0) {
  await context.db.execute(sql`
    insert into contacts (session_id, wa_id, name, tags)
    select ${context.sessionId}::uuid, '+1556' || lpad((${first} + n)::text, 7, '0'), 'Guest ' || n, array[${tag}]
    from generate_series(1, ${count}) as n`);
}

async function campaignTo(context: { db: TContext["db"]; sessionId: string }, tag: string, ratePerMinute: number) {
  const segment = await saveSegment(context.db, null, null, {
    name: `Bench ${randomUUID()}`,
    filter: { tags: { any: [tag], all: [], none: [] } },
  });
  return saveCampaign(context.db, null, null, {
    name: "Bench",
    segmentId: segment.id,
    content: { kind: "text", body: "Hello {{contact.firstName | there}}, our new menu is out." },
    sessionIds: [context.sessionId],
    ratePerMinute,
    includeColdContacts: true,
  });
}

/**
 * `npm run bench -- campaigns`:
 * - `campaign_queue_100k_s`: 100,000 recipients of a segment materialised and every one's message
 *   queued (stored, with its send job), the loop run back to back with the rate out of the way;
 * - `rate_error_pct`: a campaign at 600 a minute through the real worker, the achieved rate of
 *   queued messages against the configured one;
 * - `latency_p95_ms_during_campaign`: meanwhile 20 inbound messages a second are answered by the
 *   rules; their stored → reply sent time, p95.
 */
export async function runCampaignsBench() {
  await withBenchDatabase(async ({ url, db }) => {
    const sessionId = await getSimulatorSessionId(db);
    const boss = await startBoss(url);
    await seedContacts({ db, sessionId }, RECIPIENTS, "bench");
    await db.execute(sql`analyze`);
    const campaign = await campaignTo({ db, sessionId }, "bench", 1_000);
    const started = performance.now();
    await startCampaign(db, boss, null, campaign.id);
    // The loop back to back, each tick on a clock an hour further (the rate allows a full tick).
    let at = Date.now();
    for (;;) {
      const [row] = await db
        .select({ token: campaigns.tickToken })
        .from(campaigns)
        .where(eq(campaigns.id, campaign.id));
      if (!row?.token) break;
      at += 3_600_000;
      await tickCampaign(db, boss, { campaignId: campaign.id, token: row.token }, {}, new Date(at));
    }
    const seconds = (performance.now() - started) / 1000;
    const [{ queued }] = (
      await db.execute<{ queued: number }>(
        sql`select count(*)::int as queued from messages where source = 'campaign' and status = 'queued'`,
      )
    ).rows as [{ queued: number }];
    note(`campaign: ${queued} messages queued in ${seconds.toFixed(1)} s`);
    if (queued !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} queued, got ${queued}`);
    report(BENCH, "campaign_queue_100k_s", seconds, { recipients: RECIPIENTS });
    await boss.stop({ graceful: false });
  });

  await withBenchDatabase(async ({ url, db, pool }) => {
    const sessionId = await getSimulatorSessionId(db);
    await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false }, simulator: { acks: false } });
    await publishBenchRules(db);
    await updateOrgSettings(db, null, { replyCapLimit: 1_000, replyCapMinutes: 1 });
    const boss = await startBoss(url);
    const context: TContext = { url, db, pool, sessionId, boss, ingestor: createInboundIngestor(db, boss) };
    await seedContacts({ db, sessionId }, RATE_RECIPIENTS, "rate", 5_000_000);
    const worker = startWorker(url);
    await waitFor(
      async () => (await pool.query("select 1 from worker_heartbeats where stopped_at is null limit 1")).rowCount === 1,
      60_000,
      "the worker",
    );
    const campaign = await campaignTo({ db, sessionId }, "rate", RATE_PER_MINUTE);
    const since = new Date();
    await startCampaign(db, boss, null, campaign.id);
    // Inbound traffic while it sends: 20 messages a second, answered by the rules.
    const expectedMs = (RATE_RECIPIENTS / RATE_PER_MINUTE) * 60_000;
    const offered = Math.floor((expectedMs / 1000) * 20 * 0.9);
    const begin = Date.now();
    const inFlight: Promise<unknown>[] = [];
    for (let index = 0; index < offered; index += 1) {
      const due = begin + index * 50;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(ingestMany(context, 1, 1, 7_000_000));
    }
    await Promise.all(inFlight);
    await waitFor(
      async () =>
        (await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaign.id)))[0]
          ?.status === "done",
      expectedMs * 2,
      "the campaign to finish",
    );
    const [span] = (
      await db.execute<{ n: number; seconds: number }>(sql`
        select count(*)::int as n, extract(epoch from max(queued_at) - min(queued_at)) as seconds
        from messages where source = 'campaign'`)
    ).rows as [{ n: number; seconds: number }];
    // n messages span n - 1 intervals; the first goes at once.
    const achieved = ((span.n - 1) / Number(span.seconds)) * 60;
    note(`rate: ${span.n} messages in ${Number(span.seconds).toFixed(1)} s: ${achieved.toFixed(1)} a minute`);
    report(BENCH, "rate_error_pct", (Math.abs(achieved - RATE_PER_MINUTE) / RATE_PER_MINUTE) * 100, {
      configured_per_min: RATE_PER_MINUTE,
      achieved_per_min: Math.round(achieved * 10) / 10,
    });
    await waitFor(
      async () =>
        (
          await db.execute<{ n: number }>(sql`
            select count(*)::int as n from messages o
            where o.direction = 'out' and o.source = 'rule' and o.sent_at is not null and o.queued_at >= ${since}`)
        ).rows[0]!.n >= offered,
      120_000,
      "the replies",
    );
    const rows = await db.execute<{ ms: number }>(sql`
      select extract(epoch from (o.sent_at - i.created_at)) * 1000 as ms
      from messages o join messages i on i.id = o.reply_to_message_id
      where o.direction = 'out' and o.source = 'rule' and o.queued_at >= ${since}`);
    const latencies = rows.rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
    report(BENCH, "latency_p95_ms_during_campaign", percentile(latencies, 95), {
      offered_per_s: 20,
      campaign_per_min: RATE_PER_MINUTE,
    });
    report(BENCH, "latency_p50_ms_during_campaign", percentile(latencies, 50), { offered_per_s: 20 });
    await stopWorker(worker);
    await boss.stop({ graceful: false });
  });
}
