import { randomUUID } from "node:crypto";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { events, messages, simulatorDeliveries } from "~/db/schema";
import { createBoss, enqueue } from "~/server/jobs/boss";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import type { TTestDatabase } from "../support/database";
import { deliveriesTo, inbound, startPipeline, usePreparedDatabase, waitForReplies } from "../support/pipeline";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";

const APP_SECRET = "c".repeat(32);

function startWorkerProcess(url: string, extra: Record<string, string> = {}): TSpawned {
  return spawnTs("workers/main.ts", [], {
    DATABASE_URL: url,
    APP_SECRET,
    LOG_LEVEL: "warn",
    WORKER_HEARTBEAT_INTERVAL_MS: "500",
    WORKER_SESSION_LEASE_TTL_S: "3",
    ...extra,
  });
}

/** Counts of what the pipeline did with the inbound messages, for the assertions and the log. */
async function pipelineCounts(database: TTestDatabase) {
  const result = await database.db.execute<{
    inbound: number;
    distinct_inbound: number;
    replies: number;
    replies_sent: number;
    inbound_without_reply: number;
    inbound_with_two_replies: number;
    deliveries: number;
    replies_delivered_twice: number;
  }>(sql`
    select
      (select count(*)::int from messages where direction = 'in') as inbound,
      (select count(distinct wa_message_id)::int from messages where direction = 'in') as distinct_inbound,
      (select count(*)::int from messages where direction = 'out') as replies,
      (select count(*)::int from messages where direction = 'out' and status in ('sent', 'delivered', 'read')) as replies_sent,
      (select count(*)::int from messages i where i.direction = 'in'
         and not exists (select 1 from messages o where o.reply_to_message_id = i.id)) as inbound_without_reply,
      (select count(*)::int from (select reply_to_message_id from messages where direction = 'out'
         group by reply_to_message_id having count(*) > 1) d) as inbound_with_two_replies,
      (select count(*)::int from simulator_deliveries) as deliveries,
      (select count(*)::int from (select client_ref from simulator_deliveries group by client_ref having count(*) > 1) d) as replies_delivered_twice
  `);
  return result.rows[0]!;
}

/** Send jobs retried at once (1 s apart, no backoff), so a fault's retry comes quickly. */
const QUICK_RETRIES = { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 };

/**
 * After a fault in the window between "the transport accepted the send" and "we recorded it":
 * the phone got the reply exactly once, the transport was asked to send it once, and the reply
 * is recorded `sent` with the transport's id of that one delivery.
 */
async function expectSentOnce(pipeline: Awaited<ReturnType<typeof startPipeline>>, waId: string, sends: () => number) {
  const [reply] = await waitForReplies(pipeline.db, waId, 1, "sent", 30_000);
  const delivered = await deliveriesTo(pipeline.db, waId);
  expect(delivered).toHaveLength(1);
  expect(sends()).toBe(1);
  expect(reply).toMatchObject({ waMessageId: delivered[0]!.waMessageId });
  expect(await pipeline.db.$count(events, eq(events.type, "message.sent"))).toBe(1);
}

describe("the send after a crash (deterministic faults)", () => {
  it("the transport accepts, then the worker dies before recording: the retry asks the transport and sends nothing again", async () => {
    let sends = 0;
    const pipeline = await startPipeline({
      sendPolicy: QUICK_RETRIES,
      createTransport: (simulator) => ({
        ...simulator,
        send: async (message, signal) => {
          sends += 1;
          const accepted = await simulator.send(message, signal);
          // The fault, at the exact point: accepted by the transport, never recorded by us.
          if (sends === 1) throw new Error("worker died after the transport accepted the send");
          return accepted;
        },
      }),
    });
    await inbound(pipeline, "+15550004001", "hello");
    await expectSentOnce(pipeline, "+15550004001", () => sends);
  });

  it("the transport accepts, then the commit of the record fails: the retry asks the transport and sends nothing again", async () => {
    let sends = 0;
    const pipeline = await startPipeline({
      sendPolicy: QUICK_RETRIES,
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) => {
          sends += 1;
          return simulator.send(message, signal);
        },
      }),
    });
    // The first write that records a send fails inside Postgres (a sequence is not rolled back,
    // so exactly one write fails), as a lost connection or a failed commit would.
    await pipeline.db.execute(sql`
      create sequence record_fault;
      create function fail_first_record() returns trigger language plpgsql as $$
      begin
        if new.status = 'sent' and old.status = 'queued' and nextval('record_fault') = 1 then
          raise exception 'injected: the commit of the record failed';
        end if;
        return new;
      end $$;
      create trigger fail_first_record before update on messages for each row execute function fail_first_record();`);
    await inbound(pipeline, "+15550004002", "hello");
    await expectSentOnce(pipeline, "+15550004002", () => sends);
    const { rows } = await pipeline.db.execute<{ n: string }>(sql`select last_value as n from record_fault`);
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(2);
  });
});

