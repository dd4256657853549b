import type { PgBoss } from "pg-boss";
import { createDb, type TDb } from "~/db/client";
import { createMediaQueue, createSendQueue } from "~/server/jobs/boss";
import {
  DEAD_LETTER_QUEUE,
  MEDIA_QUEUE,
  mediaQueueName,
  SEND_QUEUE,
  sendQueueName,
  type TDeadLetter,
  type TQueuePolicy,
} from "~/server/jobs/queues";
import type { Logger } from "~/server/logger";
import type { TMediaLimits } from "~/server/media/limits";
import { receiveMedia, type TReceiveOptions } from "~/server/media/receive";
import type { TMediaStore } from "~/server/media/store";
import { createSentRecorder, sendQueuedBatch, type TSendJob } from "~/server/messaging/outbound";
import { Pacer } from "~/server/messaging/pacing";
import { applyDeliveryAck, applyFailedStatus } from "~/server/messaging/statuses";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { recordPhoneMessage } from "~/server/messaging/phone-message";
import { publishContactPresence } from "~/server/sessions/presence";
import type { TSessionRequest } from "~/server/sessions/requests";
import {
  acquireSessionLease,
  listSessionsOfKinds,
  recordSessionMemory,
  recordSessionStatus,
  releaseSessionLease,
} from "~/server/sessions/sessions";
import { publishEngines } from "~/server/sessions/engines";
import { readSessionSettings, type TSessionSettings } from "~/server/sessions/settings";
import { runnableEngines, type TEngineOptions } from "../engines/registry";
import type { TAck, TEngineConnection } from "../engines/types";
import { workBatched, workInBatches } from "../work";
import { listenForSessionRequests } from "./requests";

type TRunningSession = {
  id: string;
  kind: string;
  transport: TEngineConnection;
  handled: { restart: number; logout: number; pairing: number };
  pacer: Pacer;
  settings: TSessionSettings;
  workId: string;
  mediaWorkId: string | null;
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
  /** Size limits per kind of inbound files (`mediaLimitsFromEnv`); WhatsApp's own without. */
  mediaLimits?: TMediaLimits;
  /** Gemini is configured: stored voice notes are written out (`media.transcribe`) before they are processed. */
  transcribe?: boolean;
  /** Retry policy of the media queues (tests shorten it). */
  mediaPolicy?: TQueuePolicy;
  /** Test seams of the media job (server/media/receive.ts). */
  mediaHooks?: TReceiveOptions["hooks"];
  /** Wraps a session's connection (tests wrap the simulator's to make it fail). */
  createTransport?: (defaults: TEngineConnection, sessionId: string) => TEngineConnection;
  /**
   * Each engine's options (workers/engines/registry.ts). Engines that need options run only
   * with them: without `wwebjs`, the worker runs the simulator alone.
   */
  engines?: TEngineOptions;
  /**
   * The media store (workers/main.ts makes it from MEDIA_*): where sends read media messages'
   * files, and where inbound files go. With it, each session's media queue (`media.<id>`) is
   * worked here, through the session's connection.
   */
  mediaStore?: TMediaStore;
  /** How often each running session's memory is measured (default 30 s; tests shorten it). */
  memorySampleMs?: number;
};

/** What a failed ack from an engine that gives no reason (whatsapp-web.js's error ack) records on the message. */
const ENGINE_FAILED_REASON = "WhatsApp reported that the message could not be delivered";

/** How long to wait, one after another, for the send an ack is about to be recorded. */
const ACK_RETRY_DELAYS_MS = [50, 100, 250, 500, 1_000, 2_000, 4_000];

/**
 * Applies an engine's ack, trying again for a few seconds while no message has its id: an
 * engine may ack a message before the worker has recorded sending it (the send resolved, its
 * record not yet committed), and such an ack must not be lost.
 */
