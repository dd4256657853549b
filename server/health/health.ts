import { asc, desc, isNull, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import journal from "~/db/migrations/meta/_journal.json";
import { waSessions, workerHeartbeats } from "~/db/schema";
import type { TSupervisorHealth } from "./supervisor-state";

export type TQueueSize = { name: string; queued: number; active: number; failed: number; deferred: number };

/** A live worker as its heartbeat tells it: how long ago it beat, and its own resident memory when it reports it. */
export type TWorkerHealth = {
  /** Its WORKER_ID (hostname, pid…): left out of the public /api/health, like the supervisor's pids. */
  id?: string;
  version: string;
  heartbeatAgeS: number;
  /** The worker process's resident memory (bytes) at its last beat; null from a worker that does not report it. */
  rssBytes: number | null;
};

/**
 * A session as health reports it: what it costs in memory, as its worker last measured it (its
 * own browser, `own`, or a share of the worker's, `shared`; null when never measured or not
 * measurable), and how often it reconnected. No number: /api/health is public.
 */
export type TSessionHealth = {
  id: string;
  /** Its name, for the System page; left out of the public /api/health. */
  name?: string;
  engine: string;
  status: string;
  reconnectCount: number;
  memory: { bytes: number; scope: "own" | "shared"; measuredAt: string } | null;
};

export type THealth = {
  ok: boolean;
  checkedAt: string;
  db: { ok: boolean; latencyMs?: number; error?: string };
  migrations: { ok: boolean; applied?: number; expected: number; error?: string };
  worker: {
    ok: boolean;
    workers: number;
    lastHeartbeatAgeS: number | null;
    error?: string;
    /** Each live worker (a recent heartbeat, not stopped), newest beat first. */
    live: TWorkerHealth[];
  };
  /** Every WhatsApp number and the simulator, oldest first: memory and reconnects. Informational, like `supervisor`. */
  sessions: TSessionHealth[];
  queues: { ok: boolean; sizes: TQueueSize[]; error?: string };
  /**
   * The `npm start` supervisor's children (state, restarts, last exit), or null when the web is
   * not run by it (a process manager's restarts are its own business). Informational: `ok`
   * follows db, migrations, worker and queues, which say whether work gets done.
   */
  supervisor: TSupervisorHealth | null;
};

/** Reads queue sizes; the web passes one backed by pg-boss. */
export type TQueueSizeReader = () => Promise<TQueueSize[]>;

/**
 * What a failed check says publicly: an error code at most (ECONNREFUSED, 42P01…). The health
 * endpoint needs no sign-in, so raw messages (user names, host names) stay in the server log.
 */
function publicReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? `check failed (${code})` : "check failed";
}

/**
 * Health of the whole stack as seen from the database: can we query, are all committed
 * migrations applied, has a worker beaten recently, how big are the queues.
 */
