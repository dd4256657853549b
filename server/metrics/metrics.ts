import type { Pool } from "pg";
import client from "prom-client";
import { EXPIRED_REASON } from "~/server/scheduled/expiry";

/**
 * Every Prometheus metric of Switchboard, defined once, on one registry per process (the web
 * and the worker each expose theirs: server/metrics/http.ts). Labels are bounded by design:
 * session ids, message kinds, queue names, reasons, outcomes, webhook endpoint ids — never a
 * phone number, a contact or message text. Instrumented code calls `metrics.x.inc(...)`; what
 * is cheaper to read at scrape time (queue depths, pools, session status, SSE clients) is
 * collected then, from the sources registered with `watchX`.
 *
 * The registry lives on `globalThis`: Next bundles its own copy of this module for route
 * handlers, and both copies must count into the one the custom server (server/web/server.ts)
 * exposes.
 */

/** Where the seconds of latencies fall: from a fast bot reply to a person answering an hour later. */
const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
/** Jobs, model calls and webhook posts: milliseconds to the timeouts. */
const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

type TScrapeSources = {
  boss: { getQueues: () => Promise<readonly TQueueCounts[]> } | null;
  pools: Map<string, Set<WeakRef<Pool>>>;
  sessions: { query: () => Promise<readonly TSessionRow[]> } | null;
  sseClients: (() => number) | null;
};
type TQueueCounts = {
  name: string;
  queuedCount: number;
  activeCount: number;
  deferredCount: number;
  failedCount: number;
};
type TSessionRow = { id: string; status: string };

/** The states a pg-boss queue's jobs are counted in. */
const QUEUE_STATES = ["queued", "active", "deferred", "failed"] as const;
/** A session's own queues (`send.<id>`, `media.<id>`) are labelled by their family and session. */
const SESSION_QUEUE = /^([a-z-]+)\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** A queue's name as a label pair: `send.<uuid>` is `{ queue: "send", session: "<uuid>" }`. */
export function queueLabels(name: string): { queue: string; session: string } {
  const match = SESSION_QUEUE.exec(name);
  return match ? { queue: match[1]!, session: match[2]! } : { queue: name, session: "" };
}

/** Why a message failed for good, as a bounded label (the message's own error text is not one). */
export function sendFailureReason(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  if (name === "MediaMissingError") return "media_missing";
  if (name === "PermanentSendError") return "engine_refused";
  if (message.startsWith("Not sent:")) return "contact_refused";
  if (message === EXPIRED_REASON) return "expired";
  return "retries_exhausted";
}

