import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDb, type TDb } from "~/db/client";
import { users } from "~/db/schema";
import { hashPassword } from "~/server/auth/password";
import type { TSessionUser } from "~/server/auth/authenticate";
import type { TRole } from "~/server/auth/roles";
import { withDatabase } from "./global-setup";
import type pg from "pg";

export type TTestDatabase = { url: string; db: TDb; pool: pg.Pool };

/**
 * A fresh, migrated database for the calling test file, cloned from the template built in
 * global setup, and dropped after the file's tests.
 */
export async function useTestDatabase(): Promise<TTestDatabase> {
  const adminUrl = inject("pgAdminUrl");
  const name = `sb_test_${randomBytes(6).toString("hex")}`;
  const admin = createDb(adminUrl, { max: 1 });
  await admin.pool.query(`create database "${name}" template "${inject("pgTemplate")}"`);
  const url = withDatabase(adminUrl, name);
  const { db, pool } = createDb(url, { max: 5 });
  afterAll(async () => {
    await pool.end();
    await admin.pool.query(`drop database if exists "${name}" with (force)`);
    await admin.pool.end();
  });
  return { url, db, pool };
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
