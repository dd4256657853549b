import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { generate } from "otplib";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, loginAttempts, userRecoveryCodes, userSessions, userTwoFactor } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { authenticate } from "~/server/auth/authenticate";
import type { TSessionUser } from "~/server/auth/roles";
import { SECOND_FACTOR_REQUIRED } from "~/server/auth/sign-in-messages";
import { LOGIN_THROTTLE } from "~/server/auth/throttle";
import {
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  getTwoFactorStatus,
  regenerateRecoveryCodes,
  startTwoFactorEnrolment,
} from "~/server/auth/two-factor";
import {
  listOwnSessions,
  loadUserSession,
  pruneUserSessions,
  revokeOtherSessions,
  revokeOwnSession,
  revokeUserSession,
  SESSION_MAX_AGE_S,
  startUserSession,
} from "~/server/auth/user-sessions";
import { decryptSecret } from "~/server/lib/secrets";
import { updateOrgSettings } from "~/server/settings/settings";
import { resetUserPassword, setUserDisabled, signOutUserEverywhere } from "~/server/users/users";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

const APP_SECRET = "test-app-secret-0123456789abcdef0123456789";
const PASSWORD = "password-123";

/** The TOTP code an authenticator app shows `stepsAhead` 30-second steps from now. */
function codeFor(secret: string, stepsAhead = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
}

