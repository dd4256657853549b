import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { TDb, TDbOrTx } from "~/db/client";
import { waSessions, type WA_SESSION_STATUSES } from "~/db/schema";
import { recordEvents } from "~/server/events/events";
import { metrics } from "~/server/metrics/metrics";
import { recordAudit, type TActor } from "~/server/audit/audit";
import { AppError } from "~/server/errors";
import { serverText } from "~/server/i18n/domain";
import { engineCan } from "./engine-capabilities";
import { getEngine, listEngines, unpublishedEngine } from "./engines";
import { notifySessionRequest } from "./requests";
import { readSessionSettings, type TSessionSettings, ZSessionSettings } from "./settings";
import { getOrgSettings } from "~/server/settings/settings";
import { localMomentOf } from "~/server/teams/hours";

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

/** The sessions of these engines (those a worker runs). */
export async function listSessionsOfKinds(db: TDbOrTx, kinds: readonly string[]) {
  return db
    .select({
      id: waSessions.id,
      kind: waSessions.kind,
      settings: waSessions.settings,
      restartRequestedAt: waSessions.restartRequestedAt,
      logoutRequestedAt: waSessions.logoutRequestedAt,
      pairingPhone: waSessions.pairingPhone,
      pairingRequestedAt: waSessions.pairingRequestedAt,
    })
    .from(waSessions)
    .where(inArray(waSessions.kind, [...kinds]));
}

export type TSessionStatusReport = {
  /** The new status; absent: the status stays as it is (a report of the connection state alone). */
  status?: (typeof WA_SESSION_STATUSES)[number];
  phone?: string;
  error?: string;
  qr?: string;
  state?: string;
  /** The reconnect a transport scheduled when it went down: attempt number and when it is due. */
  retry?: { attempt: number; at: Date };
  /** This status starts a connection again after one went down: `reconnect_count` goes up by one. */
  reconnect?: true;
  /** The code to type on the phone to link it (kept until the number is linked, or a new code comes). */
  pairingCode?: string;
};

/**
 * What a transport reports about its session: status, linked number, error, the QR to scan
 * (kept only while the status is `qr`), WhatsApp Web's connection state, and the reconnect
 * under way (its attempt is kept while connecting again, and cleared once connected or waiting
 * for a scan). Each change is a `session.status` event, so the Sessions page updates live.
 */
export async function recordSessionStatus(db: TDb, sessionId: string, report: TSessionStatusReport) {
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(waSessions).where(eq(waSessions.id, sessionId)).for("update");
    if (!before) return;
    const status = report.status ?? before.status;
    const qr = status === "qr" ? (report.qr ?? before.qr) : null;
    // A pairing code stands until the number is linked (or logged out); a new one replaces it.
    const pairingCode =
      status === "ready" || status === "logged_out" ? null : (report.pairingCode ?? before.pairingCode);
    const reconnectCount = before.reconnectCount + (report.reconnect ? 1 : 0);
    const reconnectAttempt = report.retry
      ? report.retry.attempt
      : status === "ready" || status === "qr"
        ? null
        : before.reconnectAttempt;
    // While it connects again after a failure, the failure stays on show until the outcome is known.
    const keepsError = status === before.status || (status === "connecting" && reconnectAttempt !== null);
    const lastError = status === "ready" ? null : (report.error ?? (keepsError ? before.lastError : null));
    // A report of the connection state alone leaves the scheduled retry as it is.
    const nextRetryAt = report.retry?.at ?? (report.status === undefined ? before.nextRetryAt : null);
    const changed =
      before.status !== status ||
      before.qr !== qr ||
      before.pairingCode !== pairingCode ||
      before.reconnectCount !== reconnectCount ||
      before.lastError !== lastError ||
      before.reconnectAttempt !== reconnectAttempt ||
      before.nextRetryAt?.getTime() !== nextRetryAt?.getTime() ||
      (report.phone !== undefined && before.phone !== report.phone) ||
      (report.state !== undefined && before.connectionState !== report.state);
    if (!changed) return;
    if (before.status !== status) metrics.sessionStatusChanges.inc({ session: sessionId, status });
    if (report.reconnect) metrics.sessionReconnects.inc({ session: sessionId });
    await tx
      .update(waSessions)
      .set({
        status,
        qr,
        pairingCode,
        reconnectCount,
        lastError,
        reconnectAttempt,
        nextRetryAt,
        ...(report.phone !== undefined ? { phone: report.phone } : {}),
        ...(report.state !== undefined ? { connectionState: report.state } : {}),
        ...(before.status !== status ? { statusChangedAt: new Date() } : {}),
        updatedAt: new Date(),
      })
      .where(eq(waSessions.id, sessionId));
    await recordEvents(tx, [
      {
        type: "session.status",
        sessionId,
        payload: {
          status,
          previous: before.status,
          ...(lastError ? { reason: lastError } : {}),
          ...(report.state ? { state: report.state } : {}),
          ...(report.phone ? { phone: report.phone } : {}),
          ...(report.pairingCode ? { pairing: "code" } : {}),
        },
      },
    ]);
  });
}

