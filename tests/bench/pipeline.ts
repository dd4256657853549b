import { randomUUID } from "node:crypto";
import { and, eq, gte, isNotNull, sql } from "drizzle-orm";
import pg from "pg";
import type { TDb } from "~/db/client";
import { messages } from "~/db/schema";
import { createBoss } from "~/server/jobs/boss";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import { createRule, publishDraft } from "~/server/rules/rules";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";
import { withBenchDatabase } from "./database";
import { note, percentile, report } from "./report";

const BENCH = "pipeline";

export type TContext = {
  url: string;
  db: TDb;
  pool: pg.Pool;
  sessionId: string;
  boss: Awaited<ReturnType<typeof startBoss>>;
  /** The benchmark plays a transport: it hands messages over one at a time, as a live client does. */
  ingestor: ReturnType<typeof createInboundIngestor>;
};

export async function startBoss(url: string) {
  const boss = createBoss(url, "web");
  await boss.start();
  return boss;
}

export function startWorker(url: string): TSpawned {
  // BENCH_CPU_PROFILE=<folder>: the worker writes a V8 CPU profile there when it exits (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROFILE;
  const worker = spawnTs(
    "workers/main.ts",
    [],
    { DATABASE_URL: url, APP_SECRET: "b".repeat(32), LOG_LEVEL: "warn" },
    profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : [],
  );
  worker.child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return worker;
}

export async function stopWorker(worker: TSpawned) {
  worker.child.kill("SIGTERM");
  await worker.exited;
}

/**
 * 50 published rules, as the issue asks: 49 that test the text, contact and time and do not
 * match the benchmark's messages, then one that answers them.
 */
export async function publishBenchRules(db: TDb) {
  const words = ["refund", "invoice", "agent", "cancel", "delivery", "menu", "hours", "address", "promo", "complaint"];
  for (let index = 0; index < 49; index += 1) {
    await createRule(db, null, {
      name: `Rule ${index + 1}`,
      priority: 100 - index,
      conditions: {
        any: [
          {
            fact: "message.text",
            operator: "containsAnyOf",
            value: [words[index % words.length]!, `${words[(index + 3) % words.length]!}s`],
          },
          {
            all: [
              { fact: "contact.relationship", operator: "equal", value: "family" },
              { fact: "time.hour", operator: "between", value: [index % 24, (index % 24) + 1] },
            ],
          },
        ],
      },
      actions: [
        { type: "reply", text: `Answer ${index + 1} for {{contact.firstName | you}}` },
        { type: "tag", tag: `topic-${index % 10}` },
      ],
    });
  }
  await createRule(db, null, {
    name: "Answer the benchmark",
    priority: 0,
    conditions: { all: [{ fact: "message.text", operator: "startsWith", value: "bench message" }] },
    actions: [{ type: "reply", text: "Thanks {{contact.firstName | there}}, got it." }],
  });
  await publishDraft(db, null, { note: "benchmark" });
}

let sequence = 0;
/** One message from one of 500 contacts (numbers from `firstNumber` on). */
function ingestOne(context: TContext, firstNumber = 3_000_000) {
  sequence += 1;
  return context.ingestor.ingest({
    sessionId: context.sessionId,
    waMessageId: `bench-${randomUUID()}`,
    from: `+1555${String(firstNumber + (sequence % 500)).padStart(7, "0")}`,
    body: `bench message ${sequence}`,
  });
}

/**
 * Hands `count` messages to ingest with up to `inFlight` at once: a transport receiving a burst
 * from many chats (whatsapp-web.js fires `message` events without waiting for the previous one).
 */
export async function ingestMany(
  context: TContext,
  count: number,
  inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 50),
  firstNumber = 3_000_000,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next += 1;
        await ingestOne(context, firstNumber);
      }
    }),
  );
}

async function countSentSince(db: TDb, since: Date): Promise<number> {
  return db.$count(
    messages,
    and(eq(messages.direction, "out"), isNotNull(messages.sentAt), gte(messages.queuedAt, since)),
  );
}

