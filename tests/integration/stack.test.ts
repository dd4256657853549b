import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { users } from "~/db/schema";
import { readSupervisorState } from "~/server/health/supervisor-state";
import { createApiKey } from "~/server/rest/api-keys";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { type TTestDatabase, useTestDatabase } from "../support/database";
import { freePort } from "../support/ports";
import { spawnTs, type TEnv, type TSpawned, waitFor } from "../support/processes";

/**
 * `npm start` as a newcomer runs it: the launcher with no DATABASE_URL starts an embedded
 * Postgres (when the tests themselves run against DATABASE_URL, the launcher gets a fresh
 * database on that server instead, so both paths are exercised across CI's two runs).
 */
function startStack(env: TEnv): TSpawned {
  return spawnTs("server/stack/start.ts", [], { HOST: "127.0.0.1", LOG_LEVEL: "info", ...env });
}

/** Signs in over HTTP as a browser would; returns the cookies of the session. */
async function signInCookies(port: number, email: string, password: string): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const csrfResponse = await fetch(`${base}/api/auth/csrf`);
  const cookies = csrfResponse.headers.getSetCookie().map((cookie) => cookie.split(";")[0]);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  return [...cookies, ...login.headers.getSetCookie().map((cookie) => cookie.split(";")[0])].join("; ");
}

async function signIn(port: number, email: string, password: string) {
  const base = `http://127.0.0.1:${port}`;
  const csrfResponse = await fetch(`${base}/api/auth/csrf`);
  const cookies = csrfResponse.headers.getSetCookie().map((cookie) => cookie.split(";")[0]);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const login = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const sessionCookies = [...cookies, ...login.headers.getSetCookie().map((cookie) => cookie.split(";")[0])];
  const session = await fetch(`${base}/api/auth/session`, { headers: { cookie: sessionCookies.join("; ") } });
  return (await session.json()) as { user?: { email: string; role: string } };
}

/** Stops a stack left running by a failed test: SIGTERM, then SIGKILL (the supervisor follows its front). */
async function stopStack(stack: TSpawned): Promise<void> {
  if (stack.child.exitCode !== null || stack.child.signalCode !== null) return;
  stack.child.kill("SIGTERM");
  const timer = setTimeout(() => stack.child.kill("SIGKILL"), 20_000);
  await stack.exited;
  clearTimeout(timer);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** What the pipeline did with the simulator traffic: the counts the exactly-once checks read. */
async function pipelineCounts(database: TTestDatabase, produced: Set<string>) {
  const ids = [...produced];
  const result = await database.db.execute<{
    inbound: number;
    replies_sent: number;
    inbound_without_reply: number;
    inbound_with_two_replies: number;
    deliveries: number;
    replies_delivered_twice: number;
  }>(sql`
    with inbound as (
      select id from messages where direction = 'in' and wa_message_id = any(${sql.param(ids)}::text[])),
    replies as (
      select o.* from messages o join inbound i on o.reply_to_message_id = i.id where o.direction = 'out')
    select
      (select count(*)::int from inbound) as inbound,
      (select count(*)::int from replies where status in ('sent', 'delivered', 'read')) as replies_sent,
      (select count(*)::int from inbound i where not exists (select 1 from replies r where r.reply_to_message_id = i.id))
        as inbound_without_reply,
      (select count(*)::int from (select reply_to_message_id from replies group by 1 having count(*) > 1) d)
        as inbound_with_two_replies,
      (select count(*)::int from simulator_deliveries s where s.client_ref in (select id::text from replies)) as deliveries,
      (select count(*)::int from (select client_ref from simulator_deliveries group by 1 having count(*) > 1) d)
        as replies_delivered_twice
  `);
  return result.rows[0]!;
}

/** Every process's parent and command line, from /proc. */
async function listProcesses() {
  const list: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // The command name in parentheses may hold spaces; the ppid is the second field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      list.push({ pid, ppid, cmdline: (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ") });
    } catch {
      // gone meanwhile
    }
  }
  return list;
}

