import { readFile } from "node:fs/promises";
import type { Logger } from "~/server/logger";
import type { TPostgresAuthStore } from "~/server/sessions/auth-store";
import type { TEngineHandlers, TEngineMemory, TReconnectPlan, TSessionStatus, TStatusReport } from "../types";
import { createReportQueue, reconnectPlan } from "../supervision";
import type { TWwebjsClient, TWwebjsClientFactory } from "./client";

/**
 * The whatsapp-web.js client's life: creating and initialising it, the lifecycle events
 * (QR, authenticated, auth failure, ready, state, disconnected), reconnecting with backoff, a
 * watchdog for a `ready` that never comes or a Chromium that grows too big, log-out (which
 * clears the stored session), and making sure every Chromium it started is gone when it stops.
 * The backoff starts over only once a connection has stayed `ready` for `stableAfterMs`: a
 * connection that flaps (ready, dropped, ready…) backs off like one that never connects,
 * instead of reconnecting in a storm. Messages and acks are not its business: each new client
 * is handed to `attach` (index.ts wires those events), and `detach` runs when it goes.
 */

export type TWwebjsLifecycleOptions = {
  sessionId: string;
  log: Logger;
  store: TPostgresAuthStore;
  createClient: TWwebjsClientFactory;
  /** Where RemoteAuth unpacks the browser profile while the client runs. */
  dataPath: string;
  chromiumPath: string;
  /** Pin WhatsApp Web to this version (a deployment setting), or null for the current one. */
  webVersion: string | null;
  /** Restart a client that shows neither a QR nor `ready` within this long. */
  readyTimeoutMs: number;
  /** Restart a client whose Chromium uses more memory than this (MB, resident). */
  memoryLimitMb: number;
  /** Reconnect backoff: from this, doubling, to `maxBackoffMs`, with jitter. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** The backoff starts over once the client has stayed `ready` this long (default 2 min). */
  stableAfterMs?: number;
  /** The backoff's jitter source (tests make it fixed). */
  random?: () => number;
};

/** The lifecycle's side channels: the handlers it reports to. */
type TLifecycleReports = Pick<TEngineHandlers, "onStatus" | "onQr" | "onConnectionState">;

/** How long a connection must stay `ready` before its reconnect backoff starts over. */
export const DEFAULT_STABLE_AFTER_MS = 120_000;

/** Resident memory of a process and its children (KB), from /proc; null where /proc is not there. */
async function residentKb(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const own = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    let children = 0;
    const list = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
    for (const child of list.split(/\s+/).filter(Boolean)) children += (await residentKb(Number(child))) ?? 0;
    return own + children;
  } catch {
    return null;
  }
}

/**
 * What a client costs: the resident memory of its Chromium and every process under it (renderers,
 * GPU, zygotes), its own (`own`) rather than a share of the worker's. Null while no browser runs
 * (starting, reconnecting) or where /proc is not there.
 */
export async function chromiumMemory(client: Pick<TWwebjsClient, "pupBrowser"> | null): Promise<TEngineMemory | null> {
  const pid = client?.pupBrowser?.process()?.pid;
  if (!pid) return null;
  const kb = await residentKb(pid);
  return kb === null ? null : { bytes: kb * 1024, scope: "own" };
}

/** Why `initialize()` failed, in words for the Sessions page. */
export function describeStartFailure(error: unknown): string {
  const message = (error as Error | undefined)?.message ?? String(error);
  if (/ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION/.test(message))
    return `WhatsApp Web is unreachable from this machine (${message.split("\n")[0]})`;
  if (/decrypt|tampered|APP_SECRET/.test(message))
    return `The stored session cannot be used: ${message}. Log out and link the number again.`;
  return `WhatsApp Web failed to start: ${message.split("\n")[0]}`;
}