export async function waitAllSent(context: TContext, since: Date, expected: number, timeoutMs: number) {
  await waitFor(
    async () => (await countSentSince(context.db, since)) >= expected,
    timeoutMs,
    `${expected} replies sent`,
  );
  const [row] = await context.db
    .select({ last: sql<Date>`max(${messages.sentAt})` })
    .from(messages)
    .where(and(eq(messages.direction, "out"), gte(messages.queuedAt, since)));
  return new Date(row!.last);
}

/** Single-row autocommit inserts from 10 clients for `seconds`: what this database commits per second. */
async function rawCommitRate(url: string, seconds = 5): Promise<number> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(
    "create table if not exists bench_commit (id bigserial primary key, at timestamptz default now(), note text)",
  );
  await setup.end();
  const deadline = Date.now() + seconds * 1000;
  const counts = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      let n = 0;
      while (Date.now() < deadline) {
        await client.query("insert into bench_commit (note) values ($1)", ["x"]);
        n += 1;
      }
      await client.end();
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

/**
 * Statements the server ran (pg_stat_statements, where the server loads it: the embedded one
 * here does), to count round trips per message. The benchmark's own polling is left out.
 * Null when the extension is not available.
 */
async function statementCounter(pool: pg.Pool) {
  try {
    await pool.query("create extension if not exists pg_stat_statements");
    await pool.query("select pg_stat_statements_reset()");
  } catch {
    return null;
  }
  const xacts = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          "select xact_commit as n from pg_stat_database where datname = current_database()",
        )
      ).rows[0]!.n,
    );
  const startXacts = await xacts();
  return {
    async read() {
      const { rows } = await pool.query<{ query: string; calls: string }>(`
        select query, calls from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query not ilike '%pg_stat_statements%' and query not ilike '%pg_stat_database%'
          -- foreign-key checks Postgres runs inside the inserts (not round trips)
          and query not ilike '%FOR KEY SHARE OF x%'
          -- the benchmark's own polling for the replies
          and query not ilike '%count(*)%' and query not ilike '%max("messages"."sent_at")%'
        order by calls desc`);
      const total = rows.reduce((sum, row) => sum + Number(row.calls), 0);
      const transactions = (await xacts()) - startXacts;
      return { total, transactions, top: rows.slice(0, 25) };
    },
  };
}

/** Drains a backlog of `size` messages queued while no worker ran; returns messages/s. */
async function backlogThroughput(context: TContext, size: number): Promise<number> {
  const since = new Date();
  note(`backlog ${size}: ingesting with no worker running…`);
  const ingestStarted = Date.now();
  await ingestMany(context, size);
  note(`backlog ${size}: ingested at ${(size / ((Date.now() - ingestStarted) / 1000)).toFixed(0)} messages/s`);
  const worker = startWorker(context.url);
  await waitAllSent(context, since, size, 600_000);
  await stopWorker(worker);
  // From the worker's first decision to its last send, so the process's start-up is not counted.
  const [span] = await context.db
    .select({ seconds: sql<number>`extract(epoch from max(${messages.sentAt}) - min(${messages.queuedAt}))` })
    .from(messages)
    .where(and(eq(messages.direction, "out"), gte(messages.queuedAt, since)));
  const seconds = Number(span!.seconds);
  note(`backlog ${size}: drained in ${seconds.toFixed(1)} s`);
  return size / seconds;
}