export async function getHealth(
  db: TDbOrTx,
  options: {
    heartbeatMaxAgeS: number;
    readQueueSizes?: TQueueSizeReader;
    /** The supervisor's view (see supervisor-state.ts); without it, `supervisor` is null. */
    readSupervisor?: () => Promise<TSupervisorHealth | null>;
    /** Receives each failed check's full error, for the server log. */
    onCheckError?: (check: "db" | "migrations" | "worker" | "queues" | "sessions", error: unknown) => void;
  },
): Promise<THealth> {
  const failed = (check: "db" | "migrations" | "worker" | "queues", error: unknown) => {
    options.onCheckError?.(check, error);
    return publicReason(error);
  };
  const expected = journal.entries.length;
  const health: THealth = {
    ok: false,
    checkedAt: new Date().toISOString(),
    db: { ok: false },
    migrations: { ok: false, expected },
    worker: { ok: false, workers: 0, lastHeartbeatAgeS: null, live: [] },
    sessions: [],
    queues: { ok: false, sizes: [] },
    supervisor: null,
  };
  // Read first: it needs no database, so it is there even when the database is down.
  health.supervisor = (await options.readSupervisor?.().catch(() => null)) ?? null;
  const started = performance.now();
  try {
    await db.execute(sql`select 1`);
    health.db = { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    health.db = { ok: false, error: failed("db", error) };
    return health;
  }
  try {
    const result = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const applied = result.rows[0]?.n ?? 0;
    health.migrations = { ok: applied >= expected, applied, expected };
  } catch (error) {
    health.migrations = { ok: false, expected, error: failed("migrations", error) };
  }
  try {
    const beats = await db
      .select({
        id: workerHeartbeats.workerId,
        version: workerHeartbeats.version,
        info: workerHeartbeats.info,
        ageS: sql<number>`extract(epoch from now() - ${workerHeartbeats.beatAt})::float8`,
      })
      .from(workerHeartbeats)
      .where(isNull(workerHeartbeats.stoppedAt))
      .orderBy(desc(workerHeartbeats.beatAt));
    const live = beats.filter((beat) => beat.ageS <= options.heartbeatMaxAgeS);
    const newest = beats[0];
    health.worker = {
      ok: live.length > 0,
      workers: live.length,
      lastHeartbeatAgeS: newest ? Math.round(newest.ageS * 10) / 10 : null,
      ...(live.length === 0 ? { error: newest ? "no worker heartbeat recently" : "no worker has started" } : {}),
      live: live.map((beat) => ({
        id: beat.id,
        version: beat.version,
        heartbeatAgeS: Math.round(beat.ageS * 10) / 10,
        rssBytes: workerRssBytes(beat.info),
      })),
    };
  } catch (error) {
    health.worker = { ok: false, workers: 0, lastHeartbeatAgeS: null, error: failed("worker", error), live: [] };
  }
  try {
    health.sessions = await readSessionHealth(db);
  } catch (error) {
    // Informational: a failure here leaves the list empty; the checks above say whether work gets done.
    options.onCheckError?.("sessions", error);
  }
  if (options.readQueueSizes) {
    try {
      health.queues = { ok: true, sizes: await options.readQueueSizes() };
    } catch (error) {
      health.queues = { ok: false, sizes: [], error: failed("queues", error) };
    }
  } else {
    health.queues = { ok: true, sizes: [] };
  }
  health.ok = health.db.ok && health.migrations.ok && health.worker.ok && health.queues.ok;
  return health;
}

/** The worker's RSS from its heartbeat's `info`: bytes where it reports them, else its rounded megabytes. */
function workerRssBytes(info: Record<string, unknown>): number | null {
  if (typeof info.rssBytes === "number" && Number.isFinite(info.rssBytes)) return info.rssBytes;
  if (typeof info.rssMb === "number" && Number.isFinite(info.rssMb)) return info.rssMb * 1e6;
  return null;
}

async function readSessionHealth(db: TDbOrTx): Promise<TSessionHealth[]> {
  const rows = await db
    .select({
      id: waSessions.id,
      name: waSessions.name,
      engine: waSessions.kind,
      status: waSessions.status,
      reconnectCount: waSessions.reconnectCount,
      memoryBytes: waSessions.memoryBytes,
      memoryScope: waSessions.memoryScope,
      memoryAt: waSessions.memoryAt,
    })
    .from(waSessions)
    .orderBy(asc(waSessions.createdAt));
  return rows.map(({ memoryBytes, memoryScope, memoryAt, ...row }) => ({
    ...row,
    memory:
      memoryBytes !== null && memoryScope !== null && memoryAt !== null
        ? { bytes: memoryBytes, scope: memoryScope, measuredAt: memoryAt.toISOString() }
        : null,
  }));
}

/**
 * Health as the public /api/health shows it: no worker ids (they hold host names and pids) and
 * no session names; the System page, for admins, shows them.
 */
export function toPublicHealth(health: THealth): THealth {
  return {
    ...health,
    worker: { ...health.worker, live: health.worker.live.map(({ id: _id, ...worker }) => worker) },
    sessions: health.sessions.map(({ name: _name, ...session }) => session),
  };
}
