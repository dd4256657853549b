import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { authenticate } from "~/server/auth/authenticate";
import type { TSessionUser } from "~/server/auth/roles";
import { ensureBootstrapAdmin, setUserDisabled, updateUser } from "~/server/users/users";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

describe("users", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin", { email: "boss@example.test" });
    caller = createCaller(testContext({ db: database.db, user: admin }));
  });

  it("[admin] creates a user with a generated password that signs in", async () => {
    const { user, generatedPassword } = await caller.users.create({
      email: "Agent.Smith@example.test",
      name: "Agent Smith",
      role: "agent",
    });
    expect(user.role).toBe("agent");
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const signedIn = await authenticate(database.db, {
      email: "agent.smith@example.test",
      password: generatedPassword!,
      ip: null,
    });
    expect(signedIn.id).toBe(user.id);
    const [row] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.passwordHash.startsWith("$argon2id$")).toBe(true);
  });

  it("refuses a duplicate email, whatever its case, with a field message", async () => {
    await expect(
      caller.users.create({ email: "BOSS@example.test", name: "Again", role: "agent", password: "long-enough-1" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "A user with this email already exists.",
    });
  });

  it("refuses bad input with field errors and writes nothing", async () => {
    const before = await database.db.$count(users);
    await expect(
      caller.users.create({ email: "not-an-email", name: "", role: "agent", password: "short" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await database.db.$count(users)).toBe(before);
  });

  it("changes a role, disables and re-enables, each audited with before and after", async () => {
    const { user } = await caller.users.create({
      email: "builder@example.test",
      name: "B",
      role: "builder",
      password: "long-enough-1",
    });
    await caller.users.update({ id: user.id, role: "manager" });
    await caller.users.setDisabled({ id: user.id, disabled: true });
    await expect(
      authenticate(database.db, { email: "builder@example.test", password: "long-enough-1", ip: null }),
    ).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "This account is disabled.",
    });
    await caller.users.setDisabled({ id: user.id, disabled: false });
    const entries = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, user.id))
      .orderBy(auditLog.at);
    expect(entries.map((entry) => entry.action)).toEqual(["create", "update", "disable", "enable"]);
    const update = entries[1]!;
    expect(update.userEmail).toBe(admin.email);
    expect(update.before).toMatchObject({ role: "builder" });
    expect(update.after).toMatchObject({ role: "manager" });
    expect(JSON.stringify(entries)).not.toContain("argon2");
  });

  it("resets a password: the old one stops working, the new one works", async () => {
    const { user } = await caller.users.create({
      email: "reset@example.test",
      name: "R",
      role: "agent",
      password: "old-password-1",
    });
    const { generatedPassword } = await caller.users.resetPassword({ id: user.id });
    await expect(
      authenticate(database.db, { email: "reset@example.test", password: "old-password-1", ip: null }),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(
      authenticate(database.db, { email: "reset@example.test", password: generatedPassword!, ip: null }),
    ).resolves.toMatchObject({ id: user.id });
  });

  it("never lets an admin disable themselves", async () => {
    await expect(caller.users.setDisabled({ id: admin.id, disabled: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "You cannot disable your own account.",
    });
  });

  it("never leaves the system without an enabled admin", async () => {
    const { db } = await useTestDatabase();
    const only = await insertUser(db, "admin");
    // The system (no actor) is not stopped by the self-disable guard, so the last-admin check decides.
    await expect(setUserDisabled(db, null, { id: only.id, disabled: true })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Cannot disable this user: it is the only enabled admin.",
    });
    await expect(updateUser(db, null, { id: only.id, role: "manager" })).rejects.toMatchObject({ code: "CONFLICT" });
    const second = await insertUser(db, "admin");
    await updateUser(db, only, { id: second.id, role: "builder" });
    await expect(updateUser(db, second, { id: only.id, role: "agent" })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("lets exactly one of two admins demoting each other at once win, without a deadlock", async () => {
    const { db } = await useTestDatabase();
    const [a, b] = [await insertUser(db, "admin"), await insertUser(db, "admin")];
    const results = await Promise.allSettled([
      updateUser(db, a, { id: b.id, role: "agent" }),
      updateUser(db, b, { id: a.id, role: "agent" }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const failure = results.find((result) => result.status === "rejected");
    expect(failure?.reason).toMatchObject({ code: "CONFLICT" });
    expect(await db.$count(users, eq(users.role, "admin"))).toBe(1);
  });

  it("reports NOT_FOUND for an unknown user", async () => {
    await expect(caller.users.update({ id: "00000000-0000-4000-8000-000000000000", name: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("first start", () => {
  it("creates one admin with a generated password, once", async () => {
    const { db } = await useTestDatabase();
    const first = await ensureBootstrapAdmin(db, { name: "Administrator" });
    expect(first).toMatchObject({ created: true, email: "admin@switchboard.local" });
    const password = first.created ? first.generatedPassword : null;
    expect(password).toHaveLength(20);
    await expect(
      authenticate(db, { email: "admin@switchboard.local", password: password!, ip: null }),
    ).resolves.toMatchObject({ role: "admin" });
    expect(await ensureBootstrapAdmin(db, { name: "Administrator" })).toEqual({ created: false });
    expect(await db.$count(users)).toBe(1);
  });

  it("uses ADMIN_EMAIL and ADMIN_PASSWORD when given, and is safe to race", async () => {
    const { db } = await useTestDatabase();
    const options = { email: "owner@example.test", password: "a-long-password", name: "Owner" };
    const results = await Promise.all([ensureBootstrapAdmin(db, options), ensureBootstrapAdmin(db, options)]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await db.$count(users)).toBe(1);
    await expect(
      authenticate(db, { email: "owner@example.test", password: "a-long-password", ip: null }),
    ).resolves.toMatchObject({ role: "admin" });
  });
});
