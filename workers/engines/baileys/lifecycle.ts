import type { Boom } from "@hapi/boom";
import type { ConnectionState } from "@whiskeysockets/baileys";
import type { TDb } from "~/db/client";
import type { Logger } from "~/server/logger";
import type { TEngineHandlers, TReconnectPlan, TSessionStatus, TStatusReport } from "../types";
import { createReportQueue, reconnectPlan } from "../supervision";
import { BaileysCredentialsError, loadBaileysAuth, type TBaileysAuth } from "./auth-state";
import type { TBaileysLogger, TBaileysSocket, TBaileysSocketFactory } from "./socket";

/**
 * A Baileys session's life: one socket at a time (each a connection attempt), on our auth state
 * in Postgres; QR codes and pairing codes; what to do on each disconnect reason; reconnecting
 * with backoff; a watchdog for a connection that never opens; log-out. Messages are not its
 * business: each new socket is handed to `attach` (index.ts wires those events), `detach` runs
 * when it goes.
 *
 * By Baileys' `DisconnectReason` (the Boom status code of `lastDisconnect.error`):
 * - loggedOut 401 / multideviceMismatch 411: the link is gone. The login is deleted, the status
 *   says `logged_out`, and a fresh socket later offers a new QR (as whatsapp-web.js does).
 * - restartRequired 515: WhatsApp asks for a new connection (right after pairing): at once, no
 *   backoff (still counted as a reconnect).
 * - connectionReplaced 440: the number was opened by another client. Fighting it would knock
 *   each other off in a loop, so the session stops and says how to take it back (Restart).
 * - forbidden 403: WhatsApp refused the number; retrying will not change that. Stops.
 * - badSession 500 and everything else (408/428/503, DNS and socket errors): backoff, the login kept.
 * The backoff (1 s doubling to 5 min, ±20 % jitter) starts over only once a connection stayed
 * open for `stableAfterMs`: a connection that flaps (open, dropped, open…) backs off like one
 * that never opens instead of reconnecting in a storm.
 */

export type TBaileysLifecycleOptions = {
  db: TDb;
  sessionId: string;
  log: Logger;
  appSecret: string;
  createSocket: TBaileysSocketFactory;
  /** A socket that neither shows a QR nor opens within this long is replaced. */
  readyTimeoutMs: number;
  /** Reconnect backoff: from this, doubling, to `maxBackoffMs`, with ±20 % jitter. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** The backoff starts over once a connection has stayed open this long (default 2 min). */
  stableAfterMs?: number;
  /** The backoff's jitter source (tests make it fixed). */
  random?: () => number;
  /** What Baileys itself logs (through our logger); it is chatty, so `error` unless asked. */
  libraryLogLevel?: string;
};

/** The lifecycle's side channels: the handlers it reports to. */
type TLifecycleReports = Pick<TEngineHandlers, "onStatus" | "onQr" | "onPairingCode">;

/** How long a connection must stay open before its reconnect backoff starts over. */
export const DEFAULT_STABLE_AFTER_MS = 120_000;
/** How a linked Switchboard shows on the phone's "Linked devices" (the OS slot names us; the browser slot must be one WhatsApp knows for pairing codes). */
export const BAILEYS_BROWSER: [string, string, string] = ["Switchboard", "Chrome", "1.0.0"];
/** `restartRequired` closes in a row (without an open between) before they back off like any other drop. */
const MAX_IMMEDIATE_RESTARTS = 3;
/** How long a pairing-code request waits for a socket that can ask for one (showing a QR). */
const PAIRING_WAIT_MS = 30_000;

/** Baileys' `DisconnectReason` codes (a copy: the enum lives in the library, loaded lazily). */
export const DISCONNECT = {
  connectionClosed: 428,
  timedOut: 408,
  connectionReplaced: 440,
  loggedOut: 401,
  badSession: 500,
  restartRequired: 515,
  multideviceMismatch: 411,
  forbidden: 403,
  unavailableService: 503,
} as const;

