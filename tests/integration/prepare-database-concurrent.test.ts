import { randomBytes } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { inject } from "vitest";
import { createDb } from "~/db/client";
import journal from "~/db/migrations/meta/_journal.json";
import { createLogger } from "~/server/logger";
import { prepareDatabase } from "~/server/setup/prepare-database";
import { withDatabase } from "../support/global-setup";

/**
 * Deployment (docs/production.md, Upgrades): a migration and several workers start at once on
 * an empty database, and each prepares it (migrations, pg-boss's schema and queues, the first
 * admin). They must take turns, not fail or do the work twice.
 */
const name = `${inject("pgTestPrefix")}empty_${randomBytes(4).toString("hex")}`;
const admin = createDb(inject("pgAdminUrl"), { max: 1 });

afterAll(async () => {
  await admin.pool.query(`drop database if exists "${name}" with (force)`);
  await admin.pool.end();
});

it("three processes preparing an empty database at once all succeed, and it is prepared once", async () => {
  // An empty database (template0), not the migrated template the other tests clone.
  await admin.pool.query(`create database "${name}" template template0`);
  const url = withDatabase(inject("pgAdminUrl"), name);
  const log = createLogger("test-prepare", "silent");
  const processes = [1, 2, 3].map(() => createDb(url, { max: 3 }));
  try {
    const results = await Promise.allSettled(
      processes.map(({ db, pool }) =>
        prepareDatabase(
          {
            pool,
            db,
            url,
            admin: { ADMIN_NAME: "Admin", ADMIN_EMAIL: "admin@example.com", ADMIN_PASSWORD: "a-long-password" },
          },
          log,
        ),
      ),
    );
    expect(results.map((result) => (result.status === "rejected" ? String(result.reason) : "ok"))).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
    const { pool } = processes[0]!;
    const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]?.n;
    expect(await count("select count(*)::int as n from drizzle.__drizzle_migrations")).toBe(journal.entries.length);
    expect(await count("select count(*)::int as n from users")).toBe(1);
    expect(await count("select count(*)::int as n from wa_sessions")).toBe(1);
    expect(await count("select count(*)::int as n from pgboss.queue")).toBeGreaterThan(5);
  } finally {
    await Promise.all(processes.map(({ pool }) => pool.end()));
  }
});
