import { eq, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { users, userTwoFactor } from "~/db/schema";
import { AppError } from "~/server/errors";
import { generatePassword, hashPassword, verifyPassword } from "./password";
import type { TSessionUser } from "./roles";
import { SECOND_FACTOR_REQUIRED, WRONG_EMAIL_OR_PASSWORD } from "./sign-in-messages";
import { checkLoginThrottle, describeThrottle, lockLoginThrottle, recordLoginAttempt } from "./throttle";
import { verifySecondFactor } from "./two-factor";

/** A hash of a random password, so a login for an unknown email costs as much as a real one. */
let dummyHash: Promise<string> | undefined;

/** A successful sign-in: the user, and how the second factor was given (when the account has one). */
export type TAuthenticatedUser = TSessionUser & { secondFactor?: "totp" | "recovery-code" };

export type TAuthenticateInput = {
  email: string;
  password: string;
  /** The client's address (`clientAddress`), or null when unknown. */
  ip: string | null;
  /** The second step: a TOTP code or a recovery code, for accounts with two-factor sign-in. */
  code?: string;
  /** Decrypts TOTP secrets; needed only for accounts with two-factor sign-in. */
  appSecret?: string;
};

type TAttemptOutcome = { kind: "refused"; error: AppError } | { kind: "ok"; user: TAuthenticatedUser };

/**
 * Checks an email and password, then (for an account with two-factor sign-in) the code. Throws
 * `TOO_MANY_REQUESTS` while throttled (the message says why and for how long), `UNAUTHORIZED`
 * with `SECOND_FACTOR_REQUIRED` when the password was right and a code is needed, and
 * `UNAUTHORIZED` for anything else that fails, with one message for a wrong password and an
 * unknown email. Wrong passwords and wrong codes count towards the throttle alike. Attempts that
 * count towards the same limits are serialised (`lockLoginThrottle`), so parallel guesses cannot
 * all slip under a limit before any of them is recorded.
 */
export async function authenticate(db: TDb, input: TAuthenticateInput): Promise<TAuthenticatedUser> {
  const email = input.email.trim();
  // No account has a NUL in its email, and Postgres refuses one in text: wrong, not a server error.
  if (email.includes("\u0000")) throw new AppError("UNAUTHORIZED", WRONG_EMAIL_OR_PASSWORD);
  dummyHash ??= hashPassword(generatePassword());
  const fallbackHash = await dummyHash;
  const outcome = await db.transaction(async (tx): Promise<TAttemptOutcome> => {
    await lockLoginThrottle(tx, email, input.ip);
    const verdict = await checkLoginThrottle(tx, email, input.ip);
    if (!verdict.allowed)
      return { kind: "refused", error: new AppError("TOO_MANY_REQUESTS", describeThrottle(verdict)) };
    const [user] = await tx
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        disabled: users.disabled,
        passwordHash: users.passwordHash,
        twoFactorEnabledAt: userTwoFactor.enabledAt,
      })
      .from(users)
      .leftJoin(userTwoFactor, eq(userTwoFactor.userId, users.id))
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
      .limit(1);
    const passwordOk = await verifyPassword(user?.passwordHash ?? fallbackHash, input.password);
    const fail = async (message: string): Promise<TAttemptOutcome> => {
      await recordLoginAttempt(tx, { email, ip: input.ip, succeeded: false, userId: user?.id ?? null });
      return { kind: "refused", error: new AppError("UNAUTHORIZED", message) };
    };
    if (!user || !passwordOk) return fail(WRONG_EMAIL_OR_PASSWORD);
    if (user.disabled) return fail("This account is disabled.");
    let secondFactor: TAuthenticatedUser["secondFactor"];
    if (user.twoFactorEnabledAt) {
      // Not a failure: the form now asks for the code and sends it with the password again.
      if (!input.code?.trim()) return { kind: "refused", error: new AppError("UNAUTHORIZED", SECOND_FACTOR_REQUIRED) };
      if (!input.appSecret) throw new Error("authenticate: appSecret is needed for two-factor sign-in");
      const result = await verifySecondFactor(tx, user, input.code.trim(), input.appSecret);
      if (!result.ok) return fail(result.message);
      secondFactor = result.method;
    }
    await recordLoginAttempt(tx, { email, ip: input.ip, succeeded: true, userId: user.id });
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
    const { id, name, role } = user;
    return { kind: "ok", user: { id, email: user.email, name, role, ...(secondFactor ? { secondFactor } : {}) } };
  });
  // Thrown after the commit, so a failed attempt stays recorded.
  if (outcome.kind === "refused") throw outcome.error;
  return outcome.user;
}
