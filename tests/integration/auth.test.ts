import { beforeAll, describe, expect, it } from "vitest";
import { loginAttempts } from "~/db/schema";
import { authenticate, loadSessionUser } from "~/server/auth/authenticate";
import { LOGIN_THROTTLE } from "~/server/auth/throttle";
import { resetUserPassword, setUserDisabled } from "~/server/users/users";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";

describe("sign-in", () => {
  let database: TTestDatabase;
  beforeAll(async () => {
    database = await useTestDatabase();
  });

  it("accepts the right password, case-insensitively on the email, and records the attempt", async () => {
    const user = await insertUser(database.db, "agent", { email: "Mia@Example.test" });
    await expect(
      authenticate(database.db, { email: " mia@example.TEST ", password: "password-123", ip: "10.0.0.1" }),
    ).resolves.toEqual({ ...user, sessionVersion: 0 });
    const attempts = await database.db.select().from(loginAttempts);
    expect(attempts.some((attempt) => attempt.userId === user.id && attempt.succeeded)).toBe(true);
  });

  it("gives the same message for a wrong password and an unknown email", async () => {
    await insertUser(database.db, "agent", { email: "known@example.test" });
    for (const email of ["known@example.test", "ghost@example.test"]) {
      await expect(authenticate(database.db, { email, password: "nope-nope-nope", ip: null })).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        message: "Wrong email or password.",
      });
    }
  });

  it(`locks an email after ${LOGIN_THROTTLE.maxFailuresPerEmail} failures, even for the right password`, async () => {
    await insertUser(database.db, "builder", { email: "target@example.test" });
    for (let i = 0; i < LOGIN_THROTTLE.maxFailuresPerEmail; i += 1) {
      await expect(
        authenticate(database.db, { email: "target@example.test", password: `guess-${i}-xxxx`, ip: "10.0.0.2" }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    await expect(
      authenticate(database.db, { email: "target@example.test", password: "password-123", ip: "10.0.0.3" }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    await expect(
      authenticate(database.db, { email: "target@example.test", password: "password-123", ip: null }),
    ).rejects.toThrow(/Try again in 15 minutes/);
    // Other accounts are unaffected.
    const other = await insertUser(database.db, "builder", { email: "bystander@example.test" });
    await expect(
      authenticate(database.db, { email: "bystander@example.test", password: "password-123", ip: "10.0.0.4" }),
    ).resolves.toMatchObject(other);
  });

  it("ends the session of a disabled user at once (role and state are read from the database)", async () => {
    const admin = await insertUser(database.db, "admin");
    const agent = await insertUser(database.db, "agent");
    expect(await loadSessionUser(database.db, agent.id)).toEqual(agent);
    await setUserDisabled(database.db, admin, { id: agent.id, disabled: true });
    expect(await loadSessionUser(database.db, agent.id)).toBeNull();
  });

  it("holds the limit against parallel guesses", async () => {
    await insertUser(database.db, "agent", { email: "parallel@example.test" });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        authenticate(database.db, { email: "parallel@example.test", password: `wrong-${i}-xxxx`, ip: null }),
      ),
    );
    const codes = results.map((result) =>
      result.status === "rejected" ? (result.reason as { code: string }).code : "ok",
    );
    expect(codes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(LOGIN_THROTTLE.maxFailuresPerEmail);
    expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(10 - LOGIN_THROTTLE.maxFailuresPerEmail);
  });

  it("signs out sessions started before a password reset", async () => {
    const admin = await insertUser(database.db, "admin");
    const agent = await insertUser(database.db, "agent", { email: "rotated@example.test" });
    const signedIn = await authenticate(database.db, {
      email: "rotated@example.test",
      password: "password-123",
      ip: null,
    });
    expect(await loadSessionUser(database.db, agent.id, signedIn.sessionVersion)).toEqual(agent);
    await resetUserPassword(database.db, admin, { id: agent.id, password: "brand-new-password" });
    expect(await loadSessionUser(database.db, agent.id, signedIn.sessionVersion)).toBeNull();
    const again = await authenticate(database.db, {
      email: "rotated@example.test",
      password: "brand-new-password",
      ip: null,
    });
    expect(await loadSessionUser(database.db, agent.id, again.sessionVersion)).toEqual(agent);
  });
});
