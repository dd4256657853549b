import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { orgSecrets, users } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { decryptSecret, encryptSecret } from "~/server/lib/secrets";
import { createLogger, type Logger } from "~/server/logger";

/** A secret's name, as flows' HTTP steps write it: `{{secrets.NAME}}`. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
export const MAX_SECRET_VALUE = 8_192;
const PURPOSE = "org-secrets";

export const ZSecretName = z
  .string()
  .trim()
  .regex(SECRET_NAME, "Capital letters, digits and _, starting with a letter (at most 64)");
export const ZSetSecretInput = z.object({
  name: ZSecretName,
  value: z.string().min(1, "Enter the value").max(MAX_SECRET_VALUE, "At most 8,192 characters"),
});
export type TSetSecretInput = z.input<typeof ZSetSecretInput>;

/** A secret as anyone may see it: never its value. */
export type TSecretSummary = {
  name: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: { id: string; name: string; email: string } | null;
};

/** The secrets by name: who added each and when it last changed, never the value. */
export async function listSecrets(db: TDbOrTx): Promise<TSecretSummary[]> {
  const rows = await db
    .select({
      name: orgSecrets.name,
      createdAt: orgSecrets.createdAt,
      updatedAt: orgSecrets.updatedAt,
      userId: users.id,
      userName: users.name,
      userEmail: users.email,
    })
    .from(orgSecrets)
    .leftJoin(users, eq(users.id, orgSecrets.createdBy))
    .orderBy(asc(orgSecrets.name));
  return rows.map((row) => ({
    name: row.name,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    createdBy: row.userId ? { id: row.userId, name: row.userName ?? "", email: row.userEmail ?? "" } : null,
  }));
}

/** Creates the secret, or replaces its value; encrypted under APP_SECRET. The audit names it, never its value. */
export async function setSecret(
  db: TDb,
  actor: TActor,
  appSecret: string,
  raw: TSetSecretInput,
): Promise<TSecretSummary> {
  const input = ZSetSecretInput.parse(raw);
  const value = encryptSecret(input.value, appSecret, PURPOSE);
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: orgSecrets.id })
      .from(orgSecrets)
      .where(eq(orgSecrets.name, input.name))
      .for("update");
    const [row] = await tx
      .insert(orgSecrets)
      .values({ name: input.name, value, createdBy: actor?.id ?? null })
      .onConflictDoUpdate({ target: orgSecrets.name, set: { value, updatedAt: new Date() } })
      .returning({ id: orgSecrets.id });
    await recordAudit(tx, actor, {
      action: existing ? "update" : "create",
      entity: "org_secret",
      entityId: row!.id,
      after: { name: input.name },
    });
  });
  const found = (await listSecrets(db)).find((secret) => secret.name === input.name);
  return found!;
}

export async function deleteSecret(db: TDb, actor: TActor, name: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(orgSecrets)
      .where(eq(orgSecrets.name, name))
      .returning({ id: orgSecrets.id, name: orgSecrets.name });
    if (!row) throw new AppError("NOT_FOUND", "This secret no longer exists.");
    await recordAudit(tx, actor, { action: "delete", entity: "org_secret", entityId: row.id, before: { name } });
  });
}

let defaultLog: Logger | null = null;

/**
 * The values of these secrets, decrypted, for a flow's HTTP step: a name that does not exist is
 * absent, and so is one whose value no longer decrypts (APP_SECRET changed), logged at warn
 * by name only, never with its value.
 */
export async function loadSecrets(
  db: TDbOrTx,
  names: readonly string[],
  appSecret: string,
  log?: Pick<Logger, "warn">,
): Promise<Map<string, string>> {
  const wanted = [...new Set(names)].filter((name) => SECRET_NAME.test(name));
  const found = new Map<string, string>();
  if (wanted.length === 0) return found;
  const rows = await db
    .select({ name: orgSecrets.name, value: orgSecrets.value })
    .from(orgSecrets)
    .where(inArray(orgSecrets.name, wanted));
  for (const row of rows) {
    try {
      found.set(row.name, decryptSecret(row.value, appSecret, PURPOSE).toString("utf8"));
    } catch (error) {
      const logger = log ?? (defaultLog ??= createLogger("secrets", "warn"));
      logger.warn({ secret: row.name, reason: (error as Error).message }, "a secret does not decrypt");
    }
  }
  return found;
}
