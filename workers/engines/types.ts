import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import type { TDb } from "~/db/client";
import type { Logger } from "~/server/logger";
import type { TMediaDownload } from "~/server/media/receive";
import type { TMediaStore } from "~/server/media/store";
import type { TMessageContent } from "~/server/messages/content";
import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TOutboundTransport } from "~/server/messaging/outbound";
import type { TAckStatus } from "~/server/messaging/statuses";
import type { TEngineDescriptor } from "~/server/sessions/engine-capabilities";
import type { TPresenceState } from "~/server/sessions/presence";
import type { TSessionSettings } from "~/server/sessions/settings";

/** What a connection reports about itself (the session row's statuses, less `new`, which only the web sets). */
export type TSessionStatus = "connecting" | "qr" | "ready" | "disconnected" | "logged_out" | "failed";

/** When a connection that went down will try again: its attempt number (1 = the first retry), after how long, and when. */
export type TReconnectPlan = { attempt: number; delayMs: number; at: Date };

/** A status change of a connection, with what came with it. */
export type TStatusReport = {
  status: TSessionStatus;
  /** The linked number (E.164), once known. */
  phone?: string;
  error?: string;
  /** With a status that took the connection down: the reconnect it scheduled. */
  retry?: TReconnectPlan;
  /** This status starts a connection again after one went down (counted in `wa_sessions.reconnect_count`). */
  reconnect?: true;
};

/** A contact's presence as the engine reports it (`paused`: stopped typing, still in the chat). */
export type TContactPresence = {
  /** The contact as the engine names them: a WhatsApp id (`5511…@s.whatsapp.net`, `…@lid`) or E.164. */
  from: string;
  state: TPresenceState;
  /** When they were last seen, where WhatsApp tells it. */
  lastSeen?: Date;
};

/** What one running session costs in memory (bytes): its own process (`own`), or a share of the worker's (`shared`). */
export type TEngineMemory = { bytes: number; scope: "own" | "shared" };

/** A message a person typed on the linked phone itself (not sent by us): the "echo" side channel. */
export type TPhoneMessage = {
  to: string;
  waMessageId: string;
  body: string;
  /** What it carries, when not a text (`TMessageContent`, repaired when stored). */
  content?: unknown;
  at: Date;
};

/** A delivery receipt of a message we sent (by the engine's id of it). */
export type TAck = { waMessageId: string; status: TAckStatus | "failed" };

/**
 * Everything a running connection reports to the worker, one named place per side channel.
 * Each resolves once the worker has recorded it; `onMessage` only after ingest committed, so
 * nothing is acknowledged to WhatsApp before it is durable.
 */
export type TEngineHandlers = {
  /** A contact wrote. */
  onMessage: (message: TInboundMessage) => Promise<void>;
  /** A message we sent moved on (delivered, read, failed). */
  onAck: (ack: TAck) => Promise<void>;
  /** The connection's status changed (connecting, ready, failed…). */
  onStatus: (report: TStatusReport) => Promise<void>;
  /** A QR code to scan to pair the number (status `qr`); each new code replaces the last. */
  onQr: (qr: string) => Promise<void>;
  /** The engine's own view of its link (whatsapp-web.js's `change_state`: CONNECTED, OPENING, TIMEOUT…), shown beside the status. */
  onConnectionState: (state: string) => Promise<void>;
  /** A person typed a message on the linked phone (engines with the `phoneEcho` capability). */
  onPhoneMessage: (message: TPhoneMessage) => Promise<void>;
  /**
   * The code to type on the phone ("Link with phone number instead"), for the number staff asked
   * to link by code (`requestPairingCode`); shown on the Sessions page until the number is linked.
   */
  onPairingCode: (code: string) => Promise<void>;
  /** A watched contact's presence changed (engines with `contactPresence`): relayed live, never stored. */
  onPresence: (presence: TContactPresence) => Promise<void>;
};

/**
 * One running session of an engine, in the worker that holds the session's lease: it connects,
 * reports through the handlers, and sends (`send`, `findSentMany`: see TOutboundTransport).
 * `restart` and `logout` exist where the engine has a client to restart or a pairing to undo.
 */
export type TEngineConnection = TOutboundTransport & {
  start: (handlers: TEngineHandlers) => Promise<void>;
  stop: () => Promise<void>;
  restart?: (reason: string) => Promise<void>;
  logout?: () => Promise<void>;
  /**
   * Links the number by a code typed on the phone instead of a QR (`pairing.code`): `phone` is
   * E.164. The code arrives through `onPairingCode`; rejects when the engine cannot ask for one now.
   */
  requestPairingCode?: (phone: string) => Promise<void>;
  /**
   * Staff have this contact's conversation open (`to` as in a send: E.164 or a WhatsApp id):
   * ask WhatsApp for their presence (`contactPresence`), reported through `onPresence`. Called
   * again while it stays open; best effort.
   */
  watchPresence?: (to: string) => Promise<void>;
  /** What this session costs in memory now (the runner records it on the session row). */
  memory?: () => Promise<TEngineMemory | null>;
  /**
   * Fetches the file of an inbound media message it marked `media.state = "pending"` (the media
   * job, server/media/receive.ts, calls it and stores what comes out). Resolves null when the
   * engine no longer has the file (WhatsApp expired it); rejects when fetching failed (tried
   * again). The stream must be read or destroyed by the caller.
   */
  downloadMedia?: (
    message: { waMessageId: string; content: TMessageContent },
    signal: AbortSignal,
  ) => Promise<TMediaDownload | null>;
};

/** What an engine's factory gets for one session. */
export type TEngineContext = {
  db: TDb;
  boss: PgBoss;
  log: Logger;
  sessionId: string;
  /** The session's settings, read each time: a change on the Sessions page applies at once. */
  settings: () => TSessionSettings;
  /** The worker's media store (the simulator's phone keeps its files there); absent in tests that run no media. */
  mediaStore?: TMediaStore;
};

/** Worker-wide settings an engine's configuration may use beside its own variables. */
export type TEngineCommonEnv = { APP_SECRET: string };

/**
 * An engine: what it is (the descriptor the worker publishes for the web) and how to run a
 * session of it. `env` declares the environment variables it reads, and turns them into its
 * options (null: this worker does not run it); an engine without `env` runs with no options.
 * Adding an engine = its folder under workers/engines/ and one entry in registry.ts.
 */
export type TEngine<TOptions, TEnv = unknown> = {
  descriptor: TEngineDescriptor;
  env?: {
    schema: z.ZodType<TEnv>;
    options: (env: TEnv, common: TEngineCommonEnv) => TOptions | null;
  };
  connect: (context: TEngineContext, options: TOptions) => TEngineConnection;
};
