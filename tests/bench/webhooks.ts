import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { TDb } from "~/db/client";
import { users, webhookDeliveries } from "~/db/schema";
import { recordEvents } from "~/server/events/events";
import { createEndpoint } from "~/server/webhooks/endpoints";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";
import { createWebhookReceiver } from "../support/webhook-receiver-server";
import { withBenchDatabase } from "./database";
import { note, report } from "./report";

const BENCH = "webhooks";
const APP_SECRET = "h".repeat(40);
const THROUGHPUT_EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 5_000);
const TRICKLE_EVENTS = 300;
const TRICKLE_GAP_MS = 50;
const FLAKY_EVENTS = 1_000;
/** Twenty quick attempts: at 50 % failure, the chance of losing one event of 1,000 is about 1 in 1,000. */
const FAST_SCHEDULE = "0,0.2,0.5,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1";

function startWorker(url: string): TSpawned {
  const worker = spawnTs("workers/main.ts", [], {
    DATABASE_URL: url,
    APP_SECRET,
    LOG_LEVEL: "warn",
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
    WEBHOOK_RETRY_SCHEDULE: FAST_SCHEDULE,
  });
  worker.child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return worker;
}

async function addEndpoint(db: TDb, url: string) {
  const [admin] = await db.select().from(users).limit(1);
  return createEndpoint(
    db,
    { id: admin!.id, email: admin!.email, name: admin!.name, role: admin!.role },
    { url, events: ["contact.updated"] },
    { appSecret: APP_SECRET, allowPrivate: true, rotationOverlapHours: 24 },
  );
}

async function waitDelivered(db: TDb, webhookId: string, count: number, timeoutMs: number) {
  await waitFor(
    async () => {
      const [row] = await db
        .select({ n: sql<number>`count(*) filter (where status = 'delivered')::int` })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, webhookId));
      return (row?.n ?? 0) >= count ? true : undefined;
    },
    timeoutMs,
    `${count} deliveries`,
  );
}

/** Added latency, event committed → first attempt started, per delivery of an endpoint (ms, sorted). */
async function firstAttemptLatencies(db: TDb, webhookId: string) {
  const { rows } = await db.execute<{ p50: number; p95: number; max: number }>(sql`
    select
      percentile_cont(0.5) within group (order by ms) as p50,
      percentile_cont(0.95) within group (order by ms) as p95,
      max(ms) as max
    from (
      select extract(epoch from (a.at - e.at)) * 1000 - a.latency_ms as ms
      from webhook_deliveries d
      join events e on e.id = d.event_id
      join webhook_attempts a on a.delivery_id = d.id and a.attempt = 1
      where d.webhook_id = ${webhookId}) x`);
  return rows[0]!;
}

/**
 * Webhook delivery to a receiver on loopback through the real path (events → fan-out trigger →
 * dispatcher → `webhook.deliver` in a worker process → signed POST): deliveries per second for a
 * burst; the latency an event waits before its first attempt when events trickle in; and the
 * acceptance check: a receiver failing half the attempts gets every one of 1,000 events, each
 * signature valid by the `standardwebhooks` package.
 */
export async function runWebhooksBench() {
  await withBenchDatabase(async ({ url, db }) => {
    const worker = startWorker(url);
    try {
      // 1. Throughput: a burst of events.
      const fast = await createWebhookReceiver();
      const burst = await addEndpoint(db, fast.url);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // the worker is up
      note(`burst: ${THROUGHPUT_EVENTS} events`);
      const started = performance.now();
      for (let offset = 0; offset < THROUGHPUT_EVENTS; offset += 500) {
        const size = Math.min(500, THROUGHPUT_EVENTS - offset);
        await recordEvents(
          db,
          Array.from({ length: size }, (_, index) => ({
            type: "contact.updated" as const,
            payload: { n: offset + index },
          })),
        );
      }
      await waitDelivered(db, burst.endpoint.id, THROUGHPUT_EVENTS, 600_000);
      const seconds = (performance.now() - started) / 1000;
      report(BENCH, "burst_deliveries_per_s", THROUGHPUT_EVENTS / seconds, { events: THROUGHPUT_EVENTS });
      await fast.close();

      // 2. Added latency: events one at a time, as a live system produces them.
      const steady = await createWebhookReceiver();
      const trickle = await addEndpoint(db, steady.url);
      // The first endpoint no longer listens.
      await db.execute(sql`update webhooks set enabled = false where id = ${burst.endpoint.id}`);
      note(`trickle: ${TRICKLE_EVENTS} events, one every ${TRICKLE_GAP_MS} ms`);
      for (let index = 0; index < TRICKLE_EVENTS; index += 1) {
        await recordEvents(db, [{ type: "contact.updated", payload: { n: index } }]);
        await new Promise((resolve) => setTimeout(resolve, TRICKLE_GAP_MS));
      }
      await waitDelivered(db, trickle.endpoint.id, TRICKLE_EVENTS, 120_000);
      const latency = await firstAttemptLatencies(db, trickle.endpoint.id);
      report(BENCH, "event_to_first_attempt_p50_ms", latency.p50);
      report(BENCH, "event_to_first_attempt_p95_ms", latency.p95, { events: TRICKLE_EVENTS });
      await steady.close();
      await db.execute(sql`update webhooks set enabled = false where id = ${trickle.endpoint.id}`);

      // 3. Acceptance: half the attempts fail; every event arrives, every signature verifies.
      const flaky = await createWebhookReceiver(() => ({ status: Math.random() < 0.5 ? 503 : 200 }));
      const flakyEndpoint = await addEndpoint(db, flaky.url);
      note(`flaky receiver: ${FLAKY_EVENTS} events, 50 % of attempts fail`);
      for (let offset = 0; offset < FLAKY_EVENTS; offset += 250) {
        await recordEvents(
          db,
          Array.from({ length: 250 }, (_, index) => ({
            type: "contact.updated" as const,
            payload: { n: offset + index },
          })),
        );
      }
      await waitDelivered(db, flakyEndpoint.endpoint.id, FLAKY_EVENTS, 300_000).catch(() => undefined);
      const verifier = new Webhook(flakyEndpoint.secret);
      const delivered = new Set<string>();
      let invalid = 0;
      for (const request of flaky.received) {
        try {
          verifier.verify(request.body, request.headers as Record<string, string>);
        } catch {
          invalid += 1;
        }
      }
      const { rows } = await db.execute<{ id: string }>(
        sql`select id from webhook_deliveries where webhook_id = ${flakyEndpoint.endpoint.id} and status = 'delivered'`,
      );
      for (const row of rows) delivered.add(row.id);
      report(BENCH, "flaky_receiver_delivered_pct", (100 * delivered.size) / FLAKY_EVENTS, {
        events: FLAKY_EVENTS,
        attempts: flaky.received.length,
      });
      report(
        BENCH,
        "flaky_receiver_signatures_valid_pct",
        (100 * (flaky.received.length - invalid)) / flaky.received.length,
      );
      await flaky.close();
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  });
}
