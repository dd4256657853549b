import path from "node:path";
import type { PgBoss } from "pg-boss";
import { createDb, type TDb } from "~/db/client";
import { createSendQueue } from "~/server/jobs/boss";
import {
  DEAD_LETTER_QUEUE,
  SEND_QUEUE,
  sendQueueName,
  type TDeadLetter,
  type TQueuePolicy,
} from "~/server/jobs/queues";
import type { Logger } from "~/server/logger";
import { createSentRecorder, sendQueuedBatch, type TSendJob } from "~/server/messaging/outbound";
import { Pacer } from "~/server/messaging/pacing";
import { applyDeliveryAck } from "~/server/messaging/statuses";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { recordPhoneMessage } from "~/server/messaging/phone-message";
import { createPostgresAuthStore } from "~/server/sessions/auth-store";
import {
  acquireSessionLease,
  listSessionsOfKinds,
  recordSessionStatus,
  releaseSessionLease,
} from "~/server/sessions/sessions";
import { readSessionSettings, type TSessionSettings } from "~/server/sessions/settings";
import { createSimulatorConnection } from "../engines/simulator";
import type { TEngineConnection } from "../engines/types";
import { createWwebjsConnection, type TWwebjsOptions } from "../engines/wwebjs";
import { workInBatches } from "../work";

type TRunningSession = {
  id: string;
  kind: "simulator" | "wwebjs";
  transport: TEngineConnection;
  control: TWwebjsControl | null;
  handled: { restart: number; logout: number };
  pacer: Pacer;
  settings: TSessionSettings;
  workId: string;
  locks: ReturnType<typeof createDb>;
};

export type TSessionRunnerOptions = {
  db: TDb;
  boss: PgBoss;
  log: Logger;
  owner: string;
  /** For the pool of per-thread send locks. */
  databaseUrl: string;
  /** A session whose lease is not renewed for this long may be taken by another worker. */
  leaseTtlS: number;
  /** Parallel sends per session (different threads; one thread is always one at a time). */
  sendConcurrency: number;
  /** Retry policy of the send queues (tests shorten it). */
  sendPolicy?: TQueuePolicy;
  /** Builds a session's transport (tests wrap the simulator to make it fail). */
  createTransport?: (defaults: TEngineConnection, sessionId: string) => TEngineConnection;
  /** whatsapp-web.js sessions; without this, the worker runs only the simulator. */
  wwebjs?: TWwebjsRunnerOptions;
};

/** How the worker runs whatsapp-web.js clients (CHROMIUM_PATH, data folder, watchdogs…). */
export type TWwebjsRunnerOptions = Omit<TWwebjsOptions, "sessionId" | "log" | "store" | "dataPath" | "typing"> & {
  appSecret: string;
  /** Each session's browser profile is unpacked under `<dataDir>/<session id>` while it runs. */
  dataDir: string;
};

type TWwebjsControl = ReturnType<typeof createWwebjsConnection>;

/**
 * Runs the WhatsApp sessions this worker holds a lease on: takes free sessions, renews its
 * leases, and for each one runs the transport and works its `send.<id>` queue with a pacer.
 */
