import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, isNull } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import { z } from "zod";
import type { TDb, TDbOrTx, TTx } from "~/db/client";
import { userRecoveryCodes, users, userTwoFactor } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { decryptSecret, encryptSecret } from "~/server/lib/secrets";
import { getOrgSettings } from "~/server/settings/settings";
import { verifyPassword } from "./password";
import type { TSessionUser } from "./roles";
import { checkLoginThrottle, describeThrottle, lockLoginThrottle, recordLoginAttempt } from "./throttle";

/**
 * Two-factor sign-in with TOTP (RFC 6238: 6 digits, 30 s, SHA-1, what every authenticator app
 * speaks), plus ten one-time recovery codes. Optional for everyone; Settings can require it of
 * admins. The secret is encrypted at rest; recovery codes are stored as hashes only.
 */
export const TOTP_ISSUER = "Switchboard";
export const RECOVERY_CODE_COUNT = 10;
/** Codes of the step before and after the current one are accepted too (clock drift, slow typing). */
const TOTP_TOLERANCE_S = 30;
/** Crockford's base32 in lower case: no i, l, o or u to misread. 12 characters = 60 bits. */
const RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_CODE_LENGTH = 12;

const ZCode = z
  .string({ error: "Enter the code" })
  .trim()
  .min(1, "Enter the code")
  .max(64, "That is not a code from your app or a recovery code");
export const ZConfirmTwoFactorInput = z.object({ code: ZCode });
export const ZDisableTwoFactorInput = z
  .object({ code: ZCode.optional(), password: z.string().max(200).optional() })
  .refine((input) => Boolean(input.code || input.password), {
    message: "Enter a code from your app or your password",
    path: ["code"],
  });
export type TDisableTwoFactorInput = z.infer<typeof ZDisableTwoFactorInput>;

/** A code as typed: a 6-digit TOTP code (spaces ignored), or anything else, read as a recovery code. */
function isTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s+/g, ""));
}

/** A recovery code as stored: letters and digits only, lower case, look-alikes read as Crockford does. */
export function normalizeRecoveryCode(code: string): string {
  return code
    .toLowerCase()
    .replace(/[^0-9a-z]/g, "")
    .replace(/[il]/g, "1")
    .replace(/o/g, "0");
}

/** The hash a recovery code is stored as: SHA-256 over the user id and the normalized code (60 random bits). */
export function hashRecoveryCode(userId: string, code: string): string {
  return createHash("sha256")
    .update(`${userId}:${normalizeRecoveryCode(code)}`)
    .digest("hex");
}

/** Ten fresh recovery codes, written `xxxx-xxxx-xxxx`. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(RECOVERY_CODE_LENGTH);
    const chars = Array.from(bytes, (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]).join("");
    return chars.match(/.{4}/g)!.join("-");
  });
}

export type TTotpCheck = { ok: true; step: number } | { ok: false; reason: "wrong" | "replayed" };

/**
 * Checks a TOTP code against a base32 secret. A code whose time step is not after
 * `lastUsedStep` was already used (or is older than one that was): refused as a replay, so a
 * code seen over someone's shoulder cannot be used again within its 30-second window.
 */
export async function checkTotp(
  secret: string,
  code: string,
  lastUsedStep: number | null,
  now = Date.now(),
): Promise<TTotpCheck> {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: "wrong" };
  const result = await verify({ secret, token, epoch: Math.floor(now / 1000), epochTolerance: TOTP_TOLERANCE_S });
  if (!result.valid || !("timeStep" in result)) return { ok: false, reason: "wrong" };
  if (lastUsedStep !== null && result.timeStep <= lastUsedStep) return { ok: false, reason: "replayed" };
  return { ok: true, step: result.timeStep };
}

function decryptTotpSecret(blob: Buffer, appSecret: string): string {
  return decryptSecret(blob, appSecret, "totp-secret").toString("utf8");
}

export type TSecondFactorResult =
  { ok: true; method: "totp" | "recovery-code"; recoveryCodesLeft?: number } | { ok: false; message: string };

/**
 * The second step of a sign-in (or of turning two-factor off): a TOTP code, or an unused recovery
 * code, which is then used up. Call it inside the transaction of the attempt, which it locks the
 * user's two-factor row in, so two requests cannot both use one code.
 */
