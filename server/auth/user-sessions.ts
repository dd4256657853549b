import { and, desc, eq, gte, isNull, lt, ne, or } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";
import { users, userSessions, userTwoFactor } from "~/db/schema";
import { AppError } from "~/server/errors";
import type { TSessionUser } from "./roles";
import { isLocale, type TLocale } from "~/server/i18n/locales";
import { isTwoFactorRequired } from "./two-factor";

/**
 * Server-side sessions. Each sign-in gets a row; its id travels in the session token (a
 * next-auth JWT), and every request resolves the current user through `loadUserSession`, which
 * refuses a revoked row. So signing out, "sign out other sessions", disabling a user and
 * resetting their password end sessions at once, on every web process.
 */

/** How long a session token lives (next-auth's `maxAge`); a session unused this long is over. */
export const SESSION_MAX_AGE_S = 12 * 3600;
/** `last_seen_at` is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;
/** Ended sessions (and long-unused ones) are kept this long for the account page, then pruned. */
const KEEP_ENDED_MS = 30 * 24 * 3600_000;

export type TRevokeReason = "signed_out" | "signed_out_elsewhere" | "disabled" | "password_reset" | "admin";

/** The user behind a live session, and whether they must enrol in two-factor before anything else. */
export type TCurrentSession = {
  user: TSessionUser;
  sessionId: string;
  needsTwoFactorEnrolment: boolean;
  /** The interface language the user chose; null: the browser's. */
  locale: TLocale | null;
};

const ZSessionId = z.uuid();

/** The oldest `last_seen_at` a live session can have (its token cannot have outlived it). */
function liveSince(now: Date): Date {
  return new Date(now.getTime() - SESSION_MAX_AGE_S * 1000 - TOUCH_EVERY_MS);
}

/** Records a sign-in; returns the session id to put in the token. */
export async function startUserSession(
  db: TDbOrTx,
  input: { userId: string; ip: string | null; userAgent: string | null },
): Promise<string> {
  const [row] = await db
    .insert(userSessions)
    .values({ userId: input.userId, ip: input.ip, userAgent: input.userAgent?.slice(0, 512) ?? null })
    .returning({ id: userSessions.id });
  if (!row) throw new Error("insert returned no row");
  return row.id;
}

/**
 * The current state of a session: null when it was revoked, has expired, or belongs to a user who
 * is gone or disabled. Role and name come from the database, so a role change applies at once.
 */
export async function loadUserSession(
  db: TDbOrTx,
  token: { sessionId: string | undefined; userId: string | undefined },
  now = new Date(),
): Promise<TCurrentSession | null> {
  if (!token.userId || !ZSessionId.safeParse(token.sessionId).success) return null;
  const sessionId = token.sessionId!;
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      locale: users.locale,
      disabled: users.disabled,
      revokedAt: userSessions.revokedAt,
      lastSeenAt: userSessions.lastSeenAt,
      twoFactorEnabledAt: userTwoFactor.enabledAt,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .leftJoin(userTwoFactor, eq(userTwoFactor.userId, users.id))
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, token.userId)))
    .limit(1);
  if (!row || row.disabled || row.revokedAt || row.lastSeenAt < liveSince(now)) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(userSessions.id, sessionId), isNull(userSessions.revokedAt)));
  }
  const user: TSessionUser = { id: row.id, email: row.email, name: row.name, role: row.role };
  const needsTwoFactorEnrolment = !row.twoFactorEnabledAt && (await isTwoFactorRequired(db, user));
  return { user, sessionId, needsTwoFactorEnrolment, locale: isLocale(row.locale) ? row.locale : null };
}

/** Ends one session (sign-out). Ending an ended or unknown session does nothing. */
export async function revokeUserSession(db: TDbOrTx, sessionId: string, reason: TRevokeReason): Promise<void> {
  if (!ZSessionId.safeParse(sessionId).success) return;
  await db
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.revokedAt)));
}

/** Ends every live session of a user (but `exceptSessionId`); returns how many. */
export async function revokeUserSessions(
  db: TDbOrTx,
  userId: string,
  reason: TRevokeReason,
  exceptSessionId?: string,
): Promise<number> {
  const revoked = await db
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.revokedAt),
        exceptSessionId ? ne(userSessions.id, exceptSessionId) : undefined,
      ),
    )
    .returning({ id: userSessions.id });
  return revoked.length;
}

export const ZRevokeSessionInput = z.object({ id: z.uuid("Choose a session") });

export type TUserSessionView = {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
};

/** A user's live sessions, most recently used first, the one making the request marked `current`. */
export async function listOwnSessions(
  db: TDbOrTx,
  user: TSessionUser,
  currentSessionId: string | null,
  now = new Date(),
): Promise<TUserSessionView[]> {
  const rows = await db
    .select({
      id: userSessions.id,
      createdAt: userSessions.createdAt,
      lastSeenAt: userSessions.lastSeenAt,
      userAgent: userSessions.userAgent,
      ip: userSessions.ip,
    })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, user.id),
        isNull(userSessions.revokedAt),
        gte(userSessions.lastSeenAt, liveSince(now)),
      ),
    )
    .orderBy(desc(userSessions.lastSeenAt))
    .limit(100);
  return rows.map((row) => ({ ...row, current: row.id === currentSessionId }));
}

/** Signs out one of the user's own sessions (another device). */
export async function revokeOwnSession(
  db: TDbOrTx,
  user: TSessionUser,
  rawInput: z.input<typeof ZRevokeSessionInput>,
): Promise<void> {
  const { id } = ZRevokeSessionInput.parse(rawInput);
  const revoked = await db
    .update(userSessions)
    .set({ revokedAt: new Date(), revokedReason: "signed_out_elsewhere" })
    .where(and(eq(userSessions.id, id), eq(userSessions.userId, user.id), isNull(userSessions.revokedAt)))
    .returning({ id: userSessions.id });
  if (revoked.length === 0) throw new AppError("NOT_FOUND", "No such session of yours (it may have ended already).");
}

/** Signs out every session of the user but the current one; returns how many ended. */
export async function revokeOtherSessions(
  db: TDbOrTx,
  user: TSessionUser,
  currentSessionId: string | null,
): Promise<{ ended: number }> {
  return { ended: await revokeUserSessions(db, user.id, "signed_out_elsewhere", currentSessionId ?? undefined) };
}

/**
 * For the hourly maintenance job: deletes sessions that ended, or were last used, more than 30
 * days ago (their tokens have long expired). Returns how many.
 */
export async function pruneUserSessions(db: TDbOrTx, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - KEEP_ENDED_MS);
  const deleted = await db
    .delete(userSessions)
    .where(or(lt(userSessions.revokedAt, before), lt(userSessions.lastSeenAt, before)))
    .returning({ id: userSessions.id });
  return deleted.length;
}
