import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { contextProfiles, webhookDeliveries } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { recordEvents } from "~/server/events/events";
import { PermanentSendError } from "~/server/messaging/outbound";
import { defaultWebhookConfig } from "~/server/webhooks/deliver";
import { createBoss } from "~/server/jobs/boss";
import { metrics } from "~/server/metrics/metrics";
import { serveMetrics } from "~/server/metrics/http";
import { sendAsContact } from "~/server/simulator/simulator";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { insertUser } from "../support/database";
import { inbound, publishRules, startPipeline, usePreparedDatabase, waitForReplies } from "../support/pipeline";
import { freePort } from "../support/ports";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";
import { startWebhookReceiver } from "../support/webhook-receiver";

const APP_SECRET = "x".repeat(32);
const TOKEN = "metrics-token-for-tests-0123456789";

/** The value of one series in a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || !line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const body = match[3] ?? "";
    if (Object.entries(labels).every(([key, value]) => body.includes(`${key}="${value}"`))) total += Number(match[4]);
  }
  return total;
}

async function scrape(port: number, token: string | null = TOKEN) {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, text: await response.text(), type: response.headers.get("content-type") };
}

const running: TSpawned[] = [];
afterAll(async () => {
  for (const worker of running) {
    if (worker.child.exitCode === null) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }
});

describe("metrics", () => {
  it(
    "a worker's /metrics during Simulator traffic: token required, messages in and out, reply latency and job durations move",
    { timeout: 90_000 },
    async () => {
      const { url, db, sessionId } = await usePreparedDatabase();
      await updateSessionSettings(db, null, sessionId, {
        pacing: { enabled: false },
        simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
      });
      await publishRules(db, [
        {
          name: "Prices",
          conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
          actions: [{ type: "reply", text: "Our prices: cleaning $80." }],
        },
      ]);
      const port = await freePort();
      const worker = spawnTs("workers/main.ts", [], {
        DATABASE_URL: url,
        APP_SECRET,
        LOG_LEVEL: "info",
        METRICS_TOKEN: TOKEN,
        WORKER_METRICS_PORT: String(port),
        WORKER_HEARTBEAT_INTERVAL_MS: "500",
      });
      running.push(worker);
      await waitFor(() => Promise.resolve(worker.output().includes("worker started")), 30_000, "the worker to start");
      expect(worker.output()).toContain('"port":' + String(port));

      expect((await scrape(port, null)).status).toBe(401);
      expect((await scrape(port, "wrong-token-wrong-token")).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/elsewhere`)).status).toBe(404);
      const before = await scrape(port);
      expect(before.status).toBe(200);
      expect(before.type).toContain("text/plain");
      // Scrape-time gauges: the pool, the queues, the simulator session, the process.
      expect(sample(before.text, "switchboard_db_pool_max", { pool: "worker" })).toBe(10);
      expect(before.text).toContain('switchboard_queue_jobs{queue="message.process",session="",state="queued"}');
      expect(sample(before.text, "switchboard_session_status", { session: sessionId })).toBe(1);
      expect(sample(before.text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);

      const boss = createBoss(url, "web");
      await boss.start();
      const phones = ["+5511990000001", "+5511990000002", "+5511990000003"];
      for (const phone of phones) await sendAsContact(db, boss, { phone, body: "what is the price?" });
      await boss.stop({ graceful: false });
      await waitFor(
        async () => {
          const { rows } = await db.execute<{ sent: number }>(
            sql`select count(*)::int as sent from messages where direction = 'out' and sent_at is not null`,
          );
          return rows[0]!.sent === phones.length;
        },
        30_000,
        "the replies to be sent",
      );

      const after = await scrape(port);
      const moved = (name: string, labels: Record<string, string> = {}) =>
        sample(after.text, name, labels) - sample(before.text, name, labels);
      expect(moved("switchboard_messages_in_total", { session: sessionId, kind: "text" })).toBe(phones.length);
      expect(moved("switchboard_messages_out_total", { session: sessionId, kind: "text" })).toBe(phones.length);
      expect(moved("switchboard_reply_latency_seconds_count", { session: sessionId })).toBe(phones.length);
      expect(moved("switchboard_job_duration_seconds_count", { queue: "message.process", outcome: "completed" })).toBe(
        phones.length,
      );
      expect(moved("switchboard_job_duration_seconds_count", { queue: "send", outcome: "completed" })).toBeGreaterThan(
        0,
      );
      expect(moved("switchboard_job_duration_seconds_count", { queue: "simulator.inbound" })).toBeGreaterThan(0);
      expect(moved("switchboard_send_failures_total")).toBe(0);
      // No phone number or message text in any label.
      for (const phone of phones) expect(after.text).not.toContain(phone.slice(1));
      expect(after.text).not.toContain("price");

      worker.child.kill("SIGTERM");
      expect((await worker.exited).code, worker.output()).toBe(0);
    },
  );

  it("a worker with WORKER_METRICS_PORT=0 picks a free port and logs it", { timeout: 60_000 }, async () => {
    const { url } = await usePreparedDatabase();
    const worker = spawnTs("workers/main.ts", [], {
      DATABASE_URL: url,
      APP_SECRET,
      LOG_LEVEL: "info",
      METRICS_TOKEN: TOKEN,
      WORKER_METRICS_PORT: "0",
    });
    running.push(worker);
    await waitFor(() => Promise.resolve(worker.output().includes("metrics listening")), 30_000, "the metrics listener");
    const port = Number(/"port":(\d+)/.exec(worker.output().split("metrics listening")[0]!.split("\n").at(-1)!)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect((await scrape(port)).status).toBe(200);
    // A SIGTERM while the worker is still starting can end in exit 1 (its pool closes under start-up).
    await waitFor(() => Promise.resolve(worker.output().includes("worker started")), 30_000, "the worker to start");
    worker.child.kill("SIGTERM");
    expect((await worker.exited).code, worker.output()).toBe(0);
  });

  it(
    "the web process's /metrics: 401 without the token, 200 with it, with the pool Next's route handlers use",
    { timeout: 120_000 },
    async () => {
      const { url } = await usePreparedDatabase();
      const port = await freePort();
      const web = spawnTs("server/web/server.ts", ["--port", String(port), "--hostname", "127.0.0.1"], {
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        AUTH_TRUST_HOST: "true",
        APP_SECRET,
        DATABASE_URL: url,
        METRICS_TOKEN: TOKEN,
        LOG_LEVEL: "silent",
      });
      running.push(web);
      const base = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => (await fetch(`${base}/api/health`).catch(() => null))?.status !== undefined,
        60_000,
        "the web to answer",
      );
      expect((await scrape(port, null)).status).toBe(401);
      const scraped = await scrape(port);
      expect(scraped.status).toBe(200);
      // The pool is made inside Next's bundle (server/db.ts, on /api/health's first query) and
      // shows in the registry the custom server exposes: one registry per process.
      expect(sample(scraped.text, "switchboard_db_pool_max", { pool: "web" })).toBe(10);
      expect(scraped.text).toContain("switchboard_sse_clients 0");
      expect(sample(scraped.text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      web.child.kill("SIGTERM");
      await web.exited;
    },
  );

  it("the web's /metrics handler: 404 without a token configured, 401 without the token, 200 with it", async () => {
    // The handler server/web/server.ts answers /metrics with, before Next sees the request.
    let configured: string | undefined;
    const server = createServer((req, res) => {
      void serveMetrics(req, res, configured).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect((await scrape(port)).status).toBe(404);
      configured = TOKEN;
      expect((await scrape(port, null)).status).toBe(401);
      expect((await scrape(port, `${TOKEN}x`)).status).toBe(401);
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(post.status).toBe(405);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(418);
      // The web's own series move in this process's registry (an SSE client, its pool).
      const before = await scrape(port);
      expect(before.status).toBe(200);
      metrics.watchSseClients(() => 2);
      const after = await scrape(port);
      expect(sample(after.text, "switchboard_sse_clients")).toBe(2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** The sum of a counter's or histogram's series (a histogram: its count) whose labels include `labels`. */
