import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TOutboundTransport } from "~/server/messaging/outbound";
import type { TAckStatus } from "~/server/messaging/statuses";

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
};

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
};
