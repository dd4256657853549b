import type { TInboundMessage } from "~/server/messaging/inbound-message";
import type { TOutboundTransport } from "~/server/messaging/outbound";
import type { TAckStatus } from "~/server/messaging/statuses";

export type TSessionStatus = "connecting" | "qr" | "ready" | "disconnected" | "logged_out" | "failed";

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