export async function runPipelineBench() {
  await withBenchDatabase(async ({ url, db, pool }) => {
    const sessionId = await getSimulatorSessionId(db);
    await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false }, simulator: { acks: false } });
    await publishBenchRules(db);
    // 500 contacts write ~40 messages each within minutes, all to be answered: no reply cap.
    await updateOrgSettings(db, null, { replyCapLimit: 1_000, replyCapMinutes: 1 });
    const boss = await startBoss(url);
    const context: TContext = { url, db, pool, sessionId, boss, ingestor: createInboundIngestor(db, boss) };
    const server = (await pool.query<{ server_version: string }>("show server_version")).rows[0]?.server_version;
    note(
      `PostgreSQL ${server}; ${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded"}; pacing off; simulator acks off; 50 published rules`,
    );

    const raw = await rawCommitRate(url);
    report(BENCH, "raw_commit_per_s", raw, { clients: 10 });

    // Sustained throughput: 6,000 messages offered as fast as the transport hands them over.
    {
      const worker = startWorker(url);
      await waitFor(
        async () =>
          (await pool.query("select 1 from worker_heartbeats where stopped_at is null limit 1")).rowCount === 1,
        60_000,
        "the worker",
      );
      const counter = await statementCounter(pool);
      const since = new Date();
      const started = Date.now();
      const count = 6_000;
      await ingestMany(context, count);
      note(`throughput: ${count} messages ingested in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const last = await waitAllSent(context, since, count, 600_000);
      const throughput = count / ((last.getTime() - started) / 1000);
      report(BENCH, "throughput_msgs_per_s", throughput, { messages: count });
      report(BENCH, "throughput_vs_raw_commit", throughput / raw);
      const statements = await counter?.read();
      if (!statements)
        note("statements per message: run with BENCH_STATEMENTS=1 (pg_stat_statements slows the pipeline)");
      if (statements) {
        // Every statement (BEGIN and COMMIT included) of ingest, worker and pg-boss, per message.
        report(BENCH, "statements_per_message", statements.total / count, { messages: count });
        report(BENCH, "transactions_per_message", statements.transactions / count, { messages: count });
        for (const row of statements.top) {
          note(`  ${String(row.calls).padStart(7)}  ${row.query.replace(/\s+/g, " ").slice(0, 150)}`);
        }
      }

      if (process.env.BENCH_QUICK) {
        await stopWorker(worker);
        return;
      }
      // Latency at 100 messages/s offered, for 30 s.
      const latencySince = new Date();
      const offered = 3_000;
      const begin = Date.now();
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < offered; i += 1) {
        const due = begin + i * 10;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(ingestOne(context));
      }
      await Promise.all(inFlight);
      await waitAllSent(context, latencySince, offered, 600_000);
      const rows = await db.execute<{ ms: number; decided_ms: number; sent_ms: number }>(sql`
        select extract(epoch from (o.sent_at - i.created_at)) * 1000 as ms,
          extract(epoch from (o.queued_at - i.created_at)) * 1000 as decided_ms,
          extract(epoch from (o.sent_at - o.queued_at)) * 1000 as sent_ms
        from messages o join messages i on i.id = o.reply_to_message_id
        where o.direction = 'out' and o.queued_at >= ${latencySince}`);
      const sorted = (key: "ms" | "decided_ms" | "sent_ms") =>
        rows.rows.map((row) => Number(row[key])).sort((a, b) => a - b);
      const latencies = sorted("ms");
      report(BENCH, "latency_p50_ms", percentile(latencies, 50), { offered_per_s: 100 });
      report(BENCH, "latency_p95_ms", percentile(latencies, 95), { offered_per_s: 100 });
      report(BENCH, "latency_p99_ms", percentile(latencies, 99), { offered_per_s: 100 });
      // Where the time goes: stored → reply decided (the process job), decided → sent (the send job).
      for (const [label, key] of [
        ["stored → reply queued", "decided_ms"],
        ["reply queued → sent", "sent_ms"],
      ] as const) {
        const part = sorted(key);
        note(`  ${label}: p50 ${percentile(part, 50).toFixed(0)} ms, p95 ${percentile(part, 95).toFixed(0)} ms`);
      }
      await stopWorker(worker);
    }
    if (process.env.BENCH_QUICK) return;

    const small = await backlogThroughput(context, 1_000);
    const large = await backlogThroughput(context, 10_000);
    report(BENCH, "backlog_1000_msgs_per_s", small);
    report(BENCH, "backlog_10000_msgs_per_s", large);
    report(BENCH, "backlog_ratio", large / small);
    await context.boss.stop({ graceful: false });
  });
}
