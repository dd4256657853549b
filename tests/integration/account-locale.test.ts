import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { loadUserSession, startUserSession } from "~/server/auth/user-sessions";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

describe("account.setLocale", () => {
  let database: TTestDatabase;
  let agent: TSessionUser;
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    database = await useTestDatabase();
    agent = await insertUser(database.db, "agent");
    caller = createCaller(testContext({ db: database.db, user: agent }));
  });

  const storedLocale = async (userId: string) =>
    (await database.db.select({ locale: users.locale }).from(users).where(eq(users.id, userId)))[0]?.locale;

  it("[agent] picks a language: saved, audited, and the next request's session carries it", async () => {
    const sessionId = await startUserSession(database.db, { userId: agent.id, ip: null, userAgent: null });
    expect((await loadUserSession(database.db, { sessionId, userId: agent.id }))?.locale).toBeNull();

    await expect(caller.account.setLocale("pt-BR")).resolves.toEqual({ locale: "pt-BR" });
    expect(await storedLocale(agent.id)).toBe("pt-BR");
    expect((await loadUserSession(database.db, { sessionId, userId: agent.id }))?.locale).toBe("pt-BR");

    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, agent.id), eq(auditLog.action, "set_locale")));
    expect(audited).toMatchObject([
      { entity: "user", userId: agent.id, before: { locale: null }, after: { locale: "pt-BR" } },
    ]);
  });

  it("[agent] goes back to the browser's language with null", async () => {
    await caller.account.setLocale("es");
    await expect(caller.account.setLocale(null)).resolves.toEqual({ locale: null });
    expect(await storedLocale(agent.id)).toBeNull();
  });

  it("changes only the caller's own row, and writes no audit entry when nothing changes", async () => {
    const other = await insertUser(database.db, "admin");
    const before = await database.db.$count(auditLog);
    await caller.account.setLocale(null);
    expect(await database.db.$count(auditLog)).toBe(before);
    await caller.account.setLocale("es");
    expect(await storedLocale(other.id)).toBeNull();
  });

  it("refuses a language we do not have, and a caller nobody signed in", async () => {
    await expect(caller.account.setLocale("fr" as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.account.setLocale("x".repeat(100_000) as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const anonymous = createCaller(testContext({ db: database.db, user: null }));
    await expect(anonymous.account.setLocale("es")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
