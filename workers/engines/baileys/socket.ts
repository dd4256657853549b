import type {
  AnyMessageContent,
  AuthenticationState,
  BaileysEventMap,
  Contact,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from "@whiskeysockets/baileys";

/**
 * The slice of Baileys' socket (`makeWASocket`'s return) the engine uses, so the lifecycle and
 * the wiring can run on the real library or on the test's fake (tests/support/fake-baileys.ts)
 * alike. Only type imports here: the library itself is loaded on first use, in the worker alone.
 */

/** Baileys' event emitter as we use it: its own event names and payloads (`BaileysEventMap`). */
export type TBaileysEvents = {
  on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
  off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
};

export type TBaileysSocket = {
  ev: TBaileysEvents;
  /** The linked account (`5511…:12@s.whatsapp.net`), once WhatsApp told it. */
  readonly user: Contact | undefined;
  sendMessage: (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ) => Promise<WAMessage | undefined>;
  /** Asks WhatsApp for the code to type on the phone (digits only, country code first). */
  requestPairingCode: (phoneNumber: string) => Promise<string>;
  presenceSubscribe: (jid: string) => Promise<void>;
  sendPresenceUpdate: (type: WAPresence, jid?: string) => Promise<void>;
  logout: (message?: string) => Promise<void>;
  end: (error: Error | undefined) => void;
};

/** A pino-compatible logger as Baileys takes it (`ILogger`). */
export type TBaileysLogger = {
  level: string;
  child: (bindings: Record<string, unknown>) => TBaileysLogger;
  trace: (...args: unknown[]) => void;
  debug: (...args: unknown[]) => void;
  info: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
};

/** What the lifecycle gives a new socket: our auth state and the options it always sets. */
export type TBaileysSocketConfig = {
  auth: AuthenticationState;
  logger: TBaileysLogger;
  browser: [string, string, string];
  printQRInTerminal: false;
  markOnlineOnConnect: false;
  syncFullHistory: false;
  shouldSyncHistoryMessage: () => boolean;
  /** How long the socket waits for WhatsApp to answer the connection (Baileys' own timeout). */
  connectTimeoutMs: number;
};

/** Creates one socket (one connection attempt): the real library, or the tests' fake. */
export type TBaileysSocketFactory = (config: TBaileysSocketConfig) => Promise<TBaileysSocket>;

/**
 * The real library's socket. Baileys is imported here, on the first connection of a Baileys
 * session, so the web and the workers that run no such session never load it.
 */
export const createRealBaileysSocket: TBaileysSocketFactory = async (config) => {
  const { makeWASocket } = await import("@whiskeysockets/baileys");
  // Our logger type is the subset of pino's that Baileys calls.
  return makeWASocket(config);
};