export function createWwebjsLifecycle(
  options: TWwebjsLifecycleOptions,
  hooks: { attach: (client: TWwebjsClient) => void; detach: () => void },
) {
  const { log, sessionId } = options;
  let client: TWwebjsClient | null = null;
  const reports = createReportQueue<TLifecycleReports>(log, sessionId);
  let status: TSessionStatus = "connecting";
  let stopped = false;
  let attempt = 0;
  const stableAfterMs = options.stableAfterMs ?? DEFAULT_STABLE_AFTER_MS;
  const random = options.random ?? Math.random;
  let reconnectTimer: NodeJS.Timeout | undefined;
  /** Armed on `ready`: when it fires, the connection has proven stable and the backoff starts over. */
  let stableTimer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let memoryTimer: NodeJS.Timeout | undefined;

  const { enqueue } = reports;
  const report = (next: TSessionStatus, detail: Omit<TStatusReport, "status"> = {}) => {
    status = next;
    return enqueue((to) => to.onStatus({ status: next, ...detail }));
  };
  const reportQr = (qr: string) => {
    status = "qr";
    return enqueue((to) => to.onQr(qr));
  };

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearTimeout(stableTimer);
    clearTimeout(watchdog);
    clearInterval(memoryTimer);
  };

  /** Destroys the client and makes sure its Chromium is gone (no orphans). */
  const teardown = async () => {
    const current = client;
    client = null;
    clearTimers();
    hooks.detach();
    if (!current) return;
    current.removeAllListeners();
    const browser = current.pupBrowser?.process() ?? null;
    await Promise.race([
      current.destroy().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    if (browser?.pid) {
      try {
        process.kill(browser.pid, 0);
        browser.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  };

  /** The next reconnect: its attempt number, delay and time, reported with the status that caused it. */
  const planReconnect = (): TReconnectPlan => {
    attempt += 1;
    return reconnectPlan(attempt, options, random);
  };

  const startReconnect = (plan: TReconnectPlan, reason: string) => {
    if (stopped) return;
    log.warn({ sessionId, reason, attempt: plan.attempt, delayMs: plan.delayMs }, "WhatsApp client down; reconnecting");
    clearTimeout(reconnectTimer);
    // Due at the time the status showed, however long the teardown took.
    reconnectTimer = setTimeout(() => void connect(), Math.max(0, plan.at.getTime() - Date.now()));
    reconnectTimer.unref();
  };

  const forgetStoredSession = () =>
    options.store.delete({ session: sessionId }).then(
      () => undefined,
      () => undefined,
    );

  /** Reports the client down (with when it will try again), tears it down, and schedules the reconnect. */
  const goDown = async (next: TSessionStatus, error: string, reason: string, before?: () => Promise<void>) => {
    // A stopped connection does not come back: the status says so without a retry.
    const plan = stopped ? undefined : planReconnect();
    await teardown();
    await before?.();
    await report(next, { error, ...(plan ? { retry: plan } : {}) });
    if (plan) startReconnect(plan, reason);
  };

  const armWatchdog = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (status === "ready" || status === "qr" || stopped) return;
      void goDown(
        "failed",
        `WhatsApp Web did not become ready within ${options.readyTimeoutMs / 1000} s`,
        "ready timeout",
      );
    }, options.readyTimeoutMs);
    watchdog.unref();
  };

  const watchMemory = () => {
    clearInterval(memoryTimer);
    memoryTimer = setInterval(() => {
      const pid = client?.pupBrowser?.process()?.pid;
      if (!pid) return;
      void residentKb(pid).then(async (kb) => {
        if (kb === null || kb / 1024 <= options.memoryLimitMb || stopped) return;
        log.warn(
          { sessionId, rssMb: Math.round(kb / 1024), limitMb: options.memoryLimitMb },
          "Chromium over its memory limit; restarting",
        );
        await goDown(
          "disconnected",
          `Chromium used ${Math.round(kb / 1024)} MB (limit ${options.memoryLimitMb} MB); restarting`,
          "memory limit",
        );
      });
    }, 30_000);
    memoryTimer.unref();
  };

  /** The client's lifecycle events (messages and acks are wired by index.ts through `attach`). */
  const wire = (next: TWwebjsClient) => {
    next.on("qr", (qr: string) => void reportQr(qr));
    next.on("authenticated", () => void report("connecting"));
    next.on("auth_failure", (message: string) => {
      void (async () => {
        await report("failed", { error: `WhatsApp refused the stored session: ${message}` });
        await forgetStoredSession();
      })();
    });
    next.on("ready", () => {
      // Not a reset yet: only a connection that stays up for `stableAfterMs` starts the backoff over.
      clearTimeout(stableTimer);
      stableTimer = setTimeout(() => {
        if (client === next && status === "ready") attempt = 0;
      }, stableAfterMs);
      stableTimer.unref();
      clearTimeout(watchdog);
      watchMemory();
      const user = next.info?.wid?.user;
      void report("ready", user ? { phone: `+${user}` } : {});
    });
    next.on("change_state", (state: string) => void enqueue((to) => to.onConnectionState(state)));
    next.on("disconnected", (reason: string) => {
      if (reason === "LOGOUT") {
        // A new client shows a fresh QR to link again.
        void goDown(
          "logged_out",
          "The phone logged this device out; scan a new QR code to link it again.",
          "logged out",
          forgetStoredSession,
        );
        return;
      }
      void goDown("disconnected", `Disconnected: ${reason}`, String(reason));
    });
  };

  /** Clients created so far: every one after the first is a reconnect (counted on the session row). */
  let connects = 0;

  async function connect() {
    if (stopped) return;
    await teardown();
    connects += 1;
    await report("connecting", connects > 1 ? { reconnect: true } : {});
    let next: TWwebjsClient;
    try {
      next = options.createClient({
        sessionId,
        store: options.store,
        dataPath: options.dataPath,
        chromiumPath: options.chromiumPath,
        webVersion: options.webVersion,
      });
    } catch (error) {
      await goDown("failed", `Could not create the WhatsApp client: ${(error as Error).message}`, "create failed");
      return;
    }
    client = next;
    wire(next);
    hooks.attach(next);
    armWatchdog();
    try {
      await next.initialize();
    } catch (error) {
      if (client !== next || stopped) return;
      const reason = describeStartFailure(error);
      await goDown("failed", reason, reason);
    }
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
      await teardown();
    },
    async restart(reason: string) {
      log.info({ sessionId, reason }, "restarting the WhatsApp client");
      attempt = 0;
      await connect();
    },
    async logout() {
      const current = client;
      if (current && status === "ready") await current.logout().catch(() => undefined);
      await goDown("logged_out", "Logged out from Switchboard.", "logged out", forgetStoredSession);
    },
    status: () => status,
    /** Its Chromium's resident memory now (the runner samples it for the Sessions page and health). */
    memory: () => chromiumMemory(client),
    /** The client, while one runs. */
    client: () => client,
  };
}
