import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, type TDb } from "~/db/client";
import { users } from "~/db/schema";
import { hashPassword } from "~/server/auth/password";
import type { TRole, TSessionUser } from "~/server/auth/roles";
import { withDatabase } from "./global-setup";
import type pg from "pg";

export type TTestDatabase = { url: string; db: TDb; pool: pg.Pool };

type TCreated = { name: string; pool: pg.Pool };
const created: TCreated[] = [];

/**
 * A fresh, migrated database for the calling test file, cloned from the template built in
 * global setup. It is dropped after the file's tests by `dropTestDatabases` (registered for
 * every integration file by tests/support/integration-setup.ts), wherever this was called:
 * at the top level, in a hook or inside a test. Global teardown checks that none is left.
 */
export async function useTestDatabase(): Promise<TTestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `${inject("pgTestPrefix")}${randomBytes(6).toString("hex")}`;
  const admin = createDb(adminUrl, { max: 1 });
  try {
    await admin.pool.query(`create database "${name}" template "${inject("pgTemplate")}"`);
  } finally {
    await admin.pool.end();
  }
  const url = withDatabase(adminUrl, name);
  const { db, pool } = createDb(url, { max: 5 });
  created.push({ name, pool });
  return { url, db, pool };
}

/** Drops every database this test file made (its connections are closed first, or forced). */
export async function dropTestDatabases(): Promise<void> {
  const mine = created.splice(0);
  if (mine.length === 0) return;
  const admin = createDb(inject("pgAdminUrl"), { max: 1 });
  try {
    for (const { name, pool } of mine) {
      await pool.end().catch(() => undefined);
      await admin.pool.query(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await admin.pool.end();
  }
}

let counter = 0;
/** Inserts a user with the given role; the password is `password-123`. */
export async function insertUser(
  db: TDb,
  role: TRole,
  overrides: Partial<{ email: string; name: string; disabled: boolean }> = {},
): Promise<TSessionUser> {
  counter += 1;
  const [user] = await db
    .insert(users)
    .values({
      email: overrides.email ?? `${role}-${counter}-${randomBytes(3).toString("hex")}@example.test`,
      name: overrides.name ?? `${role} ${counter}`,
      role,
      disabled: overrides.disabled ?? false,
      passwordHash: await hashPassword("password-123"),
    })
    .returning();
  if (!user) throw new Error("no user inserted");
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