/**
 * What a running session costs in memory, as its worker measured it (null: not measurable).
 * Written quietly: no event, the Sessions page reads it when it next loads or redraws.
 */
export async function recordSessionMemory(
  db: TDbOrTx,
  sessionId: string,
  memory: { bytes: number; scope: "own" | "shared" } | null,
) {
  await db
    .update(waSessions)
    .set(
      memory
        ? { memoryBytes: Math.round(memory.bytes), memoryScope: memory.scope, memoryAt: new Date() }
        : { memoryBytes: null, memoryScope: null, memoryAt: null },
    )
    .where(eq(waSessions.id, sessionId));
}

/** The Sessions page: every session with its engine, status, QR (while linking), number, state, owner and pacing. */
export async function listSessions(db: TDbOrTx) {
  const rows = await db
    .select({
      id: waSessions.id,
      name: waSessions.name,
      kind: waSessions.kind,
      status: waSessions.status,
      phone: waSessions.phone,
      lastError: waSessions.lastError,
      qr: waSessions.qr,
      connectionState: waSessions.connectionState,
      statusChangedAt: waSessions.statusChangedAt,
      reconnectAttempt: waSessions.reconnectAttempt,
      nextRetryAt: waSessions.nextRetryAt,
      reconnectCount: waSessions.reconnectCount,
      pairingPhone: waSessions.pairingPhone,
      pairingCode: waSessions.pairingCode,
      memoryBytes: waSessions.memoryBytes,
      memoryScope: waSessions.memoryScope,
      memoryAt: waSessions.memoryAt,
      leaseOwner: waSessions.leaseOwner,
      leaseExpiresAt: waSessions.leaseExpiresAt,
      settings: waSessions.settings,
      createdAt: waSessions.createdAt,
    })
    .from(waSessions)
    .orderBy(waSessions.createdAt);
  const engines = new Map((await listEngines(db)).map((engine) => [engine.kind, engine]));
  const now = Date.now();
  return rows.map(({ settings, leaseExpiresAt, ...row }) => ({
    ...row,
    /** What its engine is and can do (the page asks this, never the kind). */
    engine: engines.get(row.kind) ?? unpublishedEngine(row.kind),
    settings: readSessionSettings(settings),
    /** The worker running it, while its lease is live. */
    worker: row.leaseOwner && leaseExpiresAt && leaseExpiresAt.getTime() > now ? row.leaseOwner : null,
  }));
}

export const ZCreateSessionInput = z.object({
  name: z.string().trim().min(1, "Name the number").max(80),
  /** Its engine's kind; may be left out while only one engine can be added. */
  engine: z.string().trim().max(40).optional(),
});

