import type { EventEmitter } from "node:events";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as WAWebJS from "whatsapp-web.js";
import path from "node:path";
import type { Logger } from "~/server/logger";
import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TPostgresAuthStore } from "~/server/sessions/auth-store";
import type { TReconnectPlan, TSessionStatus, TTransport, TTransportHandlers } from "./types";
import { CHROMIUM_FLAGS } from "~/server/lib/chromium";

/**
 * The whatsapp-web.js transport: the only module that drives a WhatsApp Web client. It maps
 * the library's events to the worker's (QR, authenticated, ready, messages, acks, state,
 * disconnects), supervises the client (reconnect with backoff, a watchdog for a `ready` that
 * never comes or a Chromium that grows too big, LOGOUT clears the stored session) and makes
 * sure every Chromium it started is gone when it stops. The backoff starts over only once a
 * connection has stayed `ready` for `stableAfterMs`: a connection that flaps (ready, dropped,
 * ready…) backs off like one that never connects, instead of reconnecting in a storm.
 */

/** The part of whatsapp-web.js's Message the transport reads (the fake client in tests has the same shape). */
export type TWwebjsMessage = {
  id: { _serialized: string; fromMe: boolean };
  from: string;
  to: string;
  author?: string;
  body: string;
  type: string;
  timestamp: number;
  fromMe: boolean;
  hasMedia: boolean;
  ack?: number;
  isStatus?: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string };
  vCards?: string[];
  _data?: { notifyName?: string; mimetype?: string; filename?: string; size?: number };
};

/** The part of whatsapp-web.js's Client the transport uses. */
export type TWwebjsClient = EventEmitter & {
  initialize: () => Promise<void>;
  destroy: () => Promise<void>;
  logout: () => Promise<void>;
  sendMessage: (chatId: string, content: string) => Promise<TWwebjsMessage>;
  getChatById: (chatId: string) => Promise<{ sendStateTyping: () => Promise<void>; clearState: () => Promise<void> }>;
  info?: { wid?: { user?: string } };
  pupBrowser?: { process: () => { pid?: number; kill: (signal?: NodeJS.Signals) => boolean } | null } | null;
};

export type TWwebjsClientFactory = (options: {
  sessionId: string;
  store: TPostgresAuthStore;
  dataPath: string;
  chromiumPath: string;
  webVersion: string | null;
}) => TWwebjsClient;

export type TWwebjsOptions = {
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
  /** Show "typing…" while the bot prepares a reply (cleared when it is sent, or after this long); read each time, so a settings change applies at once. */
  typing: () => { enabled: boolean; maxMs: number };
};

/** whatsapp-web.js's ack levels: -1 error, 0 pending, 1 server, 2 device, 3 read, 4 played. */
export function ackStatus(ack: number): "delivered" | "read" | "failed" | null {
  if (ack === -1) return "failed";
  if (ack === 2) return "delivered";
  if (ack >= 3) return "read";
  return null;
}

const TYPES: Record<string, string> = {
  chat: "text",
  image: "image",
  video: "video",
  audio: "audio",
  ptt: "voice",
  document: "document",
  sticker: "sticker",
  location: "location",
  vcard: "contact",
  multi_vcard: "contact",
};

/** Group chats, status updates and channels are not conversations with a contact. */
export function isIgnoredChat(message: TWwebjsMessage): boolean {
  return (
    message.isStatus === true ||
    message.from === "status@broadcast" ||
    /@(g\.us|broadcast|newsletter)$/.test(message.from)
  );
}

/** A library message as the pipeline's inbound message. */
export function toInboundMessage(sessionId: string, message: TWwebjsMessage): TInboundMessage {
  const type = TYPES[message.type] ?? message.type;
  let body = message.body ?? "";
  if (type === "location" && message.location) {
    const { latitude, longitude, description } = message.location;
    body = `${description ? `${description} ` : ""}(${latitude}, ${longitude})`;
  } else if (type === "contact" && message.vCards?.length) {
    body = message.vCards.join("\n");
  }
  return {
    sessionId,
    waMessageId: message.id._serialized,
    from: message.from,
    ...(message._data?.notifyName ? { pushName: message._data.notifyName } : {}),
    type,
    body,
    ...(message.hasMedia
      ? {
          media: {
            ...(message._data?.mimetype ? { mimeType: message._data.mimetype } : {}),
            ...(message._data?.filename ? { fileName: message._data.filename } : {}),
            ...(typeof message._data?.size === "number" ? { size: message._data.size } : {}),
          },
        }
      : {}),
    sentAt: new Date(message.timestamp * 1000),
  };
}

/** A chat id for an E.164 number. */
export function chatIdOf(to: string): string {
  return `${to.replace(/^\+/, "")}@c.us`;
}

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

export type TPhoneMessage = { to: string; waMessageId: string; body: string; at: Date };

