import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createBoss } from "~/server/jobs/boss";
import { metrics } from "~/server/metrics/metrics";
import { serveMetrics } from "~/server/metrics/http";
import { sendAsContact } from "~/server/simulator/simulator";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { publishRules, usePreparedDatabase } from "../support/pipeline";
import { freePort } from "../support/ports";
import { spawnTs, type TSpawned, waitFor } from "../support/processes";

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
    worker.child.kill("SIGTERM");
    expect((await worker.exited).code).toBe(0);
  });

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
