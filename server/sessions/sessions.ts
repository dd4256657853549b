import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { TDb, TDbOrTx } from "~/db/client";
import { waSessions } from "~/db/schema";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { readSessionSettings, type TSessionSettings, ZSessionSettings } from "./settings";

export const SIMULATOR_SESSION_NAME = "Simulator";

/** The simulator session exists from the first start: demos and tests need no phone. */
export async function ensureSimulatorSession(db: TDb): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7345019223)`);
    const [existing] = await tx
      .select({ id: waSessions.id })
      .from(waSessions)
      .where(eq(waSessions.kind, "simulator"))
      .limit(1);
    if (existing) return existing.id;
    const [created] = await tx
      .insert(waSessions)
      .values({ name: SIMULATOR_SESSION_NAME, kind: "simulator", status: "ready", phone: "+10000000000" })
      .returning({ id: waSessions.id });
    return created!.id;
  });
}

export async function getSimulatorSessionId(db: TDbOrTx): Promise<string> {
  const [row] = await db
    .select({ id: waSessions.id })
    .from(waSessions)
    .where(eq(waSessions.kind, "simulator"))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", "There is no simulator session yet; start the worker once.");
  return row.id;
}

export async function getSessionSettings(db: TDbOrTx, sessionId: string): Promise<TSessionSettings> {
  const [row] = await db.select({ settings: waSessions.settings }).from(waSessions).where(eq(waSessions.id, sessionId));
  if (!row) throw new AppError("NOT_FOUND", "No such session.");
  return readSessionSettings(row.settings);
}

/** Replaces the parts of a session's settings given in `patch`; validated and audited. */
export async function updateSessionSettings(
  db: TDb,
  actor: TActor,
  sessionId: string,
  patch: Partial<Record<keyof TSessionSettings, unknown>>,
): Promise<TSessionSettings> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ settings: waSessions.settings })
      .from(waSessions)
      .where(eq(waSessions.id, sessionId))
      .for("update");
    if (!row) throw new AppError("NOT_FOUND", "No such session.");
    const before = readSessionSettings(row.settings);
    const after = ZSessionSettings.parse({ ...before, ...patch });
    await tx.update(waSessions).set({ settings: after, updatedAt: new Date() }).where(eq(waSessions.id, sessionId));
    await recordAudit(tx, actor, { action: "update", entity: "session", entityId: sessionId, before, after });
    return after;
  });
}

/**
 * Takes (or renews) the lease on a session for `owner` until `ttlS` from now, if nobody else
 * holds a live one. Returns whether `owner` holds it now. One worker runs a session at a time.
 */
export async function acquireSessionLease(
  db: TDbOrTx,
  sessionId: string,
  owner: string,
  ttlS: number,
): Promise<boolean> {
  const rows = await db
    .update(waSessions)
    .set({ leaseOwner: owner, leaseExpiresAt: sql`now() + make_interval(secs => ${ttlS})` })
    .where(
      and(
        eq(waSessions.id, sessionId),
        or(isNull(waSessions.leaseOwner), eq(waSessions.leaseOwner, owner), lt(waSessions.leaseExpiresAt, sql`now()`)),
      ),
    )
    .returning({ id: waSessions.id });
  return rows.length > 0;
}

/** Gives a session up at once (clean shutdown), so another worker need not wait for expiry. */
export async function releaseSessionLease(db: TDbOrTx, sessionId: string, owner: string): Promise<void> {
  await db
    .update(waSessions)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(waSessions.id, sessionId), eq(waSessions.leaseOwner, owner)));
}

export async function listSessionsOfKinds(db: TDbOrTx, kinds: ("simulator" | "wwebjs")[]) {
  return db
    .select({ id: waSessions.id, kind: waSessions.kind, settings: waSessions.settings })
    .from(waSessions)
    .where(inArray(waSessions.kind, kinds));
}
