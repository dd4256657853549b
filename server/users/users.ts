import { and, asc, count, eq, ne, sql } from "drizzle-orm";
import { domainText, serverText } from "~/server/i18n/domain";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { users, userTwoFactor } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from "~/server/auth/password";
import { resetTwoFactor } from "~/server/auth/two-factor";
import { revokeUserSessions } from "~/server/auth/user-sessions";
import { canAccess, USER_ROLES } from "~/server/auth/roles";
import { AppError, isUniqueViolation } from "~/server/errors";

const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, domainText("en", serverText("users.passwordTooShort", { min: MIN_PASSWORD_LENGTH })))
  .max(200, "Password must be at most 200 characters");

export const ZCreateUserInput = z.object({
  email: z.email("Enter a valid email address").trim().max(254),
  name: z.string().trim().min(1, "Enter a name").max(120),
  role: z.enum(USER_ROLES),
  /** Omit to generate one; it is returned once. */
  password: ZPassword.optional(),
});
export type TCreateUserInput = z.infer<typeof ZCreateUserInput>;

export const ZUpdateUserInput = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1, "Enter a name").max(120).optional(),
  role: z.enum(USER_ROLES).optional(),
});
export type TUpdateUserInput = z.infer<typeof ZUpdateUserInput>;

export const ZSetUserDisabledInput = z.object({ id: z.uuid(), disabled: z.boolean() });
export const ZResetPasswordInput = z.object({ id: z.uuid(), password: ZPassword.optional() });

/** The columns of a user that may leave the server. */
const PUBLIC_COLUMNS = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabled: users.disabled,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};
export type TPublicUser = Awaited<ReturnType<typeof listUsers>>[number];

export async function listUsers(db: TDbOrTx) {
  return db
    .select({ ...PUBLIC_COLUMNS, twoFactorEnabled: sql<boolean>`${userTwoFactor.enabledAt} is not null` })
    .from(users)
    .leftJoin(userTwoFactor, eq(userTwoFactor.userId, users.id))
    .orderBy(asc(users.name), asc(users.email));
}

/**
 * Locks the user's row for a change. Every admin row is locked first, always in id order: two
 * concurrent demotions then cannot both pass the last-admin check, nor deadlock each other.
 */
async function getUserForUpdate(tx: TDbOrTx, id: string) {
  await tx.select({ id: users.id }).from(users).where(eq(users.role, "admin")).orderBy(asc(users.id)).for("update");
  const [user] = await tx.select(PUBLIC_COLUMNS).from(users).where(eq(users.id, id)).for("update");
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  return user;
}

/** Refuses a change that would leave no enabled admin (nobody could manage users then). */
async function assertAnotherActiveAdmin(
  tx: TDbOrTx,
  exceptId: string,
  refusal:
    | "Cannot change this user's role: it is the only enabled admin."
    | "Cannot disable this user: it is the only enabled admin.",
) {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, exceptId)));
  if ((row?.n ?? 0) === 0) throw new AppError("CONFLICT", refusal);
}

export async function createUser(db: TDb, actor: TActor, rawInput: TCreateUserInput) {
  const input = ZCreateUserInput.parse(rawInput);
  const generated = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generated!);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email: input.email, name: input.name, role: input.role, passwordHash })
        .returning(PUBLIC_COLUMNS);
      if (!user) throw new Error("insert returned no row");
      await recordAudit(tx, actor, { action: "create", entity: "user", entityId: user.id, after: user });
      return { user, generatedPassword: generated };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", "A user with this email already exists.", {
        email: "A user with this email already exists.",
      });
    }
    throw error;
  }
}

export async function updateUser(db: TDb, actor: TActor, rawInput: TUpdateUserInput) {
  const input = ZUpdateUserInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const before = await getUserForUpdate(tx, input.id);
    if (before.role === "admin" && input.role && input.role !== "admin") {
      await assertAnotherActiveAdmin(tx, before.id, "Cannot change this user's role: it is the only enabled admin.");
    }
    const [after] = await tx
      .update(users)
      .set({ name: input.name ?? before.name, role: input.role ?? before.role, updatedAt: new Date() })
      .where(eq(users.id, input.id))
      .returning(PUBLIC_COLUMNS);
    await recordAudit(tx, actor, { action: "update", entity: "user", entityId: input.id, before, after });
    return after!;
  });
}