/** How long a connection must stay `ready` before its reconnect backoff starts over. */
export const DEFAULT_STABLE_AFTER_MS = 120_000;

export function createWwebjsTransport(
  options: TWwebjsOptions,
  extra: { onPhoneMessage: (message: TPhoneMessage) => Promise<void> },
): TTransport & {
  restart: (reason: string) => Promise<void>;
  logout: () => Promise<void>;
  status: () => TSessionStatus;
} {
  const { log, sessionId } = options;
  let client: TWwebjsClient | null = null;
  let handlers: TTransportHandlers | null = null;
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
  /** Ids of messages Switchboard sent, so `message_create` can tell them from a person typing on the phone. */
  const sentByUs = new Set<string>();
  const sentRefs = new Map<string, string>();
  const typingTimers = new Map<string, NodeJS.Timeout>();
  /** Bodies being sent per chat, until `sendMessage` resolves. */
  const inFlight = new Map<string, string[]>();

  /** Status reports are written one after another, in the order the events came. */
  let reports: Promise<void> = Promise.resolve();
  const report = (
    next: TSessionStatus,
    detail: { phone?: string; error?: string; qr?: string; state?: string; retry?: TReconnectPlan } = {},
  ) => {
    if (!detail.state) status = next;
    reports = reports.then(() =>
      (handlers?.onStatus({ status: next, ...detail }) ?? Promise.resolve()).catch((error: unknown) => {
        log.warn({ err: error, sessionId }, "could not record the session status");
      }),
    );
    return reports;
  };

  const clearTimers = () => {
    clearTimeout(reconnectTimer);
    clearTimeout(stableTimer);
    clearTimeout(watchdog);
    clearInterval(memoryTimer);
    for (const timer of typingTimers.values()) clearTimeout(timer);
    typingTimers.clear();
  };

  /** Destroys the client and makes sure its Chromium is gone (no orphans). */
  const teardown = async () => {
    const current = client;
    client = null;
    clearTimers();
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
    const base = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** Math.min(attempt - 1, 40));
    const delayMs = Math.round(base * (0.8 + 0.4 * random()));
    return { attempt, delayMs, at: new Date(Date.now() + delayMs) };
  };

  const startReconnect = (plan: TReconnectPlan, reason: string) => {
    if (stopped) return;
    log.warn({ sessionId, reason, attempt: plan.attempt, delayMs: plan.delayMs }, "WhatsApp client down; reconnecting");
    clearTimeout(reconnectTimer);
    // Due at the time the status showed, however long the teardown took.
    reconnectTimer = setTimeout(() => void connect(), Math.max(0, plan.at.getTime() - Date.now()));
    reconnectTimer.unref();
  };

  /** Reports the client down (with when it will try again), tears it down, and schedules the reconnect. */
  const goDown = async (next: TSessionStatus, error: string, reason: string, before?: () => Promise<void>) => {
    // A stopped transport does not come back: the status says so without a retry.
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

  const stopTyping = (chatId: string) => {
    const timer = typingTimers.get(chatId);
    if (!timer) return;
    clearTimeout(timer);
    typingTimers.delete(chatId);
    void client
      ?.getChatById(chatId)
      .then((chat) => chat.clearState())
      .catch(() => undefined);
  };

  const startTyping = (chatId: string) => {
    const typing = options.typing();
    if (!typing.enabled || !client) return;
    stopTyping(chatId);
    void client
      .getChatById(chatId)
      .then((chat) => chat.sendStateTyping())
      .catch(() => undefined);
    const timer = setTimeout(() => stopTyping(chatId), typing.maxMs);
    timer.unref();
    typingTimers.set(chatId, timer);
  };

  const wire = (next: TWwebjsClient) => {
    next.on("qr", (qr: string) => void report("qr", { qr }));
    next.on("authenticated", () => void report("connecting"));
    next.on("auth_failure", (message: string) => {
      void (async () => {
        await report("failed", { error: `WhatsApp refused the stored session: ${message}` });
        await options.store.delete({ session: sessionId }).catch(() => undefined);
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
    next.on("message", (message: TWwebjsMessage) => {
      if (message.fromMe || isIgnoredChat(message)) return;
      void (async () => {
        try {
          await handlers?.onMessage(toInboundMessage(sessionId, message));
          startTyping(message.from);
        } catch (error) {
          log.error({ err: error, sessionId, waMessageId: message.id._serialized }, "could not store a message");
        }
      })();
    });
    next.on("message_create", (message: TWwebjsMessage) => {
      // Typed on the linked phone by a person, not sent by Switchboard: they take the thread over.
      if (!message.fromMe || sentByUs.has(message.id._serialized) || isIgnoredChat({ ...message, from: message.to })) {
        return;
      }
      // The library may announce our own send before `sendMessage` resolves with its id.
      const pending = inFlight.get(message.to);
      const index = pending?.indexOf(message.body) ?? -1;
      if (pending && index >= 0) {
        pending.splice(index, 1);
        sentByUs.add(message.id._serialized);
        return;
      }
      const to = message.to.replace(/@(c\.us|s\.whatsapp\.net)$/, "");
      void extra
        .onPhoneMessage({
          to: `+${to}`,
          waMessageId: message.id._serialized,
          body: message.body ?? "",
          at: new Date(message.timestamp * 1000),
        })
        .catch((error: unknown) =>
          log.error({ err: error, sessionId }, "could not record a message typed on the phone"),
        );
    });
    next.on("message_ack", (message: TWwebjsMessage, ack: number) => {
      const mapped = ackStatus(ack);
      if (!mapped) return;
      void handlers
        ?.onAck({ waMessageId: message.id._serialized, status: mapped })
        .catch((error: unknown) => log.warn({ err: error, sessionId }, "could not apply an ack"));
    });
    next.on("change_state", (state: string) => void report(status, { state }));
    next.on("disconnected", (reason: string) => {
      if (reason === "LOGOUT") {
        // A new client shows a fresh QR to link again.
        void goDown(
          "logged_out",
          "The phone logged this device out; scan a new QR code to link it again.",
          "logged out",
          () =>
            options.store.delete({ session: sessionId }).then(
              () => undefined,
              () => undefined,
            ),
        );
        return;
      }
      void goDown("disconnected", `Disconnected: ${reason}`, String(reason));
    });
  };

  async function connect() {
    if (stopped) return;
    await teardown();
    await report("connecting");
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
    armWatchdog();
    try {
      await next.initialize();
    } catch (error) {
      if (client !== next || stopped) return;
      const message = (error as Error).message ?? String(error);
      const reason = /ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION/.test(message)
        ? `WhatsApp Web is unreachable from this machine (${message.split("\n")[0]})`
        : /decrypt|tampered|APP_SECRET/.test(message)
          ? `The stored session cannot be used: ${message}. Log out and link the number again.`
          : `WhatsApp Web failed to start: ${message.split("\n")[0]}`;
      await goDown("failed", reason, reason);
    }
  }

  return {
    kind: "wwebjs",
    async start(given) {
      handlers = given;
      stopped = false;
      void connect();
      return Promise.resolve();
    },
    async stop() {
      stopped = true;
      await teardown();
    },
    async restart(reason) {
      log.info({ sessionId, reason }, "restarting the WhatsApp client");
      attempt = 0;
      await connect();
    },
    async logout() {
      const current = client;
      if (current && status === "ready") await current.logout().catch(() => undefined);
      await goDown("logged_out", "Logged out from Switchboard.", "logged out", () =>
        options.store.delete({ session: sessionId }).then(
          () => undefined,
          () => undefined,
        ),
      );
    },
    status: () => status,
    async send(message) {
      if (!client || status !== "ready") throw new Error(`the WhatsApp session is not ready (${status})`);
      const chatId = chatIdOf(message.to);
      stopTyping(chatId);
      const pending = inFlight.get(chatId) ?? [];
      pending.push(message.body);
      inFlight.set(chatId, pending);
      let sent: TWwebjsMessage;
      try {
        sent = await client.sendMessage(chatId, message.body);
      } finally {
        const index = pending.indexOf(message.body);
        if (index >= 0) pending.splice(index, 1);
        if (pending.length === 0) inFlight.delete(chatId);
      }
      sentByUs.add(sent.id._serialized);
      if (sentByUs.size > 10_000) sentByUs.delete(sentByUs.values().next().value!);
      sentRefs.set(message.clientRef, sent.id._serialized);
      if (sentRefs.size > 10_000) sentRefs.delete(sentRefs.keys().next().value!);
      return { waMessageId: sent.id._serialized };
    },
    findSentMany(list) {
      // A retry after a send this process made but could not record: the same id, no second send.
      return Promise.resolve(
        new Map(
          list.flatMap((item) =>
            sentRefs.has(item.clientRef) ? [[item.clientRef, sentRefs.get(item.clientRef)!]] : [],
          ),
        ),
      );
    },
  };
}

/** The real whatsapp-web.js client on the system Chromium, with the session in Postgres. */
export const createRealWwebjsClient: TWwebjsClientFactory = (options) => {
  // Loaded here only, on first use: nothing else imports whatsapp-web.js.
  const { Client, RemoteAuth } = createRequire(import.meta.url)("whatsapp-web.js") as typeof WAWebJS;
  return new Client({
    authStrategy: new RemoteAuth({
      clientId: options.sessionId,
      store: options.store,
      dataPath: options.dataPath,
      backupSyncIntervalMs: 300_000,
    }),
    puppeteer: {
      executablePath: options.chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
    },
    ...(options.webVersion
      ? {
          webVersion: options.webVersion,
          webVersionCache: { type: "local", path: path.join(options.dataPath, "web-version-cache") },
        }
      : {}),
  }) as unknown as TWwebjsClient;
};
