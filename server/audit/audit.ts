import { and, desc, eq, getTableColumns, gte, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { zCursor, ZStorableDate, ZStorableInstant } from "~/server/lib/cursor";
import type { TDbOrTx } from "~/db/client";
import { auditLog } from "~/db/schema";
import { isScopedToOwn, type TSessionUser } from "~/server/auth/roles";

/**
 * Who made a change: a signed-in user; an API key (its creator's id, if they still exist, and
 * `api key "name"`); or `null` for the system (first start, the worker).
 */
export type TActor = Pick<TSessionUser, "id" | "email"> | { id: string | null; email: string } | null;

export type TAuditEntry = {
  /** Verb of the change: `create`, `update`, `disable`, `reset_password`, `publish`… */
  action: string;
  /** Kind of thing changed: `user`, `settings`, `rule`… */
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
};

const SECRET_KEYS = new Set(["passwordHash", "password", "secret", "apiKey", "token", "archive"]);

/** Replaces secrets with a marker so the audit log never stores them, at any depth. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date || value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.has(key) ? "[redacted]" : redactSecrets(inner)]),
  );
}

/**
 * The one way a configuration change is recorded. Call it inside the transaction that makes
 * the change, so the change and its record commit or roll back together.
 */
export async function recordAudit(tx: TDbOrTx, actor: TActor, entry: TAuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    userId: actor?.id ?? null,
    userEmail: actor?.email ?? null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    before: entry.before === undefined ? null : redactSecrets(JSON.parse(JSON.stringify(entry.before))),
    after: entry.after === undefined ? null : redactSecrets(JSON.parse(JSON.stringify(entry.after))),
  });
}

export const ZListAuditInput = z.object({
  entity: z.string().trim().max(64).optional(),
  action: z.string().trim().max(64).optional(),
  userId: z.uuid().optional(),
  /** Matches the entity id, the user's email, or any text in the before/after snapshots. */
  search: z.string().trim().max(200).optional(),
  from: ZStorableDate.optional(),
  to: ZStorableDate.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Where the previous page ended; `at` keeps Postgres's microseconds, which a Date would lose. */
  cursor: zCursor(z.object({ at: ZStorableInstant, id: z.uuid() })).optional(),
});
export type TListAuditInput = z.input<typeof ZListAuditInput>;

/**
 * Newest first, keyset-paginated on (at, id). An agent sees only the changes they made
 * (the `own` share of the role table).
 */
export async function listAudit(db: TDbOrTx, viewer: TSessionUser, rawInput: TListAuditInput = {}) {
  const input = ZListAuditInput.parse(rawInput);
  const where: SQL[] = [];
  if (isScopedToOwn(viewer.role, "insights")) where.push(eq(auditLog.userId, viewer.id));
  if (input.entity) where.push(eq(auditLog.entity, input.entity));
  if (input.action) where.push(eq(auditLog.action, input.action));
  if (input.userId) where.push(eq(auditLog.userId, input.userId));
  if (input.from) where.push(gte(auditLog.at, input.from));
  if (input.to) where.push(lte(auditLog.at, input.to));
  if (input.search) {
    const pattern = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const match = or(
      ilike(auditLog.entityId, pattern),
      ilike(auditLog.userEmail, pattern),
      ilike(sql`${auditLog.after}::text`, pattern),
      ilike(sql`${auditLog.before}::text`, pattern),
    );
    if (match) where.push(match);
  }
  if (input.cursor) {
    where.push(sql`(${auditLog.at}, ${auditLog.id}) < (${input.cursor.at}::timestamptz, ${input.cursor.id}::uuid)`);
  }
  const rows = await db
    .select({
      ...getTableColumns(auditLog),
      cursorAt: sql<string>`to_char(${auditLog.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ cursorAt: _cursorAt, ...item }) => item),
    nextCursor: rows.length > input.limit && last ? { at: last.cursorAt, id: last.id } : null,
  };
}
