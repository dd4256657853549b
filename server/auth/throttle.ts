import { isIP } from "node:net";
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import ipaddr from "ipaddr.js";
import type { TDbOrTx } from "~/db/client";
import { loginAttempts } from "~/db/schema";

/**
 * Login throttling, kept in Postgres so every web process sees the same counts. Two limits, both
 * over a sliding 15-minute window, and neither can be used by someone elsewhere to lock the real
 * user out:
 *
 * - per email **and** address: 5 failures lock that email from that address only (a success from
 *   that address starts the count again). Guessing one account's password from one place is slow;
 *   the real user, elsewhere, is unaffected.
 * - per address: 30 failures, whatever the emails, lock the address (password spraying: many
 *   emails, a few guesses each).
 *
 * There is deliberately no limit per email across all addresses: any such limit lets an attacker
 * with enough addresses lock the real user out. Distributed guessing is bounded by the two limits
 * per address, the cost of argon2, and two-factor sign-in (which Settings can require of admins).
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60_000,
  maxFailuresPerEmailAndAddress: 5,
  maxFailuresPerAddress: 30,
} as const;

/** Which limit refused an attempt: the email from this address, or the address as a whole. */
export type TThrottleScope = "email-address" | "address";
export type TThrottleVerdict = { allowed: true } | { allowed: false; retryAfterS: number; scope: TThrottleScope };

/** Failures counted for one limit: how many, and when the oldest of them happened. */
export type TFailureCount = { count: number; oldest: Date | null };

/**
 * The policy alone: given the failures counted for each limit, whether an attempt may go ahead,
 * and if not, for how long (until the oldest counted failure leaves the window) and why.
 */
export function decideLoginThrottle(
  counts: { emailAddress: TFailureCount; address: TFailureCount | null },
  now: Date,
): TThrottleVerdict {
  const checks: { scope: TThrottleScope; result: TFailureCount | null; max: number }[] = [
    { scope: "address", result: counts.address, max: LOGIN_THROTTLE.maxFailuresPerAddress },
    { scope: "email-address", result: counts.emailAddress, max: LOGIN_THROTTLE.maxFailuresPerEmailAndAddress },
  ];
  for (const { scope, result, max: limit } of checks) {
    if (result && result.count >= limit && result.oldest) {
      const unlockAt = result.oldest.getTime() + LOGIN_THROTTLE.windowMs;
      return { allowed: false, scope, retryAfterS: Math.max(1, Math.ceil((unlockAt - now.getTime()) / 1000)) };
    }
  }
  return { allowed: true };
}

/**
 * What the throttle counts per address: an IPv4 address as it is; an IPv6 address by its /64
 * network, since one host (or one customer of a provider) usually holds a whole /64 and could
 * otherwise take a fresh address for every guess. Null for an unknown or malformed address.
 */
export function addressKey(address: string | null): string | null {
  if (!address || isIP(address) === 0) return null;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const network = (parsed as ipaddr.IPv6).toNormalizedString().split(":").slice(0, 4);
  const compact = ipaddr.IPv6.parse(`${network.join(":")}::`).toString();
  return `${compact}/64`;
}

/** The message the login page shows for a refused attempt: why, and when to try again. */
export function describeThrottle(verdict: { retryAfterS: number; scope: TThrottleScope }): string {
  const minutes = Math.ceil(verdict.retryAfterS / 60);
  const wait = `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  return verdict.scope === "address"
    ? `Too many failed sign-in attempts from your network. ${wait}`
    : `Too many failed sign-in attempts for this email from your network. ${wait}`;
}

/** First keys of the two-key advisory locks that serialise sign-in attempts per address and per email. */
const ADDRESS_LOCK_NAMESPACE = 7_346;
const EMAIL_LOCK_NAMESPACE = 7_345;

/**
 * Serialises attempts that count towards the same limits, for the rest of the transaction: the
 * address first, then the email (always in this order, so two attempts never deadlock). Parallel
 * guesses then cannot all pass the check before any of them is recorded.
 */
export async function lockLoginThrottle(tx: TDbOrTx, email: string, ip: string | null): Promise<void> {
  const key = addressKey(ip);
  if (key) await tx.execute(sql`select pg_advisory_xact_lock(${ADDRESS_LOCK_NAMESPACE}, hashtext(${key}))`);
  await tx.execute(sql`select pg_advisory_xact_lock(${EMAIL_LOCK_NAMESPACE}, hashtext(${email.toLowerCase()}))`);
}

function sameAddress(key: string | null): SQL {
  return sql`${loginAttempts.addressKey} is not distinct from ${key}`;
}

async function countFailures(db: TDbOrTx, where: SQL | undefined): Promise<TFailureCount> {
  const [row] = await db
    .select({ count: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${loginAttempts.at})` })
    .from(loginAttempts)
    .where(and(where, eq(loginAttempts.succeeded, false)));
  return { count: row?.count ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/**
 * Counts the recent failures for this email from this address, and for this address, and applies
 * `decideLoginThrottle`. An unknown address (a web started without its entry, or a test) is
 * counted as one address of its own for the email limit and has no address limit.
 */
export async function checkLoginThrottle(
  db: TDbOrTx,
  email: string,
  ip: string | null,
  now = new Date(),
): Promise<TThrottleVerdict> {
  const since = new Date(now.getTime() - LOGIN_THROTTLE.windowMs);
  const key = addressKey(ip);
  const emailMatches = eq(sql`lower(${loginAttempts.email})`, email.toLowerCase());
  // A success for this email from this address starts its count again (compared in SQL: a Date
  // would lose Postgres's microseconds).
  const lastSuccess = sql`(select max(${loginAttempts.at}) from ${loginAttempts} where ${and(
    emailMatches,
    sameAddress(key),
    eq(loginAttempts.succeeded, true),
  )})`;
  const emailAddress = await countFailures(
    db,
    and(
      emailMatches,
      sameAddress(key),
      gte(loginAttempts.at, since),
      sql`${loginAttempts.at} > coalesce(${lastSuccess}, '-infinity')`,
    ),
  );
  const address = key
    ? await countFailures(db, and(eq(loginAttempts.addressKey, key), gte(loginAttempts.at, since)))
    : null;
  return decideLoginThrottle({ emailAddress, address }, now);
}

export async function recordLoginAttempt(
  db: TDbOrTx,
  attempt: { email: string; ip: string | null; succeeded: boolean; userId?: string | null },
): Promise<void> {
  await db
    .insert(loginAttempts)
    .values({ ...attempt, addressKey: addressKey(attempt.ip), userId: attempt.userId ?? null });
}

/** Deletes attempts older than `olderThanMs` (they no longer count); returns how many. */
export async function pruneLoginAttempts(db: TDbOrTx, olderThanMs: number, now = new Date()): Promise<number> {
  const deleted = await db
    .delete(loginAttempts)
    .where(lt(loginAttempts.at, new Date(now.getTime() - olderThanMs)))
    .returning({ id: loginAttempts.id });
  return deleted.length;
}