describe("sign-in", () => {
  let database: TTestDatabase;
  beforeAll(async () => {
    database = await useTestDatabase();
  });
  const signIn = (email: string, password: string, ip: string | null, code?: string) =>
    authenticate(database.db, { email, password, ip, code, appSecret: APP_SECRET });

  it("accepts the right password, case-insensitively on the email, and records the attempt with its address", async () => {
    const user = await insertUser(database.db, "agent", { email: "Mia@Example.test" });
    await expect(signIn(" mia@example.TEST ", PASSWORD, "10.0.0.1")).resolves.toEqual(user);
    const attempts = await database.db.select().from(loginAttempts).where(eq(loginAttempts.userId, user.id));
    expect(attempts).toMatchObject([{ succeeded: true, ip: "10.0.0.1", addressKey: "10.0.0.1" }]);
  });

  it("gives the same message for a wrong password and an unknown email", async () => {
    await insertUser(database.db, "agent", { email: "known@example.test" });
    for (const email of ["known@example.test", "ghost@example.test"]) {
      await expect(signIn(email, "nope-nope-nope", null)).rejects.toMatchObject({
        code: "UNAUTHORIZED",
        message: "Wrong email or password.",
      });
    }
  });

  it("answers an email with a NUL character as a wrong one, not with a server error", async () => {
    await expect(signIn("admin\u0000@example.test", PASSWORD, "10.0.0.9")).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "Wrong email or password.",
    });
  });

  it("five wrong passwords from one address do not stop the right password from another", async () => {
    const target = await insertUser(database.db, "admin", { email: "target@example.test" });
    for (let i = 0; i < LOGIN_THROTTLE.maxFailuresPerEmailAndAddress; i += 1) {
      await expect(signIn("target@example.test", `guess-${i}-xxxx`, "203.0.113.1")).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    // The attacker's address is locked out of this account, even with the right password…
    await expect(signIn("target@example.test", PASSWORD, "203.0.113.1")).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: "Too many failed sign-in attempts for this email from your network. Try again in 15 minutes.",
    });
    // …and the real user, elsewhere, is not.
    await expect(signIn("target@example.test", PASSWORD, "198.51.100.7")).resolves.toEqual(target);
  });

  it("throttles one address trying many emails (password spraying), and no other address", async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 35; i += 1) {
      outcomes.push(
        await signIn(`spray-${i}@example.test`, "Summer2026!", "203.0.113.66").then(
          () => "ok",
          (error: { code: string }) => error.code,
        ),
      );
    }
    expect(outcomes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(LOGIN_THROTTLE.maxFailuresPerAddress);
    expect(outcomes.slice(LOGIN_THROTTLE.maxFailuresPerAddress)).toEqual(Array(5).fill("TOO_MANY_REQUESTS"));
    await expect(signIn("spray-99@example.test", "Summer2026!", "203.0.113.66")).rejects.toThrow(
      /^Too many failed sign-in attempts from your network\. Try again in 15 minutes\.$/,
    );
    const bystander = await insertUser(database.db, "agent");
    await expect(signIn(bystander.email, PASSWORD, "203.0.113.67")).resolves.toEqual(bystander);
  });

  it("counts an IPv6 /64 as one address", async () => {
    const user = await insertUser(database.db, "agent");
    for (let i = 1; i <= LOGIN_THROTTLE.maxFailuresPerEmailAndAddress; i += 1) {
      await expect(signIn(user.email, "wrong-wrong", `2001:db8:5:6::${i}`)).rejects.toMatchObject({
        code: "UNAUTHORIZED",
      });
    }
    await expect(signIn(user.email, PASSWORD, "2001:db8:5:6::99")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await expect(signIn(user.email, PASSWORD, "2001:db8:5:7::1")).resolves.toEqual(user);
  });

  it("starts the count for an email and address again after a success from there", async () => {
    const user = await insertUser(database.db, "agent");
    const almost = LOGIN_THROTTLE.maxFailuresPerEmailAndAddress - 1;
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < almost; i += 1) {
        await expect(signIn(user.email, "wrong-wrong", "192.0.2.10")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      }
      await expect(signIn(user.email, PASSWORD, "192.0.2.10")).resolves.toEqual(user);
    }
  });

  it("holds the limits against parallel guesses, for one email and for one address", async () => {
    await insertUser(database.db, "agent", { email: "parallel@example.test" });
    // One email from an unknown address (serialised by the email's lock), then many emails from
    // one address (serialised by the address's lock).
    const codes = async (attempts: Promise<unknown>[]) =>
      (await Promise.allSettled(attempts)).map((result) =>
        result.status === "rejected" ? (result.reason as { code: string }).code : "ok",
      );
    const oneEmail = await codes(
      Array.from({ length: 10 }, (_, i) => signIn("parallel@example.test", `wrong-${i}-xxxx`, null)),
    );
    expect(oneEmail.filter((code) => code === "UNAUTHORIZED")).toHaveLength(
      LOGIN_THROTTLE.maxFailuresPerEmailAndAddress,
    );
    expect(oneEmail.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(
      10 - LOGIN_THROTTLE.maxFailuresPerEmailAndAddress,
    );
    const manyEmails = await codes(
      Array.from({ length: 36 }, (_, i) => signIn(`parallel-${i}@example.test`, "wrong-xxxx", "192.0.2.21")),
    );
    expect(manyEmails.filter((code) => code === "UNAUTHORIZED")).toHaveLength(LOGIN_THROTTLE.maxFailuresPerAddress);
    expect(manyEmails.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(
      36 - LOGIN_THROTTLE.maxFailuresPerAddress,
    );
  });
});

