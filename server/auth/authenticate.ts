import { eq, sql } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { users } from "~/db/schema";
import { AppError } from "~/server/errors";
import { generatePassword, hashPassword, verifyPassword } from "./password";
import type { TRole } from "./roles";
import { checkLoginThrottle, recordLoginAttempt } from "./throttle";

export type TSessionUser = { id: string; email: string; name: string; role: TRole };

/** First key of the two-key advisory locks that serialise sign-ins per email. */
const LOGIN_LOCK_NAMESPACE = 7_345;

/** A hash of a random password, so a login for an unknown email costs as much as a real one. */
let dummyHash: Promise<string> | undefined;

/** What a successful sign-in puts in the session token besides identity. */
export type TAuthenticatedUser = TSessionUser & { sessionVersion: number };

type TAttemptOutcome =
  | { kind: "throttled"; retryAfterS: number }
  | { kind: "failed"; message: string }
  | { kind: "ok"; user: TAuthenticatedUser };

/**
 * Checks an email and password. Throws `TOO_MANY_REQUESTS` while throttled and `UNAUTHORIZED`
 * for anything else that fails, with one message that does not reveal whether the email exists.
 * Attempts for one email are serialised (an advisory lock on the email), so parallel guesses
 * cannot all slip under the limit before any of them is recorded.
 */
export async function authenticate(
  db: TDb,
  input: { email: string; password: string; ip: string | null },
): Promise<TAuthenticatedUser> {
  const email = input.email.trim();
  dummyHash ??= hashPassword(generatePassword());
  const fallbackHash = await dummyHash;
  const outcome = await db.transaction(async (tx): Promise<TAttemptOutcome> => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOGIN_LOCK_NAMESPACE}, hashtext(${email.toLowerCase()}))`);
    const verdict = await checkLoginThrottle(tx, email, input.ip);
    if (!verdict.allowed) return { kind: "throttled", retryAfterS: verdict.retryAfterS };
    const [user] = await tx
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
      .limit(1);
    const passwordOk = await verifyPassword(user?.passwordHash ?? fallbackHash, input.password);
    const succeeded = Boolean(user && passwordOk && !user.disabled);
    await recordLoginAttempt(tx, { email, ip: input.ip, succeeded, userId: user?.id ?? null });
    if (!user || !succeeded) {
      return {
        kind: "failed",
        message: user?.disabled && passwordOk ? "This account is disabled." : "Wrong email or password.",
      };
    }
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
    const { id, name, role, sessionVersion } = user;
    return { kind: "ok", user: { id, email: user.email, name, role, sessionVersion } };
  });
  // Thrown after the commit, so the failed attempt stays recorded.
  if (outcome.kind === "throttled") {
    const minutes = Math.ceil(outcome.retryAfterS / 60);
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
  }
  if (outcome.kind === "failed") throw new AppError("UNAUTHORIZED", outcome.message);
  return outcome.user;
}

/**
 * The current state of a signed-in user. JWTs only carry identity: role and disabled are read
 * from the database on every request, so a role change or a disable takes effect at once.
 * A token issued before the user's password was reset (an older `sessionVersion`) is refused.
 */
export async function loadSessionUser(db: TDb, userId: string, sessionVersion?: number): Promise<TSessionUser | null> {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: users.disabled,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!user || user.disabled) return null;
  if (sessionVersion !== undefined && sessionVersion !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
