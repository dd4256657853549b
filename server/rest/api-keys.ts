import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { API_SCOPES, apiKeys, apiKeyUsage, type TApiScope } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { AppError } from "~/server/errors";

/**
 * REST API keys: `sb_<prefix>_<secret>`. Only a SHA-256 of the whole key is stored; the prefix
 * (shown in the list) finds the row, and the hash is compared in constant time. A key is shown
 * once, when it is created.
 */
const KEY_PATTERN = /^sb_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export const ZApiKeyInput = z.object({
  name: z.string().trim().min(1, "Name the key (what uses it)").max(80),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1, "Choose at least one scope")
    .transform((list) => [...new Set(list)]),
});

export async function createApiKey(db: TDb, actor: TSessionUser, raw: z.input<typeof ZApiKeyInput>) {
  const input = ZApiKeyInput.parse(raw);
  const prefix = randomBytes(8).toString("hex").slice(0, 10);
  const key = `sb_${prefix}_${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(apiKeys)
      .values({ name: input.name, prefix, hash: hashKey(key), scopes: input.scopes, createdByUserId: actor.id })
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, scopes: apiKeys.scopes });
    await recordAudit(tx, actor, { action: "create", entity: "api_key", entityId: created!.id, after: created });
    return { ...created!, key };
  });
}

export function listApiKeys(db: TDbOrTx) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdAt: apiKeys.createdAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKey(db: TDb, actor: TSessionUser, id: string) {
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id, name: apiKeys.name });
    if (!revoked) throw new AppError("NOT_FOUND", "This key does not exist or is revoked already.");
    await recordAudit(tx, actor, { action: "revoke", entity: "api_key", entityId: id, after: revoked });
  });
}

export type TApiCaller = { keyId: string; name: string; scopes: TApiScope[]; actor: TActor };

export class ApiAuthError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** The key behind an `Authorization: Bearer …` header, or an ApiAuthError saying what is wrong. */
export async function authenticateApiKey(db: TDbOrTx, authorization: string | null): Promise<TApiCaller> {
  const key = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!key) throw new ApiAuthError(401, "Send an API key: Authorization: Bearer sb_…");
  const match = KEY_PATTERN.exec(key);
  if (!match) throw new ApiAuthError(401, "That is not a Switchboard API key.");
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.prefix, match[1]!));
  const expected = row ? Buffer.from(row.hash, "hex") : Buffer.alloc(32);
  const given = Buffer.from(hashKey(key), "hex");
  if (!row || !timingSafeEqual(expected, given)) throw new ApiAuthError(401, "Unknown API key.");
  if (row.revokedAt) throw new ApiAuthError(401, "This API key was revoked.");
  return {
    keyId: row.id,
    name: row.name,
    scopes: row.scopes,
    actor: { id: row.createdByUserId, email: `api key "${row.name}"` },
  };
}

/**
 * Counts a request against the key's limit for the current minute (one row per key and minute,
 * shared by every web process); returns the seconds to wait when over it. Also notes when the
 * key was last used (at most once a minute).
 */
export async function takeRateLimit(db: TDbOrTx, keyId: string, perMinute: number): Promise<number | null> {
  const { rows } = await db.execute<{ count: number; reset_s: number }>(sql`
    with counted as (
      insert into ${apiKeyUsage} (key_id, window_start, count)
      values (${keyId}, date_trunc('minute', now()), 1)
      on conflict (key_id, window_start) do update set count = ${apiKeyUsage}.count + 1
      returning count, window_start
    ), used as (
      update ${apiKeys} set last_used_at = now()
      where id = ${keyId} and (last_used_at is null or last_used_at < now() - interval '1 minute')
    )
    select count, ceil(extract(epoch from (window_start + interval '1 minute' - now())))::int as reset_s from counted`);
  const row = rows[0]!;
  return row.count > perMinute ? Math.max(1, row.reset_s) : null;
}