async function applyAckOnceKnown(db: TDb, sessionId: string, ack: TAck) {
  for (const delayMs of [...ACK_RETRY_DELAYS_MS, null]) {
    const outcome =
      ack.status === "failed"
        ? await applyFailedStatus(db, { sessionId, waMessageId: ack.waMessageId, reason: ENGINE_FAILED_REASON })
        : await applyDeliveryAck(db, { sessionId, waMessageId: ack.waMessageId, status: ack.status });
    if (outcome !== "unknown" || delayMs === null) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * Runs the WhatsApp sessions this worker holds a lease on: takes free sessions, renews its
 * leases, and for each one runs its engine's connection (workers/engines/registry.ts), works
 * its `send.<id>` queue with a pacer, and (with a media store) its `media.<id>` queue.
 */
export function createSessionRunner(options: TSessionRunnerOptions) {
  const { db, boss, log, owner } = options;
  const running = new Map<string, TRunningSession>();
  const sendPolicy = options.sendPolicy ?? SEND_QUEUE.policy;
  const mediaPolicy = options.mediaPolicy ?? MEDIA_QUEUE.policy;

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const ingestor = createInboundIngestor(db, boss);

  const engines = runnableEngines(options.engines ?? {});

  async function startSession(id: string, kind: string, settings: TSessionSettings) {
    const engine = engines.get(kind);
    if (!engine) return;
    const current = { settings };
    const base = engine.connect({
      db,
      boss,
      log,
      sessionId: id,
      settings: () => current.settings,
      ...(options.mediaStore ? { mediaStore: options.mediaStore } : {}),
    });
    const transport = options.createTransport?.(base, id) ?? base;
    const pacer = new Pacer(settings.pacing);
    // The per-thread send locks' own connection (see sendQueuedBatch).
    const locks = createDb(options.databaseUrl, { applicationName: "switchboard-send-locks", max: 2 });
    const lockDb = locks.db;
    await createSendQueue(boss, id, sendPolicy);
    // Ingest may queue a file to fetch as soon as the connection delivers its first message.
    await createMediaQueue(boss, id, mediaPolicy);
    await transport.start({
      // Every side channel of the engine lands here (the simulator delivers inbound messages
      // and acks through its own jobs instead). A message is acknowledged to the engine only
      // after ingest committed it.
      onMessage: async (message) => {
        const result = await ingestor.ingest(message);
        if (result.status === "rejected") log.warn({ sessionId: id, reason: result.reason }, "message rejected");
        // Engines report presence only for contacts they watch: watch who just wrote, so the AI's
        // burst check (server/ai/burst.ts) hears them typing the next message. Best effort.
        if (result.status === "stored")
          void transport
            .watchPresence?.(message.from)
            .catch((error: unknown) => log.debug({ err: error, sessionId: id }, "could not watch presence"));
      },
      onAck: async (ack) => {
        await applyAckOnceKnown(db, id, ack);
      },
      onStatus: (report) => recordSessionStatus(db, id, report),
      onQr: (qr) => recordSessionStatus(db, id, { status: "qr", qr }),
      onConnectionState: (state) => recordSessionStatus(db, id, { state }),
      onPhoneMessage: async (message) => void (await recordPhoneMessage(db, id, message)),
      onPairingCode: (code) => recordSessionStatus(db, id, { status: "qr", pairingCode: code }),
      onPresence: async (presence) => void (await publishContactPresence(db, id, presence)),
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
          store: options.mediaStore,
        });
      },
    );
    const mediaWorkId = options.mediaStore ? await workMediaQueue(id, transport, options.mediaStore) : null;
    running.set(
      id,
      Object.assign(current, {
        id,
        kind,
        transport,
        handled: { restart: Date.now(), logout: Date.now(), pairing: 0 },
        pacer,
        workId,
        mediaWorkId,
        locks,
      }),
    );
    log.info({ sessionId: id }, "session started");
  }

  /**
   * Works a session's media queue: one file per job, two at a time (MEDIA_QUEUE.concurrency),
   * each fetched through this session's connection and stored (server/media/receive.ts).
   */
  function workMediaQueue(id: string, transport: TEngineConnection, store: TMediaStore) {
    return workBatched(
      boss,
      mediaQueueName(id),
      { batchSize: 1, localConcurrency: MEDIA_QUEUE.concurrency },
      async (job) => {
        const parsed = MEDIA_QUEUE.payload.safeParse(job.data);
        if (!parsed.success) {
          const dead: TDeadLetter = { queue: job.name, jobId: job.id, data: job.data, error: parsed.error.message };
          await boss.send(DEAD_LETTER_QUEUE, dead);
          return;
        }
        const outcome = await receiveMedia(db, boss, store, transport, parsed.data.messageId, {
          isLastAttempt: job.retryCount >= mediaPolicy.retryLimit,
          signal: job.signal,
          limits: options.mediaLimits,
          transcribe: options.transcribe ?? false,
          hooks: options.mediaHooks,
        });
        log.debug({ sessionId: id, messageId: parsed.data.messageId, outcome }, "media received");
      },
    );
  }

  async function stopSession(session: TRunningSession) {
    running.delete(session.id);
    await boss.offWork(sendQueueName(session.id), { id: session.workId, wait: true }).catch(() => undefined);
    if (session.mediaWorkId) {
      await boss.offWork(mediaQueueName(session.id), { id: session.mediaWorkId, wait: true }).catch(() => undefined);
    }
    await session.transport.stop();
    await session.locks.pool.end().catch(() => undefined);
  }

  /** Runs the lease tick, one at a time (the timer and the web's requests both ask for it). */
  let ticking: Promise<void> = Promise.resolve();
  const tickNow = () => {
    ticking = ticking.then(tick).catch((error: unknown) => log.warn({ err: error }, "session tick failed"));
    return ticking;
  };

  /** A request the web announced (server/sessions/requests.ts). */
  function onRequest(request: TSessionRequest) {
    // A control request may be for a session no worker runs yet (just added): any worker may take it.
    if (request.request === "control") {
      if (!stopped) void tickNow();
      return;
    }
    const current = running.get(request.sessionId);
    if (!current) return;
    void current.transport
      .watchPresence?.(request.to)
      .catch((error: unknown) => log.debug({ err: error, sessionId: current.id }, "could not watch presence"));
  }

  /** Each running session's memory, as its engine measures it, on its row (the Sessions page and health show it). */
  async function sampleMemory() {
    for (const current of running.values()) {
      if (!current.transport.memory) continue;
      const memory = await current.transport.memory().catch(() => null);
      await recordSessionMemory(db, current.id, memory);
    }
  }

  let requests: ReturnType<typeof listenForSessionRequests> | null = null;
  let memoryTimer: NodeJS.Timeout | undefined;

  async function tick() {
    const sessions = await listSessionsOfKinds(db, [...engines.keys()]);
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
        const { transport } = current;
        const pairing = session.pairingRequestedAt?.getTime() ?? 0;
        if (transport.logout && logout > current.handled.logout) {
          current.handled.logout = logout;
          await transport.logout();
        } else if (transport.restart && restart > current.handled.restart) {
          current.handled.restart = restart;
          await transport.restart("requested on the Sessions page");
        } else if (transport.requestPairingCode && session.pairingPhone && pairing > current.handled.pairing) {
          // Staff asked to link by a code typed on the phone: the code comes back through onPairingCode.
          current.handled.pairing = pairing;
          await transport.requestPairingCode(session.pairingPhone).catch((error: unknown) =>
            recordSessionStatus(db, session.id, {
              error: `Could not get a pairing code: ${(error as Error).message}`,
            }),
          );
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
      // The web learns from this which engines there are and what each can do.
      await publishEngines(
        db,
        [...engines.values()].map((engine) => engine.descriptor),
        owner,
      );
      await tick();
      const every = Math.max(500, (options.leaseTtlS * 1000) / 3);
      timer = setInterval(() => void tickNow(), every);
      timer.unref();
      requests = listenForSessionRequests({ databaseUrl: options.databaseUrl, log, onRequest });
      memoryTimer = setInterval(
        () => void sampleMemory().catch((error: unknown) => log.debug({ err: error }, "memory sample failed")),
        options.memorySampleMs ?? 30_000,
      );
      memoryTimer.unref();
    },
    /** Stops renewing and gives the leases back (after pg-boss stopped the send workers). */
    async release() {
      stopped = true;
      clearInterval(timer);
      clearInterval(memoryTimer);
      await requests?.stop();
      await ticking;
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