/** What to do about a closed socket. */
export type TCloseAction =
  | { action: "logged_out"; error: string }
  | { action: "restart" }
  | { action: "stop"; error: string }
  | { action: "backoff"; error: string };

/** A socket's close, by its Boom status code (and the error's words for network failures). */
export function classifyClose(error: Error | undefined, wasOpen: boolean): TCloseAction {
  const code = (error as Boom | undefined)?.output?.statusCode;
  const message = error?.message ?? "connection closed";
  switch (code) {
    case DISCONNECT.loggedOut:
    case DISCONNECT.multideviceMismatch:
      return {
        action: "logged_out",
        error: "The phone logged this device out; scan a new QR code (or ask for a pairing code) to link it again.",
      };
    case DISCONNECT.restartRequired:
      return { action: "restart" };
    case DISCONNECT.connectionReplaced:
      return {
        action: "stop",
        error:
          "This number was opened by another WhatsApp Web or Baileys connection, which took over. Switchboard stopped instead of fighting it: close the other connection, then press Restart to take the number back here.",
      };
    case DISCONNECT.forbidden:
      return {
        action: "stop",
        error:
          "WhatsApp refused this number (403 forbidden): it may be banned or restricted. Check it in the WhatsApp app, then press Restart.",
      };
    case DISCONNECT.badSession:
      return {
        action: "backoff",
        error: `WhatsApp reported a bad session (${message}); reconnecting, the link is kept.`,
      };
    default:
      break;
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET/.test(message)) {
    // "WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)" → its inner words.
    const inner = /\(([^()]+)\)\s*$/.exec(message)?.[1] ?? message;
    return { action: "backoff", error: `WhatsApp is unreachable from this machine (${inner})` };
  }
  return {
    action: "backoff",
    error: `${wasOpen ? "The connection to WhatsApp closed" : "Could not connect to WhatsApp"} (${code ?? "no code"}: ${message})`,
  };
}

/** `5511999990000:12@s.whatsapp.net` → `+5511999990000`. */
export function phoneOfUserJid(jid: string | undefined): string | undefined {
  const digits = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid ?? "")?.[1];
  return digits ? `+${digits}` : undefined;
}

/** A Baileys-shaped logger that writes through ours at `level` (Baileys logs a lot). */
function libraryLogger(log: Logger, sessionId: string, level: string): TBaileysLogger {
  return log.child({ engine: "baileys", sessionId }, { level });
}