describe("server-side sessions", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;
  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin");
  });
  const start = (user: TSessionUser) =>
    startUserSession(database.db, { userId: user.id, ip: "192.0.2.1", userAgent: "Test browser" });
  const load = (user: TSessionUser, sessionId: string, now?: Date) =>
    loadUserSession(database.db, { sessionId, userId: user.id }, now);

  it("a signed-out session stays out", async () => {
    const agent = await insertUser(database.db, "agent");
    const sessionId = await start(agent);
    expect(await load(agent, sessionId)).toEqual({
      user: agent,
      sessionId,
      needsTwoFactorEnrolment: false,
      locale: null,
    });
    await revokeUserSession(database.db, sessionId, "signed_out");
    expect(await load(agent, sessionId)).toBeNull();
    const [row] = await database.db.select().from(userSessions).where(eq(userSessions.id, sessionId));
    expect(row).toMatchObject({ revokedReason: "signed_out", userAgent: "Test browser", ip: "192.0.2.1" });
  });

  it("refuses a token without a session, with another user's session, or past its lifetime", async () => {
    const agent = await insertUser(database.db, "agent");
    const other = await insertUser(database.db, "agent");
    const sessionId = await start(agent);
    expect(await loadUserSession(database.db, { sessionId: undefined, userId: agent.id })).toBeNull();
    expect(await loadUserSession(database.db, { sessionId: "not-a-uuid", userId: agent.id })).toBeNull();
    expect(await load(other, sessionId)).toBeNull();
    const later = new Date(Date.now() + (SESSION_MAX_AGE_S + 120) * 1000);
    expect(await load(agent, sessionId, later)).toBeNull();
    expect(await load(agent, sessionId)).not.toBeNull();
  });

  it("disabling a user ends all their sessions, and enabling them again does not bring those back", async () => {
    const agent = await insertUser(database.db, "agent");
    const sessions = [await start(agent), await start(agent)];
    await setUserDisabled(database.db, admin, { id: agent.id, disabled: true });
    await setUserDisabled(database.db, admin, { id: agent.id, disabled: false });
    for (const sessionId of sessions) expect(await load(agent, sessionId)).toBeNull();
    expect(await load(agent, await start(agent))).not.toBeNull();
  });

  it("a password reset ends every session started before it", async () => {
    const agent = await insertUser(database.db, "agent", { email: "rotated@example.test" });
    const before = await start(agent);
    await resetUserPassword(database.db, admin, { id: agent.id, password: "brand-new-password" });
    expect(await load(agent, before)).toBeNull();
    const [row] = await database.db.select().from(userSessions).where(eq(userSessions.id, before));
    expect(row?.revokedReason).toBe("password_reset");
  });

  it("an admin can sign a user out everywhere", async () => {
    const agent = await insertUser(database.db, "agent");
    const sessionId = await start(agent);
    await expect(signOutUserEverywhere(database.db, admin, { id: agent.id })).resolves.toEqual({ ended: 1 });
    expect(await load(agent, sessionId)).toBeNull();
  });

  it("a user sees their own live sessions and signs out the others, never someone else's", async () => {
    const agent = await insertUser(database.db, "agent");
    const stranger = await insertUser(database.db, "agent");
    const current = await start(agent);
    const laptop = await start(agent);
    const phone = await start(agent);
    const ended = await start(agent);
    await revokeUserSession(database.db, ended, "signed_out");
    const strangers = await start(stranger);

    const listed = await listOwnSessions(database.db, agent, current);
    expect(listed.map((session) => session.id).sort()).toEqual([current, laptop, phone].sort());
    expect(listed.find((session) => session.current)?.id).toBe(current);

    await revokeOwnSession(database.db, agent, { id: laptop });
    expect(await load(agent, laptop)).toBeNull();
    await expect(revokeOwnSession(database.db, agent, { id: strangers })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await load(stranger, strangers)).not.toBeNull();

    await expect(revokeOtherSessions(database.db, agent, current)).resolves.toEqual({ ended: 1 });
    expect(await load(agent, phone)).toBeNull();
    expect(await load(agent, current)).not.toBeNull();
  });

  it("prunes sessions ended or unused for 30 days, and keeps the others", async () => {
    const agent = await insertUser(database.db, "agent");
    const old = await start(agent);
    const oldEnded = await start(agent);
    const recent = await start(agent);
    const longAgo = new Date(Date.now() - 31 * 24 * 3600_000);
    await database.db.update(userSessions).set({ lastSeenAt: longAgo }).where(eq(userSessions.id, old));
    await database.db.update(userSessions).set({ revokedAt: longAgo }).where(eq(userSessions.id, oldEnded));
    expect(await pruneUserSessions(database.db)).toBe(2);
    const left = await database.db
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(eq(userSessions.userId, agent.id));
    expect(left).toEqual([{ id: recent }]);
  });
});

