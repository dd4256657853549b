import { eq } from "drizzle-orm";
import { z } from "zod";
import type { TDb } from "~/db/client";
import { users } from "~/db/schema";
import { recordAudit } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";
import { isLocale, LOCALES, type TLocale } from "~/server/i18n/locales";

/** A user's interface language: one of ours, or null for the browser's (Accept-Language). */
export const ZSetLocaleInput = z.enum(LOCALES).nullable();
export type TSetLocaleInput = z.infer<typeof ZSetLocaleInput>;

/**
 * Saves the signed-in user's own interface language (null: follow the browser), audited with
 * before and after. Their next request renders in it (`loadUserSession` reads `users.locale`).
 */
export async function setUserLocale(
  db: TDb,
  user: TSessionUser,
  rawInput: TSetLocaleInput,
): Promise<{ locale: TLocale | null }> {
  const locale = ZSetLocaleInput.parse(rawInput);
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ locale: users.locale }).from(users).where(eq(users.id, user.id)).for("update");
    if (!before) throw new AppError("NOT_FOUND", "Your account no longer exists.");
    const previous = isLocale(before.locale) ? before.locale : null;
    if (previous === locale) return { locale };
    await tx.update(users).set({ locale }).where(eq(users.id, user.id));
    await recordAudit(tx, user, {
      action: "set_locale",
      entity: "user",
      entityId: user.id,
      before: { locale: previous },
      after: { locale },
    });
    return { locale };
  });
}
