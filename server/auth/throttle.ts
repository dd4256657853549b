import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { loginAttempts } from "~/db/schema";

/**
 * Login throttling, kept in Postgres so every web process sees the same counts.
 * Per email: 5 failures within 15 minutes lock that email for the rest of the window.
 * Per IP: 30 failures within 15 minutes, against password spraying across many emails.
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60_000,
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 30,
} as const;

export type TThrottleVerdict = { allowed: true } | { allowed: false; retryAfterS: number };

export async function checkLoginThrottle(
  db: TDbOrTx,
  email: string,
  ip: string | null,
  now = new Date(),
): Promise<TThrottleVerdict> {
  const since = new Date(now.getTime() - LOGIN_THROTTLE.windowMs);
  const failuresFor = async (where: ReturnType<typeof and>) => {
    const [row] = await db
      .select({ count: sql<number>`count(*)::int`, oldest: sql<Date | null>`min(${loginAttempts.at})` })
      .from(loginAttempts)
      .where(and(where, eq(loginAttempts.succeeded, false), gte(loginAttempts.at, since)));
    return { count: row?.count ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
  };
  const checks = [
    {
      result: await failuresFor(eq(sql`lower(${loginAttempts.email})`, email.toLowerCase())),
      max: LOGIN_THROTTLE.maxFailuresPerEmail,
    },
    ...(ip ? [{ result: await failuresFor(eq(loginAttempts.ip, ip)), max: LOGIN_THROTTLE.maxFailuresPerIp }] : []),
  ];
  for (const { result, max } of checks) {
    if (result.count >= max && result.oldest) {
      const unlockAt = result.oldest.getTime() + LOGIN_THROTTLE.windowMs;
      return { allowed: false, retryAfterS: Math.max(1, Math.ceil((unlockAt - now.getTime()) / 1000)) };
    }
  }
  return { allowed: true };
}

export async function recordLoginAttempt(
  db: TDbOrTx,
  attempt: { email: string; ip: string | null; succeeded: boolean; userId?: string | null },
): Promise<void> {
  await db.insert(loginAttempts).values({ ...attempt, userId: attempt.userId ?? null });
}

/** Deletes attempts older than `olderThanMs` (they no longer count); returns how many. */
export async function pruneLoginAttempts(db: TDbOrTx, olderThanMs: number, now = new Date()): Promise<number> {
  const deleted = await db
    .delete(loginAttempts)
    .where(lt(loginAttempts.at, new Date(now.getTime() - olderThanMs)))
    .returning({ id: loginAttempts.id });
  return deleted.length;
}