describe("two-factor sign-in", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;
  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin");
  });
  const signIn = (email: string, password: string, ip: string | null, code?: string) =>
    authenticate(database.db, { email, password, ip, code, appSecret: APP_SECRET });

  /** Enrols `user`; returns the secret and the recovery codes. */
  async function enrol(user: TSessionUser) {
    const { secret, uri } = await startTwoFactorEnrolment(database.db, user, APP_SECRET);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Switchboard:/);
    expect(uri).toContain(`secret=${secret}`);
    const { recoveryCodes } = await confirmTwoFactorEnrolment(database.db, user, APP_SECRET, {
      code: await codeFor(secret),
    });
    return { secret, recoveryCodes };
  }

  it("enrols only after a first right code, keeps the secret encrypted and the recovery codes hashed", async () => {
    const user = await insertUser(database.db, "builder");
    const { secret } = await startTwoFactorEnrolment(database.db, user, APP_SECRET);
    expect(await getTwoFactorStatus(database.db, user)).toMatchObject({ enabled: false });
    // Not on yet: signing in asks for no code.
    await expect(signIn(user.email, PASSWORD, null)).resolves.toEqual(user);
    const wrong = (await codeFor(secret)) === "000000" ? "111111" : "000000";
    await expect(confirmTwoFactorEnrolment(database.db, user, APP_SECRET, { code: wrong })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { code: expect.stringMatching(/^Wrong code/) },
    });
    const { recoveryCodes } = await confirmTwoFactorEnrolment(database.db, user, APP_SECRET, {
      code: await codeFor(secret),
    });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes)
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(await getTwoFactorStatus(database.db, user)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    const [row] = await database.db.select().from(userTwoFactor).where(eq(userTwoFactor.userId, user.id));
    expect(row!.secret.toString("latin1")).not.toContain(secret);
    expect(decryptSecret(row!.secret, APP_SECRET, "totp-secret").toString()).toBe(secret);
    expect(() => decryptSecret(row!.secret, APP_SECRET, "webhook-secret")).toThrow();
    const stored = await database.db.select().from(userRecoveryCodes).where(eq(userRecoveryCodes.userId, user.id));
    const storedText = JSON.stringify(stored);
    for (const code of recoveryCodes) expect(storedText).not.toContain(code.replace(/-/g, ""));
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, "enable_two_factor")));
    expect(audit).toHaveLength(1);
    await expect(startTwoFactorEnrolment(database.db, user, APP_SECRET)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("asks for a code after the right password, takes a right one, and refuses it when replayed", async () => {
    const user = await insertUser(database.db, "agent");
    const { secret } = await enrol(user);
    await expect(signIn(user.email, PASSWORD, "192.0.2.30")).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: SECOND_FACTOR_REQUIRED,
    });
    // A wrong password is still just a wrong password: no hint that the account has two-factor.
    await expect(signIn(user.email, "wrong-wrong", "192.0.2.30")).rejects.toThrow("Wrong email or password.");
    const next = await codeFor(secret, 1);
    await expect(signIn(user.email, PASSWORD, "192.0.2.30", next)).resolves.toEqual({ ...user, secondFactor: "totp" });
    await expect(signIn(user.email, PASSWORD, "192.0.2.31", next)).rejects.toThrow(/already used/);
    // Nor is an older code accepted once a newer one was.
    await expect(signIn(user.email, PASSWORD, "192.0.2.31", await codeFor(secret))).rejects.toThrow(/already used/);
  });

  it("counts wrong codes towards the throttle, like wrong passwords", async () => {
    const user = await insertUser(database.db, "agent");
    const { secret } = await enrol(user);
    const right = await codeFor(secret, 1);
    const wrong = right === "123456" ? "654321" : "123456";
    for (let i = 0; i < LOGIN_THROTTLE.maxFailuresPerEmailAndAddress; i += 1) {
      await expect(signIn(user.email, PASSWORD, "192.0.2.40", wrong)).rejects.toThrow(/^Wrong code/);
    }
    await expect(signIn(user.email, PASSWORD, "192.0.2.40", right)).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    // Asking for the code is not a failure: ten password-only steps lock nothing.
    const other = await insertUser(database.db, "agent");
    await enrol(other);
    for (let i = 0; i < 10; i += 1) {
      await expect(signIn(other.email, PASSWORD, "192.0.2.41")).rejects.toThrow(SECOND_FACTOR_REQUIRED);
    }
  });

  it("takes each recovery code once, and records its use", async () => {
    const user = await insertUser(database.db, "agent");
    const { recoveryCodes } = await enrol(user);
    const [first, second] = recoveryCodes;
    await expect(signIn(user.email, PASSWORD, null, first!.toUpperCase())).resolves.toEqual({
      ...user,
      secondFactor: "recovery-code",
    });
    await expect(signIn(user.email, PASSWORD, null, first)).rejects.toThrow(/works only once/);
    await expect(signIn(user.email, PASSWORD, null, second!.replace(/-/g, " "))).resolves.toMatchObject({
      secondFactor: "recovery-code",
    });
    expect(await getTwoFactorStatus(database.db, user)).toMatchObject({ recoveryCodesLeft: 8 });
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, "use_recovery_code")));
    expect(audit.map((entry) => entry.after)).toEqual([{ recoveryCodesLeft: 9 }, { recoveryCodesLeft: 8 }]);
    // New codes replace the old ones.
    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(database.db, user, APP_SECRET, {
      password: PASSWORD,
    });
    await expect(signIn(user.email, PASSWORD, null, recoveryCodes[2])).rejects.toThrow(/works only once/);
    await expect(signIn(user.email, PASSWORD, null, fresh[0])).resolves.toMatchObject({
      secondFactor: "recovery-code",
    });
  });

  it("turns off only with a current code or the password, counting wrong ones, and records it", async () => {
    const user = await insertUser(database.db, "agent");
    const { secret } = await enrol(user);
    await expect(
      disableTwoFactor(database.db, user, APP_SECRET, { password: "not-the-password" }, "192.0.2.50"),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED", fieldErrors: { password: "Wrong password." } });
    const [failure] = await database.db
      .select()
      .from(loginAttempts)
      .where(and(eq(loginAttempts.userId, user.id), eq(loginAttempts.succeeded, false)));
    expect(failure).toMatchObject({ ip: "192.0.2.50" });
    await expect(disableTwoFactor(database.db, user, APP_SECRET, {})).rejects.toThrow(
      /code from your app or your password/,
    );
    await disableTwoFactor(database.db, user, APP_SECRET, { code: await codeFor(secret, 1) });
    expect(await getTwoFactorStatus(database.db, user)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    await expect(signIn(user.email, PASSWORD, null)).resolves.toEqual(user);
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, "disable_two_factor")));
    expect(audit).toHaveLength(1);
  });

  it("when Settings require it for admins, an admin without it can only enrol", async () => {
    const newAdmin = await insertUser(database.db, "admin");
    const agent = await insertUser(database.db, "agent");
    await updateOrgSettings(database.db, admin, { requireTwoFactorForAdmins: true });
    try {
      const adminSession = await startUserSession(database.db, { userId: newAdmin.id, ip: null, userAgent: null });
      const agentSession = await startUserSession(database.db, { userId: agent.id, ip: null, userAgent: null });
      const loaded = await loadUserSession(database.db, { sessionId: adminSession, userId: newAdmin.id });
      expect(loaded).toMatchObject({ needsTwoFactorEnrolment: true });
      expect(await loadUserSession(database.db, { sessionId: agentSession, userId: agent.id })).toMatchObject({
        needsTwoFactorEnrolment: false,
      });

      const caller = createCaller(
        testContext({
          db: database.db,
          user: newAdmin,
          session: { id: adminSession, needsTwoFactorEnrolment: true },
          appSecret: APP_SECRET,
        }),
      );
      await expect(caller.users.list()).rejects.toMatchObject({ code: "FORBIDDEN", message: /two-factor/ });
      await expect(caller.account.sessions()).rejects.toBeInstanceOf(TRPCError);
      await expect(caller.auth.me()).resolves.toEqual(newAdmin);
      const { secret } = await caller.account.startTwoFactor();
      await caller.account.confirmTwoFactor({ code: await codeFor(secret) });
      expect(await loadUserSession(database.db, { sessionId: adminSession, userId: newAdmin.id })).toMatchObject({
        needsTwoFactorEnrolment: false,
      });
      // …and while required, it cannot be turned off again.
      await expect(disableTwoFactor(database.db, newAdmin, APP_SECRET, { password: PASSWORD })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    } finally {
      await updateOrgSettings(database.db, admin, { requireTwoFactorForAdmins: false });
    }
  });
});