function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const sources: TScrapeSources = { boss: null, pools: new Map(), sessions: null, sseClients: null };
  const registers = [registry];

  const metrics = {
    registry,
    messagesIn: new client.Counter({
      name: "switchboard_messages_in_total",
      help: "Inbound messages stored (duplicates and rejects excluded), by session and kind.",
      labelNames: ["session", "kind"] as const,
      registers,
    }),
    messagesOut: new client.Counter({
      name: "switchboard_messages_out_total",
      help: "Outbound messages the engine accepted, by session and kind.",
      labelNames: ["session", "kind"] as const,
      registers,
    }),
    replyLatency: new client.Histogram({
      name: "switchboard_reply_latency_seconds",
      help: "From an inbound message's arrival to the engine accepting the first reply to it, by session.",
      labelNames: ["session"] as const,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    sendFailures: new client.Counter({
      name: "switchboard_send_failures_total",
      help: "Sends that failed: reason transient (retried) or why a message failed for good.",
      labelNames: ["session", "reason"] as const,
      registers,
    }),
    queueJobs: new client.Gauge({
      name: "switchboard_queue_jobs",
      help: "Jobs in each pg-boss queue by state (read at scrape time); session queues carry their session.",
      labelNames: ["queue", "session", "state"] as const,
      registers,
      async collect() {
        if (!sources.boss) return;
        const queues = await sources.boss.getQueues().catch(() => null);
        if (!queues) return;
        this.reset();
        for (const queue of queues) {
          const labels = queueLabels(queue.name);
          for (const state of QUEUE_STATES) {
            this.inc({ ...labels, state }, queue[`${state}Count`]);
          }
        }
      },
    }),
    jobDuration: new client.Histogram({
      name: "switchboard_job_duration_seconds",
      help: "How long the worker took over each job, by queue (session queues by family) and outcome.",
      labelNames: ["queue", "outcome"] as const,
      buckets: DURATION_BUCKETS_S,
      registers,
    }),
    aiCalls: new client.Counter({
      name: "switchboard_ai_calls_total",
      help: "AI replies written, by outcome: ok, or the fallback's reason (timeout, error, circuit_open, empty, budget).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    aiLatency: new client.Histogram({
      name: "switchboard_ai_latency_seconds",
      help: "How long writing an AI reply took (the model's calls and retries), by outcome.",
      labelNames: ["outcome"] as const,
      buckets: DURATION_BUCKETS_S,
      registers,
    }),
    webhookAttempts: new client.Counter({
      name: "switchboard_webhook_attempts_total",
      help: "Webhook delivery attempts, by endpoint id and outcome (delivered, retry, dead).",
      labelNames: ["endpoint", "outcome"] as const,
      registers,
    }),
    webhookLatency: new client.Histogram({
      name: "switchboard_webhook_latency_seconds",
      help: "How long an endpoint took to answer a delivery attempt, by endpoint id and outcome.",
      labelNames: ["endpoint", "outcome"] as const,
      buckets: DURATION_BUCKETS_S,
      registers,
    }),
    sessionStatus: new client.Gauge({
      name: "switchboard_session_status",
      help: "1 for each session's current status (read from the database at scrape time).",
      labelNames: ["session", "status"] as const,
      registers,
      async collect() {
        if (!sources.sessions) return;
        const rows = await sources.sessions.query().catch(() => null);
        if (!rows) return;
        this.reset();
        for (const row of rows) this.set({ session: row.id, status: row.status }, 1);
      },
    }),
    sessionStatusChanges: new client.Counter({
      name: "switchboard_session_status_changes_total",
      help: "Session status changes recorded by this process, by session and the status entered.",
      labelNames: ["session", "status"] as const,
      registers,
    }),
    sessionReconnects: new client.Counter({
      name: "switchboard_session_reconnects_total",
      help: "Times a session's connection started again after going down (recorded by this process), by session.",
      labelNames: ["session"] as const,
      registers,
    }),
    sseClients: new client.Gauge({
      name: "switchboard_sse_clients",
      help: "Live event streams (browsers with the app open) on this web process.",
      registers,
      collect() {
        this.set(sources.sseClients?.() ?? 0);
      },
    }),
    dbPool: new client.Gauge({
      name: "switchboard_db_pool_connections",
      help: "Database pool use by pool: total connections, idle ones, and requests waiting for one.",
      labelNames: ["pool", "state"] as const,
      registers,
      collect() {
        this.reset();
        for (const [name, refs] of sources.pools) {
          const sum = { total: 0, idle: 0, waiting: 0 };
          for (const ref of refs) {
            const pool = ref.deref();
            if (!pool || pool.ended) {
              refs.delete(ref);
              continue;
            }
            sum.total += pool.totalCount;
            sum.idle += pool.idleCount;
            sum.waiting += pool.waitingCount;
          }
          for (const [state, value] of Object.entries(sum)) this.set({ pool: name, state }, value);
        }
      },
    }),
    dbPoolMax: new client.Gauge({
      name: "switchboard_db_pool_max",
      help: "The most connections each pool may open (pool saturation: total / max).",
      labelNames: ["pool"] as const,
      registers,
      collect() {
        this.reset();
        for (const [name, refs] of sources.pools) {
          let max = 0;
          for (const ref of refs) {
            const pool = ref.deref();
            if (pool && !pool.ended) max += pool.options.max ?? 10;
          }
          this.set({ pool: name }, max);
        }
      },
    }),

    /** Reads the queues' job counts from this pg-boss at every scrape. */
    watchBoss(boss: TScrapeSources["boss"]) {
      sources.boss = boss;
    },
    /** Reports this pool's use under `name` (pools of one name are summed; ended ones drop out). */
    watchPool(name: string, pool: Pool) {
      const refs = sources.pools.get(name) ?? new Set();
      refs.add(new WeakRef(pool));
      sources.pools.set(name, refs);
    },
    /** Reads every session's status at every scrape. */
    watchSessions(query: () => Promise<readonly TSessionRow[]>) {
      sources.sessions = { query };
    },
    /** Counts the live event streams at every scrape. */
    watchSseClients(count: () => number) {
      sources.sseClients = count;
    },
    /** Starts timing one job (or a batch of `count` jobs) of `queueName`; call the result when it ends. */
    timeJob(queueName: string) {
      const started = performance.now();
      const { queue } = queueLabels(queueName);
      return (outcome: "completed" | "failed", count = 1) => {
        const seconds = (performance.now() - started) / 1000;
        for (let index = 0; index < count; index++) metrics.jobDuration.observe({ queue, outcome }, seconds);
      };
    },
  };
  return metrics;
}

export type TMetrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as unknown as { switchboardMetrics?: TMetrics };
/** This process's metrics (see the module's comment). */
export const metrics: TMetrics = (globalForMetrics.switchboardMetrics ??= createMetrics());
