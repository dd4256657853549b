import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TOutboundTransport } from "~/server/messaging/outbound";
import type { TAckStatus } from "~/server/messaging/statuses";

export type TSessionStatus = "connecting" | "qr" | "ready" | "disconnected" | "logged_out" | "failed";

/** When a transport that went down will try again: its attempt number (1 = the first retry), after how long, and when. */
export type TReconnectPlan = { attempt: number; delayMs: number; at: Date };

/** What a transport reports to the worker. `onMessage` resolves only after ingest committed. */
export type TTransportHandlers = {
  onMessage: (message: TInboundMessage) => Promise<void>;
  onAck: (ack: { waMessageId: string; status: TAckStatus | "failed" }) => Promise<void>;
  onStatus: (status: {
    status: TSessionStatus;
    phone?: string;
    error?: string;
    qr?: string;
    /** WhatsApp Web's own connection state (`change_state`), reported beside the status. */
    state?: string;
    /** With a status that took the connection down: the reconnect it scheduled. */
    retry?: TReconnectPlan;
  }) => Promise<void>;
};

/**
 * One WhatsApp connection, run by the worker holding its session's lease. Two kinds: the
 * simulator (an in-database phone) and whatsapp-web.js.
 */
export type TTransport = TOutboundTransport & {
  readonly kind: "simulator" | "wwebjs";
  start: (handlers: TTransportHandlers) => Promise<void>;
  stop: () => Promise<void>;
};