export function createSessionRunner(options: TSessionRunnerOptions) {
  const { db, boss, log, owner } = options;
  const running = new Map<string, TRunningSession>();
  const sendPolicy = options.sendPolicy ?? SEND_QUEUE.policy;

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const ingestor = createInboundIngestor(db, boss);

  function wwebjsTransport(id: string, current: { settings: TSessionSettings }): TWwebjsControl {
    const config = options.wwebjs!;
    const dataPath = path.join(config.dataDir, id);
    return createWwebjsConnection({
      ...config,
      sessionId: id,
      log,
      dataPath,
      store: createPostgresAuthStore({ db, sessionId: id, appSecret: config.appSecret, dataPath }),
      typing: () => ({ enabled: current.settings.presence.typing, maxMs: current.settings.presence.typingMaxMs }),
    });
  }

  async function startSession(id: string, kind: "simulator" | "wwebjs", settings: TSessionSettings) {
    const current = { settings };
    let control: TWwebjsControl | null = null;
    let base: TEngineConnection;
    if (kind === "wwebjs") {
      control = wwebjsTransport(id, current);
      base = control;
    } else {
      base = createSimulatorConnection({ db, boss, sessionId: id, settings: () => current.settings.simulator });
    }
    const transport = options.createTransport?.(base, id) ?? base;
    const pacer = new Pacer(settings.pacing);
    // The per-thread send locks' own connection (see sendQueuedBatch).
    const locks = createDb(options.databaseUrl, { applicationName: "switchboard-send-locks", max: 2 });
    const lockDb = locks.db;
    await createSendQueue(boss, id, sendPolicy);
    await transport.start({
      // The simulator delivers inbound messages and acks through its own jobs; a live
      // transport (whatsapp-web.js) reports them here. A message is acknowledged to the
      // transport only after ingest committed it.
      onMessage: async (message) => {
        const result = await ingestor.ingest(message);
        if (result.status === "rejected") log.warn({ sessionId: id, reason: result.reason }, "message rejected");
      },
      onAck: async (ack) => {
        if (ack.status !== "failed")
          await applyDeliveryAck(db, { sessionId: id, waMessageId: ack.waMessageId, status: ack.status });
      },
      onStatus: (report) => recordSessionStatus(db, id, report),
      onQr: (qr) => recordSessionStatus(db, id, { status: "qr", qr }),
      onConnectionState: (state) => recordSessionStatus(db, id, { state }),
      onPhoneMessage: async (message) => void (await recordPhoneMessage(db, id, message)),
    });
    const recorder = createSentRecorder(db);
    // A batch of sends goes out under one set of per-thread locks (see sendQueuedBatch).
    const workId = await workInBatches(
      boss,
      sendQueueName(id),
      { batchSize: options.sendConcurrency * 4, localConcurrency: 2 },
      async (jobs) => {
        const valid: TSendJob[] = [];
        for (const job of jobs) {
          const parsed = SEND_QUEUE.payload.safeParse(job.data);
          if (parsed.success) {
            const isLastAttempt = job.retryCount >= sendPolicy.retryLimit;
            valid.push({ jobId: job.id, ...parsed.data, isLastAttempt });
          } else {
            const dead: TDeadLetter = { queue: job.name, jobId: job.id, data: job.data, error: parsed.error.message };
            await boss.send(DEAD_LETTER_QUEUE, dead);
          }
        }
        return sendQueuedBatch(db, transport, pacer, valid, {
          signal: AbortSignal.any(jobs.map((job) => job.signal)),
          lockDb,
          concurrency: options.sendConcurrency,
          recorder,
        });
      },
    );
    running.set(
      id,
      Object.assign(current, {
        id,
        kind,
        transport,
        control,
        handled: { restart: Date.now(), logout: Date.now() },
        pacer,
        workId,
        locks,
      }),
    );
    log.info({ sessionId: id }, "session started");
  }

  async function stopSession(session: TRunningSession) {
    running.delete(session.id);
    await boss.offWork(sendQueueName(session.id), { id: session.workId, wait: true }).catch(() => undefined);
    await session.transport.stop();
    await session.locks.pool.end().catch(() => undefined);
  }

  async function tick() {
    const sessions = await listSessionsOfKinds(db, options.wwebjs ? ["simulator", "wwebjs"] : ["simulator"]);
    for (const session of sessions) {
      const settings = readSessionSettings(session.settings);
      const mine = await acquireSessionLease(db, session.id, owner, options.leaseTtlS);
      const current = running.get(session.id);
      if (mine && !current && !stopped) {
        await startSession(session.id, session.kind, settings);
      } else if (mine && current) {
        current.settings = settings;
        current.pacer.update(settings.pacing);
        // Staff asked for a restart or a log-out on the Sessions page.
        const restart = session.restartRequestedAt?.getTime() ?? 0;
        const logout = session.logoutRequestedAt?.getTime() ?? 0;
        if (current.control && logout > current.handled.logout) {
          current.handled.logout = logout;
          await current.control.logout();
        } else if (current.control && restart > current.handled.restart) {
          current.handled.restart = restart;
          await current.control.restart("requested on the Sessions page");
        }
      } else if (!mine && current) {
        log.warn({ sessionId: session.id }, "lost the session's lease; stopping it here");
        await stopSession(current);
      }
    }
    // Sessions deleted meanwhile stop here.
    for (const current of [...running.values()]) {
      if (!sessions.some((session) => session.id === current.id)) await stopSession(current);
    }
  }

  return {
    async start() {
      await tick();
      const every = Math.max(500, (options.leaseTtlS * 1000) / 3);
      timer = setInterval(
        () => void tick().catch((error: unknown) => log.warn({ err: error }, "session tick failed")),
        every,
      );
      timer.unref();
    },
    /** Stops renewing and gives the leases back (after pg-boss stopped the send workers). */
    async release() {
      stopped = true;
      clearInterval(timer);
      for (const session of [...running.values()]) {
        running.delete(session.id);
        await session.transport.stop().catch(() => undefined);
        await releaseSessionLease(db, session.id, owner).catch(() => undefined);
        await session.locks.pool.end().catch(() => undefined);
      }
    },
    runningSessionIds: () => [...running.keys()],
  };
}