export async function setUserDisabled(db: TDb, actor: TActor, rawInput: z.infer<typeof ZSetUserDisabledInput>) {
  const input = ZSetUserDisabledInput.parse(rawInput);
  if (actor && actor.id === input.id && input.disabled) {
    throw new AppError("BAD_REQUEST", "You cannot disable your own account.");
  }
  return db.transaction(async (tx) => {
    const before = await getUserForUpdate(tx, input.id);
    if (input.disabled && before.role === "admin") {
      await assertAnotherActiveAdmin(tx, before.id, "Cannot disable this user: it is the only enabled admin.");
    }
    const [after] = await tx
      .update(users)
      .set({ disabled: input.disabled, updatedAt: new Date() })
      .where(eq(users.id, input.id))
      .returning(PUBLIC_COLUMNS);
    // Ended, not just paused: enabling the user again does not bring old sessions back.
    if (input.disabled) await revokeUserSessions(tx, input.id, "disabled");
    await recordAudit(tx, actor, {
      action: input.disabled ? "disable" : "enable",
      entity: "user",
      entityId: input.id,
      before,
      after,
    });
    return after!;
  });
}

/** Sets a new password (given or generated); the generated one is returned once. */
export async function resetUserPassword(db: TDb, actor: TActor, rawInput: z.infer<typeof ZResetPasswordInput>) {
  const input = ZResetPasswordInput.parse(rawInput);
  const generated = input.password ? null : generatePassword();
  const passwordHash = await hashPassword(input.password ?? generated!);
  return db.transaction(async (tx) => {
    const before = await getUserForUpdate(tx, input.id);
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, input.id));
    // Every session started with the old password ends.
    await revokeUserSessions(tx, input.id, "password_reset");
    await recordAudit(tx, actor, {
      action: "reset_password",
      entity: "user",
      entityId: input.id,
      before: { email: before.email },
    });
    return { generatedPassword: generated };
  });
}

export const ZUserIdInput = z.object({ id: z.uuid("Choose a user") });

/** Ends every session of a user at once (a lost laptop); they can sign in again. */
export async function signOutUserEverywhere(db: TDb, actor: TActor, rawInput: z.input<typeof ZUserIdInput>) {
  const { id } = ZUserIdInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const before = await getUserForUpdate(tx, id);
    const ended = await revokeUserSessions(tx, id, "admin");
    await recordAudit(tx, actor, {
      action: "sign_out_everywhere",
      entity: "user",
      entityId: id,
      before: { email: before.email },
      after: { ended },
    });
    return { ended };
  });
}

/** Turns a user's two-factor sign-in off (a lost phone and lost recovery codes); they can set it up again. */
export async function resetUserTwoFactor(db: TDb, actor: TActor, rawInput: z.input<typeof ZUserIdInput>) {
  const { id } = ZUserIdInput.parse(rawInput);
  await resetTwoFactor(db, actor, id);
  return { ok: true as const };
}

export const DEFAULT_ADMIN_EMAIL = "admin@switchboard.local";

/**
 * First start: when there is no user at all, creates an admin from the given email and
 * password, or generates the password (returned once, for the launcher to print).
 * Does nothing once any user exists.
 */
export async function ensureBootstrapAdmin(
  db: TDb,
  options: { email?: string; password?: string; name: string },
): Promise<{ created: false } | { created: true; email: string; generatedPassword: string | null }> {
  return db.transaction(async (tx) => {
    // Serialises concurrent first starts (several web/worker processes booting together).
    await tx.execute(sql`select pg_advisory_xact_lock(7345019222)`);
    const [row] = await tx.select({ n: count() }).from(users);
    if ((row?.n ?? 0) > 0) return { created: false as const };
    const email = options.email ?? DEFAULT_ADMIN_EMAIL;
    const generated = options.password ? null : generatePassword();
    const [user] = await tx
      .insert(users)
      .values({
        email,
        name: options.name,
        role: "admin",
        passwordHash: await hashPassword(options.password ?? generated!),
      })
      .returning(PUBLIC_COLUMNS);
    await recordAudit(tx, null, { action: "bootstrap", entity: "user", entityId: user!.id, after: user });
    return { created: true as const, email, generatedPassword: generated };
  });
}

/** People who can answer conversations (the inbox's "assign to"): enabled admins, builders and agents. */
export async function listAssignableUsers(db: TDbOrTx) {
  const all = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, availability: users.availability })
    .from(users)
    .where(eq(users.disabled, false))
    .orderBy(asc(users.name));
  return all.filter((user) => canAccess(user.role, "inbox", "write"));
}
