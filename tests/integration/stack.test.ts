import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "../support/database";
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