export async function verifySecondFactor(
  tx: TDbOrTx,
  user: Pick<TSessionUser, "id" | "email">,
  code: string,
  appSecret: string,
  now = Date.now(),
): Promise<TSecondFactorResult> {
  const [row] = await tx.select().from(userTwoFactor).where(eq(userTwoFactor.userId, user.id)).for("update");
  if (!row?.enabledAt) return { ok: false, message: "Two-factor sign-in is not turned on for this account." };
  if (isTotpCode(code)) {
    const check = await checkTotp(decryptTotpSecret(row.secret, appSecret), code, row.lastUsedStep, now);
    if (!check.ok) {
      return {
        ok: false,
        message:
          check.reason === "replayed"
            ? "This code was already used. Wait for the next one in your app."
            : "Wrong code. Check your authenticator app's clock, or use a recovery code.",
      };
    }
    await tx
      .update(userTwoFactor)
      .set({ lastUsedStep: check.step, updatedAt: new Date(now) })
      .where(eq(userTwoFactor.userId, user.id));
    return { ok: true, method: "totp" };
  }
  const [used] = await tx
    .update(userRecoveryCodes)
    .set({ usedAt: new Date(now) })
    .where(
      and(
        eq(userRecoveryCodes.userId, user.id),
        eq(userRecoveryCodes.codeHash, hashRecoveryCode(user.id, code)),
        isNull(userRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: userRecoveryCodes.id });
  if (!used) return { ok: false, message: "Wrong code. A recovery code works only once." };
  const recoveryCodesLeft = await countRecoveryCodesLeft(tx, user.id);
  await recordAudit(tx, user, {
    action: "use_recovery_code",
    entity: "user",
    entityId: user.id,
    after: { recoveryCodesLeft },
  });
  return { ok: true, method: "recovery-code", recoveryCodesLeft };
}

async function countRecoveryCodesLeft(tx: TDbOrTx, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(userRecoveryCodes)
    .where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/** Whether the user has two-factor sign-in on (a confirmed enrolment). */
export async function hasTwoFactor(db: TDbOrTx, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ enabledAt: userTwoFactor.enabledAt })
    .from(userTwoFactor)
    .where(eq(userTwoFactor.userId, userId));
  return Boolean(row?.enabledAt);
}

export type TTwoFactorStatus = {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
};

/** What the account page shows: on or off, recovery codes left, and whether Settings requires it of this user. */
export async function getTwoFactorStatus(db: TDbOrTx, user: TSessionUser): Promise<TTwoFactorStatus> {
  const [row] = await db
    .select({ enabledAt: userTwoFactor.enabledAt })
    .from(userTwoFactor)
    .where(eq(userTwoFactor.userId, user.id));
  const enabledAt = row?.enabledAt ?? null;
  return {
    enabled: Boolean(enabledAt),
    enabledAt,
    recoveryCodesLeft: enabledAt ? await countRecoveryCodesLeft(db, user.id) : 0,
    required: await isTwoFactorRequired(db, user),
  };
}

/** Whether Settings requires two-factor sign-in of this user (admins, when the switch is on). */
export async function isTwoFactorRequired(db: TDbOrTx, user: Pick<TSessionUser, "role">): Promise<boolean> {
  return user.role === "admin" && (await getOrgSettings(db)).requireTwoFactorForAdmins;
}

/**
 * Starts (or restarts) an enrolment: a new secret, kept encrypted and pending until a first code
 * confirms it. Returns the secret once, as text and as the `otpauth://` URI for a QR code.
 */
export async function startTwoFactorEnrolment(
  db: TDb,
  user: TSessionUser,
  appSecret: string,
): Promise<{ secret: string; uri: string }> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select().from(userTwoFactor).where(eq(userTwoFactor.userId, user.id)).for("update");
    if (existing?.enabledAt) {
      throw new AppError("CONFLICT", "Two-factor sign-in is already on. Turn it off first to set up another app.");
    }
    const secret = generateSecret();
    const encrypted = encryptSecret(secret, appSecret, "totp-secret");
    await tx
      .insert(userTwoFactor)
      .values({ userId: user.id, secret: encrypted })
      .onConflictDoUpdate({
        target: userTwoFactor.userId,
        set: { secret: encrypted, lastUsedStep: null, updatedAt: new Date() },
      });
    return { secret, uri: generateURI({ issuer: TOTP_ISSUER, label: user.email, secret }) };
  });
}

/**
 * Confirms an enrolment with a first code from the app, turns two-factor sign-in on, and returns
 * ten recovery codes: shown once, stored hashed.
 */
export async function confirmTwoFactorEnrolment(
  db: TDb,
  user: TSessionUser,
  appSecret: string,
  rawInput: z.input<typeof ZConfirmTwoFactorInput>,
  now = Date.now(),
): Promise<{ recoveryCodes: string[] }> {
  const { code } = ZConfirmTwoFactorInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(userTwoFactor).where(eq(userTwoFactor.userId, user.id)).for("update");
    if (!row) throw new AppError("BAD_REQUEST", "Start the set-up first: no authenticator is waiting for a code.");
    if (row.enabledAt) throw new AppError("CONFLICT", "Two-factor sign-in is already on.");
    const check = await checkTotp(decryptTotpSecret(row.secret, appSecret), code, null, now);
    if (!check.ok) {
      const message = "Wrong code. Enter the 6 digits your app shows now for Switchboard.";
      throw new AppError("BAD_REQUEST", message, { code: message });
    }
    await tx
      .update(userTwoFactor)
      .set({ enabledAt: new Date(now), lastUsedStep: check.step, updatedAt: new Date(now) })
      .where(eq(userTwoFactor.userId, user.id));
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id);
    await recordAudit(tx, user, { action: "enable_two_factor", entity: "user", entityId: user.id });
    return { recoveryCodes };
  });
}