/** A new WhatsApp number of an engine staff may add: a worker running that engine picks it up and, say, shows its QR. */
export async function createSession(db: TDb, actor: TActor, raw: z.input<typeof ZCreateSessionInput>) {
  const input = ZCreateSessionInput.parse(raw);
  const addable = (await listEngines(db)).filter((engine) => engine.addable);
  const kind = input.engine ?? (addable.length === 1 ? addable[0]!.kind : undefined);
  if (!kind) throw new AppError("BAD_REQUEST", "Choose an engine.", { engine: "Choose an engine." });
  const engine = addable.find((candidate) => candidate.kind === kind);
  if (!engine)
    throw new AppError("BAD_REQUEST", "No worker offers this engine.", { engine: "No worker offers this engine." });
  // A number whose messages arrive by webhook is useless without its settings: server/cloud/setup.ts makes those.
  if (engineCan(engine.capabilities, "webhookInbound"))
    throw new AppError("BAD_REQUEST", serverText("cloudSetup.needsSettings", { engine: engine.label }));
  return db.transaction(async (tx) => {
    // A number linked from a phone (an unofficial engine) is taken to be new: its campaigns warm
    // it up from today (server/campaigns/health.ts); staff say otherwise in its settings.
    const settings = engine.capabilities.pairing.length > 0 ? { outreach: { warmUpFrom: await orgToday(tx) } } : {};
    const [created] = await tx
      .insert(waSessions)
      .values({ name: input.name, kind, status: "new", settings })
      .returning({ id: waSessions.id, name: waSessions.name, kind: waSessions.kind });
    await recordAudit(tx, actor, { action: "create", entity: "session", entityId: created!.id, after: created });
    // A worker that runs its engine takes it at once (its QR shows without waiting for a lease tick).
    await notifySessionRequest(tx, { sessionId: created!.id, request: "control" });
    return created!;
  });
}

/** Asks the worker running the session to restart its client, or to log the number out. */
export async function requestSessionAction(db: TDb, actor: TActor, sessionId: string, action: "restart" | "logout") {
  return db.transaction(async (tx) => {
    const [session] = await tx.select().from(waSessions).where(eq(waSessions.id, sessionId)).for("update");
    if (!session) throw new AppError("NOT_FOUND", "No such session.");
    const engine = await getEngine(tx, session.kind);
    if (!engine?.controls.includes(action))
      throw new AppError(
        "BAD_REQUEST",
        action === "restart"
          ? engine
            ? serverText("sessions.noClientToRestart", { engine: engine.label })
            : "This engine has no client to restart."
          : engine
            ? serverText("sessions.noNumberToLogOut", { engine: engine.label })
            : "This engine has no linked number to log out.",
      );
    await tx
      .update(waSessions)
      .set(action === "restart" ? { restartRequestedAt: new Date() } : { logoutRequestedAt: new Date() })
      .where(eq(waSessions.id, sessionId));
    await recordAudit(tx, actor, { action, entity: "session", entityId: sessionId });
    // The worker reads the row at once, not at its next lease tick.
    await notifySessionRequest(tx, { sessionId, request: "control" });
  });
}

/** Removes a WhatsApp number, its stored login and (by cascade) its contacts and conversations. */
export async function deleteSession(db: TDb, actor: TActor, sessionId: string) {
  await db.transaction(async (tx) => {
    const [session] = await tx.select().from(waSessions).where(eq(waSessions.id, sessionId)).for("update");
    if (!session) throw new AppError("NOT_FOUND", "No such session.");
    // A session of an engine staff cannot add (the simulator's) is built in: deleted, it could not come back.
    const engine = await getEngine(tx, session.kind);
    if (engine && !engine.addable)
      throw new AppError("BAD_REQUEST", serverText("sessions.builtIn", { engine: engine.label.toLowerCase() }));
    await tx.delete(waSessions).where(eq(waSessions.id, sessionId));
    await recordAudit(tx, actor, {
      action: "delete",
      entity: "session",
      entityId: sessionId,
      before: { name: session.name, phone: session.phone },
    });
  });
}

/** Today's date in the org's time zone (YYYY-MM-DD). */
async function orgToday(tx: TDbOrTx) {
  const { timeZone } = await getOrgSettings(tx);
  const { year, month, day } = localMomentOf(new Date(), timeZone);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