export function createBaileysLifecycle(
  options: TBaileysLifecycleOptions,
  hooks: { attach: (socket: TBaileysSocket) => void; detach: () => void },
) {
  const { log, sessionId } = options;
  const libraryLog = libraryLogger(log, sessionId, options.libraryLogLevel ?? "error");
  const stableAfterMs = options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS;
  const random = options.random ?? Math.random;
  let socket: TBaileysSocket | null = null;
  let auth: TBaileysAuth | null = null;
  /** Our listeners on the current socket, to take off when it goes. */
  let unwire: (() => void) | null = null;
  const reports = createReportQueue<TLifecycleReports>(log, sessionId);
  let status: TSessionStatus = "connecting";
  let stopped = false;
  let attempt = 0;
  let immediateRestarts = 0;
  /** Sockets created so far: every one after the first is a reconnect (counted on the session row). */
  let connects = 0;
  /** Each connect() bumps it: a connect overtaken by a newer one (or a stop) gives up. */
  let generation = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  /** Armed on open: when it fires, the connection has proven stable and the backoff starts over. */
  let stableTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  /** Waiting for a socket that shows a QR (a pairing-code request made before one was up). */
  let qrWaiters: ((socket: TBaileysSocket) => void)[] = [];

  const { enqueue } = reports;
  const report = (next: TSessionStatus, detail: Omit<TStatusReport, "status"> = {}) => {
    status = next;
    return enqueue((to) => to.onStatus({ status: next, ...detail }));
  };

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearTimeout(stableTimer);
    clearTimeout(watchdog);
  };

  /** Takes our listeners off the socket and ends it (its own close event is no longer ours to hear). */
  const teardown = async () => {
    const current = socket;
    socket = null;
    clearTimers();
    hooks.detach();
    unwire?.();
    unwire = null;
    if (current) {
      try {
        current.end(undefined);
      } catch (error) {
        log.debug({ err: error, sessionId }, "ending the Baileys socket failed");
      }
    }
    // The last creds and keys of the socket that went are written before anything reads them again.
    await auth?.settled();
  };

  const planReconnect = (): TReconnectPlan => {
    attempt += 1;
    return reconnectPlan(attempt, options, random);
  };

  const startReconnect = (plan: TReconnectPlan, reason: string) => {
    if (stopped) return;
    log.warn(
      { sessionId, reason, attempt: plan.attempt, delayMs: plan.delayMs },
      "WhatsApp (Baileys) down; reconnecting",
    );
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => void connect(), Math.max(0, plan.at.getTime() - Date.now()));
    reconnectTimer.unref();
  };

  const forgetLogin = async () => {
    const current = auth;
    auth = null;
    try {
      if (current) await current.clear();
      else await (await import("./auth-state")).deleteBaileysAuth(options.db, sessionId);
    } catch (error) {
      log.error({ err: error, sessionId }, "could not delete the stored WhatsApp login");
    }
  };

  /** Reports the connection down (with when it tries again, unless `retry` is false), ends the socket, schedules the reconnect. */
  const goDown = async (
    next: TSessionStatus,
    error: string,
    reason: string,
    { before, retry = true }: { before?: () => Promise<void>; retry?: boolean } = {},
  ) => {
    const plan = stopped || !retry ? undefined : planReconnect();
    generation += 1;
    await teardown();
    await before?.();
    await report(next, { error, ...(plan ? { retry: plan } : {}) });
    if (plan) startReconnect(plan, reason);
  };

  const armWatchdog = (of: TBaileysSocket) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (socket !== of || status === "ready" || status === "qr" || stopped) return;
      void goDown("failed", `WhatsApp did not answer within ${options.readyTimeoutMs / 1000} s`, "ready timeout");
    }, options.readyTimeoutMs);
    watchdog.unref();
  };

  const onConnectionUpdate = (of: TBaileysSocket, update: Partial<ConnectionState>, opened: { value: boolean }) => {
    if (socket !== of) return;
    if (update.qr) {
      status = "qr";
      const qr = update.qr;
      void enqueue((to) => to.onQr(qr));
      const waiting = qrWaiters;
      qrWaiters = [];
      for (const resolve of waiting) resolve(of);
    }
    if (update.connection === "open") {
      opened.value = true;
      immediateRestarts = 0;
      clearTimeout(watchdog);
      // Not a reset yet: only a connection that stays open for `stableAfterMs` starts the backoff over.
      clearTimeout(stableTimer);
      stableTimer = setTimeout(() => {
        if (socket === of && status === "ready") attempt = 0;
      }, stableAfterMs);
      stableTimer.unref();
      const phone = phoneOfUserJid(of.user?.id);
      void report("ready", phone ? { phone } : {});
    }
    if (update.connection === "close") {
      const closed = classifyClose(update.lastDisconnect?.error, opened.value);
      switch (closed.action) {
        case "restart":
          immediateRestarts += 1;
          if (immediateRestarts <= MAX_IMMEDIATE_RESTARTS) {
            log.info({ sessionId }, "WhatsApp asked for a new connection (restart required)");
            void connect();
            return;
          }
          void goDown("disconnected", "WhatsApp keeps asking for a new connection", "restart loop");
          return;
        case "logged_out":
          void goDown("logged_out", closed.error, "logged out", { before: forgetLogin });
          return;
        case "stop":
          void goDown("failed", closed.error, "stopped", { retry: false });
          return;
        case "backoff":
          void goDown(opened.value ? "disconnected" : "failed", closed.error, closed.error);
      }
    }
  };

  async function connect() {
    if (stopped) return;
    generation += 1;
    const mine = generation;
    await teardown();
    if (stopped || mine !== generation) return;
    connects += 1;
    await report("connecting", connects > 1 ? { reconnect: true } : {});
    try {
      auth = await loadBaileysAuth({ db: options.db, sessionId, appSecret: options.appSecret, log, libraryLog });
    } catch (error) {
      if (error instanceof BaileysCredentialsError) {
        // Retrying reads the same unusable row: staff log out (which deletes it) and link again.
        await report("failed", { error: error.message });
        return;
      }
      await goDown(
        "failed",
        `Could not read the stored WhatsApp login: ${(error as Error).message}`,
        "auth load failed",
      );
      return;
    }
    if (stopped || mine !== generation) return;
    const current = auth;
    let next: TBaileysSocket;
    try {
      next = await options.createSocket({
        auth: current.state,
        logger: libraryLog,
        browser: BAILEYS_BROWSER,
        printQRInTerminal: false,
        markOnlineOnConnect: false,
        syncFullHistory: false,
        // History sync is WhatsApp replaying old chats: none of it is ours to answer or store.
        shouldSyncHistoryMessage: () => false,
        connectTimeoutMs: Math.min(options.readyTimeoutMs, 20_000),
      });
    } catch (error) {
      await goDown("failed", `Could not start Baileys: ${(error as Error).message}`, "create failed");
      return;
    }
    if (stopped || mine !== generation) {
      next.end(undefined);
      return;
    }
    socket = next;
    const opened = { value: false };
    const onUpdate = (update: Partial<ConnectionState>) => onConnectionUpdate(next, update, opened);
    const onCreds = () => {
      current
        .saveCreds()
        .catch((error: unknown) => log.error({ err: error, sessionId }, "could not store WhatsApp creds"));
    };
    next.ev.on("connection.update", onUpdate);
    next.ev.on("creds.update", onCreds);
    unwire = () => {
      next.ev.off("connection.update", onUpdate);
      next.ev.off("creds.update", onCreds);
    };
    hooks.attach(next);
    armWatchdog(next);
  }

  return {
    /** Starts connecting (in the background: the statuses tell how it goes). */
    start(given: TLifecycleReports) {
      reports.attach(given);
      stopped = false;
      void connect();
    },
    async stop() {
      stopped = true;
      generation += 1;
      qrWaiters = [];
      await teardown();
      await reports.settled();
    },
    async restart(reason: string) {
      log.info({ sessionId, reason }, "restarting the Baileys connection");
      attempt = 0;
      immediateRestarts = 0;
      await connect();
    },
    async logout() {
      const current = socket;
      const wasReady = status === "ready";
      generation += 1;
      // Our listeners go first: the socket's own "logged out" close is this log-out, not news.
      unwire?.();
      unwire = null;
      if (current && wasReady) await current.logout().catch(() => undefined);
      await goDown("logged_out", "Logged out from Switchboard.", "logged out", { before: forgetLogin });
    },
    /**
     * Links by a code typed on the phone: only while the number is not linked. Baileys asks for a
     * code on a socket that is showing a QR; when none is (yet), this waits for the next QR.
     */
    async requestPairingCode(phone: string): Promise<string> {
      const digits = phone.replace(/\D/g, "");
      if (digits.length < 8) throw new Error(`"${phone}" is not a phone number with its country code`);
      if (auth?.isLinked() && status !== "logged_out") throw new Error("this number is already linked; log out first");
      const ready =
        socket && status === "qr"
          ? socket
          : await new Promise<TBaileysSocket>((resolve, reject) => {
              const timer = setTimeout(() => {
                qrWaiters = qrWaiters.filter((waiter) => waiter !== resolve);
                reject(new Error("WhatsApp did not offer a pairing in time; try again"));
              }, PAIRING_WAIT_MS);
              timer.unref();
              qrWaiters.push((of) => {
                clearTimeout(timer);
                resolve(of);
              });
            });
      const code = await ready.requestPairingCode(digits);
      await enqueue((to) => to.onPairingCode(code));
      return code;
    },
    status: () => status,
    /** The socket, while one runs. */
    socket: () => socket,
    isLinked: () => auth?.isLinked() ?? false,
  };
}

export type TBaileysLifecycle = ReturnType<typeof createBaileysLifecycle>;