async function count(
  metric: { get: () => Promise<{ values: { labels: object; value: number; metricName?: string }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter(
      (value) =>
        value.metricName === undefined ||
        value.metricName.endsWith("_count") ||
        !value.metricName.match(/_(bucket|sum)$/),
    )
    .filter((value) =>
      Object.entries(labels).every(([key, wanted]) => (value.labels as Record<string, unknown>)[key] === wanted),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

describe("metrics of the worker's central points (in process)", () => {
  it(
    "a send the engine refuses, an AI reply and a webhook retried then delivered are counted",
    { timeout: 60_000 },
    async () => {
      const refused = "+15550009001";
      const secret = "m".repeat(40);
      const pipeline = await startPipeline(
        {
          createTransport: (simulator) => ({
            ...simulator,
            send: (message, signal) =>
              message.to.includes(refused.slice(1))
                ? Promise.reject(new PermanentSendError("not a WhatsApp number"))
                : simulator.send(message, signal),
          }),
        },
        { webhooks: defaultWebhookConfig(secret, { allowPrivate: true, timeoutMs: 2_000, scheduleS: [0, 0.05, 0.1] }) },
      );
      const { db, sessionId } = pipeline;
      await db
        .insert(contextProfiles)
        .values({ name: "Default", isDefault: true, fallbackText: "A person will answer." });
      await publishRules(db, [
        {
          name: "Prices",
          conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
          actions: [{ type: "reply", text: "Our prices: cleaning $80." }],
        },
        {
          name: "Ask the model",
          conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "question" }] },
          actions: [{ type: "ai_reply" }],
        },
      ]);
      let posts = 0;
      const receiver = await startWebhookReceiver(() => ({ status: posts++ === 0 ? 503 : 200 }));
      const admin = createCaller(
        testContext({
          db,
          user: await insertUser(db, "admin"),
          boss: pipeline.boss,
          webhooks: { appSecret: secret, allowPrivate: true, rotationOverlapHours: 24 },
        }),
      );
      const { endpoint } = await admin.webhooks.create({ url: receiver.url, events: ["contact.updated"] });

      const before = {
        refused: await count(metrics.sendFailures, { session: sessionId, reason: "engine_refused" }),
        ai: await count(metrics.aiCalls, { outcome: "ok" }),
        aiLatency: await count(metrics.aiLatency, { outcome: "ok" }),
        retry: await count(metrics.webhookAttempts, { endpoint: endpoint.id, outcome: "retry" }),
        delivered: await count(metrics.webhookAttempts, { endpoint: endpoint.id, outcome: "delivered" }),
      };
      await inbound(pipeline, refused, "the price?");
      await inbound(pipeline, "+15550009002", "a question");
      await recordEvents(db, [{ type: "contact.updated", payload: { n: 1 } }]);
      await waitForReplies(db, "+15550009002", 1);
      await waitFor(
        async () => {
          const [delivery] = await db
            .select()
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.webhookId, endpoint.id));
          const failed = await count(metrics.sendFailures, { session: sessionId, reason: "engine_refused" });
          return delivery?.status === "delivered" && failed > before.refused;
        },
        30_000,
        "the delivery and the refused send",
      );

      expect(await count(metrics.sendFailures, { session: sessionId, reason: "engine_refused" })).toBe(
        before.refused + 1,
      );
      expect(await count(metrics.aiCalls, { outcome: "ok" })).toBe(before.ai + 1);
      expect(await count(metrics.aiLatency, { outcome: "ok" })).toBe(before.aiLatency + 1);
      expect(await count(metrics.webhookAttempts, { endpoint: endpoint.id, outcome: "retry" })).toBe(before.retry + 1);
      expect(await count(metrics.webhookAttempts, { endpoint: endpoint.id, outcome: "delivered" })).toBe(
        before.delivered + 1,
      );
      expect(await count(metrics.webhookLatency, { endpoint: endpoint.id })).toBeGreaterThanOrEqual(2);
      await receiver.close();
    },
  );
});