describe("crash safety", () => {
  it(
    "loses and duplicates nothing while the worker is killed with SIGKILL under load",
    { timeout: 240_000 },
    async () => {
      const database = await usePreparedDatabase();
      await updateSessionSettings(database.db, null, database.sessionId, {
        pacing: { enabled: false },
        simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
      });
      // Each of the 20 contacts writes ~20 messages within seconds: every one must be answered,
      // so the reply cap (20 per 10 minutes by default) is lifted out of the way.
      await updateOrgSettings(database.db, null, { replyCapLimit: 1_000, replyCapMinutes: 1 });
      const producer = createBoss(database.url, "web");
      await producer.start();
      let worker = startWorkerProcess(database.url);
      const produced = new Set<string>();
      let stopProducing = false;
      // A steady load, as a phone network would deliver it: ~25 messages/s from 20 contacts,
      // every tenth one delivered twice.
      const production = (async () => {
        let i = 0;
        while (!stopProducing) {
          const waMessageId = `crash-${randomUUID()}`;
          const message = {
            sessionId: database.sessionId,
            waMessageId,
            from: `+1555100${String(i % 20).padStart(4, "0")}`,
            body: `load ${i}`,
          };
          await enqueue(producer, "simulator.inbound", message);
          if (i % 10 === 0) await enqueue(producer, "simulator.inbound", message);
          produced.add(waMessageId);
          i += 1;
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();

      const kills: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * 2_000));
        worker.child.kill("SIGKILL");
        await worker.exited;
        kills.push(Date.now());
        worker = startWorkerProcess(database.url);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      stopProducing = true;
      await production;
      const producedAt = Date.now();

      const final = await waitFor(
        async () => {
          const counts = await pipelineCounts(database);
          return counts.inbound === produced.size && counts.replies_sent === produced.size ? counts : undefined;
        },
        120_000,
        async () =>
          `every message answered; counts so far: ${JSON.stringify(await pipelineCounts(database).catch(() => null))}`,
      );
      const recoveredAfterS = Math.round((Date.now() - producedAt) / 100) / 10;
      worker.child.kill("SIGTERM");
      await worker.exited;
      await producer.stop({ graceful: false });
      // The figures the issue asks to see, on standard output.
      console.log(
        `crash test: produced ${produced.size} messages (+${Math.ceil(produced.size / 10)} duplicate deliveries), ` +
          `3 SIGKILLs; stored ${final.inbound} (distinct ${final.distinct_inbound}), replies ${final.replies}, sent ${final.replies_sent}, ` +
          `without reply ${final.inbound_without_reply}, with two replies ${final.inbound_with_two_replies}, ` +
          `phone deliveries ${final.deliveries}, delivered twice ${final.replies_delivered_twice}; all done ${recoveredAfterS}s after the load stopped`,
      );
      expect(final).toEqual({
        inbound: produced.size,
        distinct_inbound: produced.size,
        replies: produced.size,
        replies_sent: produced.size,
        inbound_without_reply: 0,
        inbound_with_two_replies: 0,
        deliveries: produced.size,
        replies_delivered_twice: 0,
      });
      expect(recoveredAfterS).toBeLessThan(60);
    },
  );

  it(
    "on SIGTERM under load exits within 10 s, leaves no job active, and the next worker finishes the work",
    { timeout: 180_000 },
    async () => {
      const database = await usePreparedDatabase();
      // Slow sends (paced), so SIGTERM finds handlers waiting in the pacer.
      await updateSessionSettings(database.db, null, database.sessionId, {
        pacing: { enabled: true, messagesPerMinute: 30, burst: 1, jitterMinMs: 0, jitterMaxMs: 0, perChatGapMs: 0 },
        simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
      });
      const producer = createBoss(database.url, "web");
      await producer.start();
      const worker = startWorkerProcess(database.url);
      for (let i = 0; i < 20; i += 1) {
        await enqueue(producer, "simulator.inbound", {
          sessionId: database.sessionId,
          waMessageId: `term-${i}`,
          from: `+1555200${String(i).padStart(4, "0")}`,
          body: `term ${i}`,
        });
      }
      await waitFor(
        async () => (await database.db.$count(messages, isNotNull(messages.sentAt))) >= 1,
        30_000,
        "the first send",
      );
      const signalled = Date.now();
      worker.child.kill("SIGTERM");
      const exit = await worker.exited;
      expect(exit.code, worker.output()).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      const active = await database.db.execute<{ n: number }>(
        sql`select count(*)::int as n from pgboss.job where state = 'active'`,
      );
      expect(active.rows[0]?.n).toBe(0);
      const sentBefore = await database.db.$count(
        messages,
        and(eq(messages.direction, "out"), isNotNull(messages.sentAt)),
      );
      expect(sentBefore).toBeLessThan(20);

      await updateSessionSettings(database.db, null, database.sessionId, { pacing: { enabled: false } });
      const next = startWorkerProcess(database.url);
      await waitFor(
        async () =>
          (await database.db.$count(messages, and(eq(messages.direction, "out"), isNotNull(messages.sentAt)))) === 20,
        90_000,
        "the next worker to send every reply",
      );
      next.child.kill("SIGTERM");
      await next.exited;
      await producer.stop({ graceful: false });
      expect(await database.db.$count(simulatorDeliveries)).toBe(20);
    },
  );
});