/**
 * The pid of the stack's worker or web, from /proc (whatever the supervisor reports): the
 * launcher npm starts runs the supervisor, whose children are the worker (workers/main.ts)
 * and the web (the other Node process).
 */
async function childPid(stack: TSpawned, name: "web" | "worker"): Promise<number> {
  const processes = await listProcesses();
  const supervisors = processes.filter((entry) => entry.ppid === stack.child.pid);
  // (tsx's esbuild service may run beside them.)
  const children = processes.filter(
    (entry) => supervisors.some((supervisor) => supervisor.pid === entry.ppid) && !entry.cmdline.includes("esbuild"),
  );
  const matching = children.filter((entry) => entry.cmdline.includes("workers/main.ts") === (name === "worker"));
  if (matching.length !== 1) throw new Error(`expected one ${name} process, found ${JSON.stringify(children)}`);
  return matching[0]!.pid;
}

describe("npm start", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it(
    "starts everything, serves health and login, stops on SIGTERM with exit 0, and keeps data across restarts",
    { timeout: 300_000 },
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-stack-"));
      await chmod(dataDir, 0o755);
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      // eslint-disable-next-line no-restricted-properties -- mirrors the harness's choice of server
      const databaseUrl = process.env.DATABASE_URL ? (await useTestDatabase()).url : undefined;
      const port = await freePort();
      const env = {
        PORT: String(port),
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(await freePort()),
        ADMIN_EMAIL: "owner@example.test",
        ADMIN_PASSWORD: "a-long-password",
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      };

      for (const round of [1, 2]) {
        const stack = startStack(env);
        cleanups.push(() => stopStack(stack));
        const health = await waitFor(
          async () => {
            if (stack.child.exitCode !== null)
              throw new Error(`the stack exited early:\n${stack.output().slice(-3000)}`);
            const response = await fetch(`http://127.0.0.1:${port}/api/health`);
            return response.status === 200 ? ((await response.json()) as Record<string, { ok: boolean }>) : undefined;
          },
          180_000,
          () => `health 200 (round ${round}); output so far:\n${stack.output().slice(-2000)}`,
        );
        expect(health).toMatchObject({ ok: true, db: { ok: true }, migrations: { ok: true }, worker: { ok: true } });
        expect(health.supervisor).toMatchObject({
          ok: true,
          children: [
            { name: "web", state: "running", restarts: 0, lastExit: null },
            { name: "worker", state: "running", restarts: 0, lastExit: null },
          ],
        });

        const login = await fetch(`http://127.0.0.1:${port}/login`);
        expect(login.status).toBe(200);
        expect(await login.text()).toContain("Sign in");
        const session = await signIn(port, "owner@example.test", "a-long-password");
        expect(session.user).toMatchObject({ email: "owner@example.test", role: "admin" });
        if (round === 1) expect(stack.output()).toContain("created admin owner@example.test");
        else expect(stack.output()).not.toContain("created admin");

        const stopping = Date.now();
        stack.child.kill("SIGTERM");
        const exit = await stack.exited;
        expect(exit.code, stack.output().slice(-3000)).toBe(0);
        expect(Date.now() - stopping).toBeLessThan(20_000);
        expect(await isPortFree(port)).toBe(true);
        if (!databaseUrl) expect(await isPortFree(Number(env.EMBEDDED_PG_PORT))).toBe(true);
      }
    },
  );

  it("stops everything when the process that npm started is killed outright", { timeout: 300_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-stack-"));
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const pgPort = await freePort();
    const stack = startStack({ PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) });
    cleanups.push(() => stopStack(stack));
    await waitFor(
      async () => {
        if (stack.child.exitCode !== null) throw new Error(`the stack exited early:\n${stack.output().slice(-3000)}`);
        return (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200;
      },
      180_000,
      () => `health 200; output so far:\n${stack.output().slice(-2000)}`,
    );
    stack.child.kill("SIGKILL");
    await waitFor(
      async () => (await isPortFree(port)) && (await isPortFree(pgPort)),
      30_000,
      "web and Postgres to stop",
    );
  });

  it("leaves no Postgres behind when stopped while still starting", { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-stack-"));
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const pgPort = await freePort();
    const stack = startStack({ PORT: String(await freePort()), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) });
    cleanups.push(() => stopStack(stack));
    await waitFor(
      () => Promise.resolve(stack.output().includes("starting embedded Postgres")),
      60_000,
      "Postgres to be starting",
    );
    stack.child.kill("SIGTERM");
    const exit = await stack.exited;
    expect(exit.code, stack.output()).toBe(0);
    expect(await isPortFree(pgPort)).toBe(true);
  });

  it(
    "kill -9 of the worker under Simulator traffic: the web keeps answering, the worker is back within 10 s, every message gets exactly one reply (and a killed web comes back too)",
    { timeout: 300_000 },
    async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-stack-"));
      await chmod(dataDir, 0o755);
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const database = await useTestDatabase();
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const stack = startStack({
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        ADMIN_EMAIL: "owner@example.test",
        ADMIN_PASSWORD: "a-long-password",
        WORKER_HEARTBEAT_INTERVAL_MS: "1000",
        API_RATE_LIMIT_PER_MINUTE: "100000",
      });
      cleanups.push(() => stopStack(stack));
      await waitFor(
        async () => {
          if (stack.child.exitCode !== null) throw new Error(`the stack exited early:\n${stack.output().slice(-3000)}`);
          return (await fetch(`${base}/api/health`)).status === 200;
        },
        240_000,
        () => `health 200; output so far:\n${stack.output().slice(-2000)}`,
      );
      const [owner] = await database.db.select().from(users).where(eq(users.email, "owner@example.test"));
      const { key } = await createApiKey(database.db, owner!, { name: "traffic", scopes: ["read", "write"] });
      await updateSessionSettings(database.db, null, await getSimulatorSessionId(database.db), {
        pacing: { enabled: false },
        simulator: { deliveredAfterMs: 0, readAfterMs: 0 },
      });

      // The web must answer every probe, all along: health 200 and the login page.
      const probeFailures: string[] = [];
      let probes = 0;
      let probing = true;
      const probing$ = (async () => {
        while (probing) {
          for (const pathname of ["/api/health", "/login"]) {
            probes += 1;
            try {
              const response = await fetch(`${base}${pathname}`, { signal: AbortSignal.timeout(5_000) });
              await response.arrayBuffer();
              if (response.status !== 200) probeFailures.push(`${pathname} ${response.status}`);
            } catch (error) {
              probeFailures.push(`${pathname} ${(error as Error).message}`);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();

      // Simulator traffic through the REST API: a message every 120 ms, from 40 contacts in turn
      // (a few messages each, so no flood limit can be what silences one).
      const produced = new Set<string>();
      const sendFailures: string[] = [];
      let sending = true;
      const sending$ = (async () => {
        for (let i = 0; sending; i += 1) {
          try {
            const response = await fetch(`${base}/api/v1/simulator/messages`, {
              method: "POST",
              headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
              body: JSON.stringify({
                from: `+1415555${String(100 + (i % 40)).padStart(4, "0")}`,
                body: `traffic ${i}`,
              }),
              signal: AbortSignal.timeout(10_000),
            });
            const answer = (await response.json()) as { waMessageId?: string };
            if (response.status === 202 && answer.waMessageId) produced.add(answer.waMessageId);
            else sendFailures.push(`${response.status} ${JSON.stringify(answer)}`);
          } catch (error) {
            sendFailures.push((error as Error).message);
          }
          await new Promise((resolve) => setTimeout(resolve, 120));
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const webPid = await childPid(stack, "web");
      const workerPid = await childPid(stack, "worker");
      const killedAt = new Date();
      process.kill(workerPid, "SIGKILL");
      // Back = a new worker process beating (its heartbeat row started after the kill).
      await waitFor(
        async () => {
          const { rows } = await database.db.execute<{ n: number }>(sql`
            select count(*)::int as n from worker_heartbeats
            where started_at > ${killedAt.toISOString()}::timestamptz and stopped_at is null`);
          return (rows[0]?.n ?? 0) > 0;
        },
        15_000,
        "a new worker heartbeat",
      );
      const backAfterMs = Date.now() - killedAt.getTime();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      sending = false;
      await sending$;
      const stoppedSendingAt = Date.now();
      const drained = await waitFor(
        async () => {
          const counts = await pipelineCounts(database, produced);
          return counts.inbound === produced.size && counts.replies_sent === produced.size ? counts : undefined;
        },
        90_000,
        async () => `every message answered; so far ${JSON.stringify(await pipelineCounts(database, produced))}`,
      );
      const drainedAfterMs = Date.now() - stoppedSendingAt;
      probing = false;
      await probing$;
      const health = (await (await fetch(`${base}/api/health`)).json()) as { supervisor: unknown };
      console.log(
        `stack kill -9: ${produced.size} messages, worker back after ${backAfterMs} ms, drained ${drainedAfterMs} ms after the traffic stopped, ${probes} probes ` +
          `(${probeFailures.length} failed), counts ${JSON.stringify(drained)}`,
      );

      expect(sendFailures).toEqual([]);
      expect(probeFailures).toEqual([]);
      expect(probes).toBeGreaterThan(20);
      expect(backAfterMs).toBeLessThan(10_000);
      // The restarted worker has the same identity (WORKER_ID), so it takes the simulator
      // session's lease back at once; a new identity would wait out the 30 s lease.
      expect(drainedAfterMs).toBeLessThan(20_000);
      expect(produced.size).toBeGreaterThan(50);
      expect(drained).toEqual({
        inbound: produced.size,
        replies_sent: produced.size,
        inbound_without_reply: 0,
        inbound_with_two_replies: 0,
        deliveries: produced.size,
        replies_delivered_twice: 0,
      });
      // The web never restarted; the worker once, and /api/health says how it ended.
      expect(await childPid(stack, "web")).toBe(webPid);
      const newWorkerPid = await childPid(stack, "worker");
      expect(newWorkerPid).not.toBe(workerPid);
      // The supervisor's state file (which /api/health reads) names the same processes.
      const state = await readSupervisorState(path.join(dataDir, "supervisor-state.json"));
      expect(state.children.map((child) => child.pid)).toEqual([webPid, newWorkerPid]);
      expect(health.supervisor).toMatchObject({
        ok: true,
        children: [
          { name: "web", state: "running", restarts: 0, lastExit: null },
          { name: "worker", state: "running", restarts: 1, lastExit: { signal: "SIGKILL", code: null } },
        ],
      });
      expect(stack.output()).toMatch(/worker exited unexpectedly \(killed by SIGKILL\); restarting it in 1 s/);

      // The web too: killed, it is back on its own, and the worker is left alone.
      process.kill(webPid, "SIGKILL");
      const webBack = await waitFor(
        async () => {
          const response = await fetch(`${base}/api/health`);
          const body = (await response.json()) as { supervisor: { children: { name: string; restarts: number }[] } };
          return response.status === 200 && body.supervisor.children[0]?.restarts === 1 ? body : undefined;
        },
        120_000,
        "the web to be back",
      );
      expect(webBack.supervisor).toMatchObject({
        ok: true,
        children: [
          { name: "web", state: "running", restarts: 1, lastExit: { signal: "SIGKILL" } },
          { name: "worker", state: "running", restarts: 1 },
        ],
      });
      expect(await childPid(stack, "worker")).toBe(newWorkerPid);
      // The System page shows the same figures.
      const overview = await fetch(`${base}/system`, {
        headers: { cookie: await signInCookies(port, "owner@example.test", "a-long-password") },
      });
      const html = await overview.text();
      expect(overview.status).toBe(200);
      expect(html).toMatch(
        /data-process="worker">(?:(?!<\/tr>).)*Running(?:(?!<\/tr>).)*<td[^>]*>1<\/td><td[^>]*>killed by SIGKILL/s,
      );
      expect(html).toMatch(/data-process="web">(?:(?!<\/tr>).)*<td[^>]*>1<\/td><td[^>]*>killed by SIGKILL/s);

      stack.child.kill("SIGTERM");
      const exit = await stack.exited;
      expect(exit.code, stack.output().slice(-3000)).toBe(0);
      expect(await isPortFree(port)).toBe(true);
    },
  );

  it("gives up on a worker crash loop with one line, stops everything and exits 1", { timeout: 240_000 }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-stack-"));
    await chmod(dataDir, 0o755);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await useTestDatabase();
    const port = await freePort();
    const stack = startStack({
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      ADMIN_EMAIL: "owner@example.test",
      ADMIN_PASSWORD: "a-long-password",
      // Only the worker reads this, and refuses it at once: a worker that can never start.
      WORKER_HEARTBEAT_INTERVAL_MS: "1",
      RESTART_BACKOFF_MS: "200",
      RESTART_MAX_CRASHES: "3",
    });
    cleanups.push(() => stopStack(stack));
    const exit = await stack.exited;
    expect(exit.code, stack.output().slice(-3000)).toBe(1);
    expect(stack.stderr().trim().split("\n")).toEqual([
      "switchboard: the worker exited 3 times within 120 s (last: exit code 1); giving up and stopping everything",
    ]);
    // Restarted twice on its backoff before that, with the web left running meanwhile.
    expect(stack.output()).toMatch(/worker exited unexpectedly \(exit code 1\); restarting it in 0\.2 s/);
    expect(stack.output()).toMatch(/worker exited unexpectedly \(exit code 1\); restarting it in 0\.4 s/);
    const state = await readSupervisorState(path.join(dataDir, "supervisor-state.json"));
    expect(state.children).toMatchObject([
      { name: "web", state: "stopped" },
      { name: "worker", state: "failed", restarts: 2, lastExit: { code: 1 } },
    ]);
    expect(await isPortFree(port)).toBe(true);
  });

  it.each([
    [
      "an unreachable server",
      { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
      /^switchboard: cannot connect to DATABASE_URL postgres:\/\/nobody@127\.0\.0\.1:1\/none/,
    ],
    [
      "a malformed URL",
      { DATABASE_URL: "mysql://what" },
      /^switchboard: invalid configuration: DATABASE_URL must be a postgres:\/\/ URL/,
    ],
    [
      "production without APP_SECRET",
      { NODE_ENV: "production", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
      /^switchboard: APP_SECRET is required/,
    ],
  ])("refuses %s with one line and a non-zero exit within 15 s", async (_label, env, message) => {
    const stack = startStack({ PORT: String(await freePort()), ...env });
    const exit = await stack.exited;
    expect(exit.code).not.toBe(0);
    expect(exit.afterMs).toBeLessThan(15_000);
    const errorLines = stack.stderr().trim().split("\n");
    expect(errorLines, stack.output()).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
  });

  it("refuses a port in use, naming it", async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const stack = startStack({ PORT: String(port), DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" });
      const exit = await stack.exited;
      expect(exit.code).toBe(1);
      expect(stack.stderr().trim()).toBe(
        `switchboard: port ${port} on 127.0.0.1 is already in use (set PORT to use another port)`,
      );
    } finally {
      blocker.close();
    }
  });
});
