import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createDb } from "~/db/client";
import { startEmbeddedPostgres, type TEmbeddedPostgres } from "~/db/embedded";
import { runMigrations } from "~/db/migrate";
import { createBoss, createQueues } from "~/server/jobs/boss";
import { buildWeb, isWebBuildStale } from "~/server/stack/build";
import { freePort } from "./ports";

declare module "vitest" {
  export interface ProvidedContext {
    /** A connection string to the server's maintenance database, for CREATE DATABASE. */
    pgAdminUrl: string;
    /** A fully migrated database that each test file clones. */
    pgTemplate: string;
    /** The name prefix of this run's test databases (the template's name + `_t_`). */
    pgTestPrefix: string;
  }
}

/**
 * Integration tests run against a real Postgres: the one in DATABASE_URL when set, else an
 * embedded server in a temporary directory. One migrated template database is built here;
 * every test file clones it (CREATE DATABASE … TEMPLATE), so files are isolated and fast.
 */
export default async function setup(project: TestProject) {
  await buildWebIfStale();
  let embedded: TEmbeddedPostgres | null = null;
  let dataDir: string | null = null;
  let adminUrl: string;
  const given = process.env.DATABASE_URL;
  if (given) {
    const url = new URL(given);
    url.pathname = "/postgres";
    adminUrl = url.toString();
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), "switchboard-test-pg-"));
    // Postgres runs as the `postgres` user when we are root: it must be able to enter the folder.
    await chmod(dataDir, 0o755);
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: await freePort(),
      database: "postgres",
    });
    adminUrl = embedded.adminUrl;
  }
  const template = `sb_tpl_${process.pid}_${Date.now().toString(36)}`;
  const testPrefix = `${template}_t_`;
  const admin = createDb(adminUrl, { max: 1 });
  await admin.pool.query(`create database "${template}"`);
  const templateUrl = withDatabase(adminUrl, template);
  const { pool } = createDb(templateUrl, { max: 2 });
  await runMigrations(pool);
  const boss = createBoss(templateUrl, "setup");
  await boss.start();
  await createQueues(boss);
  await boss.stop({ graceful: false });
  await pool.end();

  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", template);
  project.provide("pgTestPrefix", testPrefix);

  return async () => {
    // Every file drops its own databases (tests/support/integration-setup.ts). One still here
    // means that cleanup broke: drop it, and fail the run so that it gets fixed.
    const { rows: left } = await admin.pool.query<{ datname: string }>(
      "select datname from pg_database where starts_with(datname, $1)",
      [testPrefix],
    );
    for (const { datname } of left) {
      await admin.pool.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
    await admin.pool.query(`drop database if exists "${template}" with (force)`).catch(() => undefined);
    await admin.pool.end();
    if (embedded) await embedded.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `${left.length} test database(s) were left behind by their test files (dropped now): ${left.map((row) => row.datname).join(", ")}`,
      );
    }
  };
}

/**
 * The production build the launcher tests start, made once here when it is missing or stale:
 * several test files start a stack at once, and each launcher building it on its own made two
 * `next build`s collide ("Another next build process is already running"). CI builds first, so
 * this is a no-op there.
 */
async function buildWebIfStale(): Promise<void> {
  const root = path.resolve(import.meta.dirname, "../..");
  // A run of files that start no stack (a developer's targeted run) may skip it.
  if (process.env.TEST_SKIP_WEB_BUILD === "1" || !isWebBuildStale(root)) return;
  process.stdout.write("integration setup: the web build is missing or stale; running next build once…\n");
  const lines: string[] = [];
  await buildWeb(root, (line) => lines.push(line)).done.catch((error: Error) => {
    throw new Error(`${error.message}\n${lines.slice(-40).join("\n")}`);
  });
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