async function replaceRecoveryCodes(tx: TDbOrTx, userId: string): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
  await tx
    .insert(userRecoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(userId, code) })));
  return codes;
}

/** Proof that it is the user, asked before a change to their second factor. */
export type TStepUpProof = { code?: string; password?: string; ip: string | null };

/**
 * Runs `change` only once the user proved it is them: a current code (or a recovery code) or
 * their password. A wrong proof counts towards login throttling like a failed sign-in (a stolen
 * session must not become a way to guess the password or codes without limit) and is refused
 * with UNAUTHORIZED; while throttled, TOO_MANY_REQUESTS.
 */
async function withStepUp<T>(
  db: TDb,
  user: TSessionUser,
  appSecret: string,
  proof: TStepUpProof,
  change: (tx: TTx) => Promise<T>,
): Promise<T> {
  type TOutcome = { kind: "ok"; value: T } | { kind: "refused"; error: AppError };
  const outcome = await db.transaction(async (tx): Promise<TOutcome> => {
    await lockLoginThrottle(tx, user.email, proof.ip);
    const verdict = await checkLoginThrottle(tx, user.email, proof.ip);
    if (!verdict.allowed)
      return { kind: "refused", error: new AppError("TOO_MANY_REQUESTS", describeThrottle(verdict)) };
    let failure: { field: "code" | "password"; message: string } | null = null;
    if (proof.code) {
      const result = await verifySecondFactor(tx, user, proof.code, appSecret);
      if (!result.ok) failure = { field: "code", message: result.message };
    } else {
      const [row] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id));
      if (!row || !(await verifyPassword(row.passwordHash, proof.password ?? ""))) {
        failure = { field: "password", message: "Wrong password." };
      }
    }
    if (failure) {
      // Committed with the transaction: the refusal is thrown after it.
      await recordLoginAttempt(tx, { email: user.email, ip: proof.ip, succeeded: false, userId: user.id });
      return {
        kind: "refused",
        error: new AppError("UNAUTHORIZED", failure.message, { [failure.field]: failure.message }),
      };
    }
    return { kind: "ok", value: await change(tx) };
  });
  if (outcome.kind === "refused") throw outcome.error;
  return outcome.value;
}

/** Turns two-factor sign-in off (a current code or the password), unless Settings requires it of this user. */
export async function disableTwoFactor(
  db: TDb,
  user: TSessionUser,
  appSecret: string,
  rawInput: TDisableTwoFactorInput,
  ip: string | null = null,
): Promise<{ enabled: false }> {
  const input = ZDisableTwoFactorInput.parse(rawInput);
  if (!(await hasTwoFactor(db, user.id))) throw new AppError("BAD_REQUEST", "Two-factor sign-in is not on.");
  if (await isTwoFactorRequired(db, user)) {
    throw new AppError(
      "FORBIDDEN",
      "Settings require two-factor sign-in for admins; it cannot be turned off while that is on.",
    );
  }
  return withStepUp(db, user, appSecret, { ...input, ip }, async (tx) => {
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, user.id));
    await tx.delete(userTwoFactor).where(eq(userTwoFactor.userId, user.id));
    await recordAudit(tx, user, { action: "disable_two_factor", entity: "user", entityId: user.id });
    return { enabled: false as const };
  });
}

/** Ten new recovery codes (a current code or the password); the old ones stop working. */
export async function regenerateRecoveryCodes(
  db: TDb,
  user: TSessionUser,
  appSecret: string,
  rawInput: TDisableTwoFactorInput,
  ip: string | null = null,
): Promise<{ recoveryCodes: string[] }> {
  const input = ZDisableTwoFactorInput.parse(rawInput);
  if (!(await hasTwoFactor(db, user.id))) throw new AppError("BAD_REQUEST", "Two-factor sign-in is not on.");
  return withStepUp(db, user, appSecret, { ...input, ip }, async (tx) => {
    const recoveryCodes = await replaceRecoveryCodes(tx, user.id);
    await recordAudit(tx, user, { action: "regenerate_recovery_codes", entity: "user", entityId: user.id });
    return { recoveryCodes };
  });
}

/** An admin turns another user's two-factor sign-in off (a lost phone and lost codes). */
export async function resetTwoFactor(db: TDb, actor: TActor, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const deleted = await tx.delete(userTwoFactor).where(eq(userTwoFactor.userId, userId)).returning();
    if (deleted.length === 0) throw new AppError("BAD_REQUEST", "This user has no two-factor sign-in to reset.");
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
    await recordAudit(tx, actor, { action: "reset_two_factor", entity: "user", entityId: userId });
  });
}
