import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Logger } from "~/server/logger";
import { PRESENCE_CHANNEL, type TPresenceNotice, ZPresenceNotice } from "~/server/sessions/presence";
import { NOTIFICATIONS_CHANNEL, ZNotificationNotice } from "~/server/notifications/notifications";
import { AVAILABILITY_CHANNEL, type TAvailabilityNotice, ZAvailabilityNotice } from "~/server/teams/availability";
import { EVENTS_CHANNEL, type TEventNotice } from "./events";

type TListener = (notice: TEventNotice) => void;

/** A contact's presence (as the worker announced it) as the live event the streams carry; a fresh id each, since none is stored. */
export function presenceEvent(notice: TPresenceNotice): TEventNotice {
  return {
    id: randomUUID(),
    type: "contact.presence",
    sessionId: notice.sessionId,
    contactId: notice.contactId,
    threadId: notice.threadId,
    messageId: null,
    at: notice.at,
    presence: { state: notice.state, lastSeen: notice.lastSeen },
  };
}

/** A person's availability change (as announced in its transaction) as the live event the streams carry. */
export function availabilityEvent(notice: TAvailabilityNotice): TEventNotice {
  return {
    id: randomUUID(),
    type: "user.availability",
    sessionId: null,
    contactId: null,
    threadId: null,
    messageId: null,
    at: notice.at,
    availability: { userId: notice.userId, state: notice.availability },
  };
}

/**
 * One LISTEN connection per web process, fanned out to every open live stream: the stored
 * domain events (`EVENTS_CHANNEL`), the live-only presence of watched contacts
 * (`PRESENCE_CHANNEL`, relayed as `contact.presence`), people's availability changes
 * (`AVAILABILITY_CHANNEL`, relayed as `user.availability`) and new notifications
 * (`NOTIFICATIONS_CHANNEL`, relayed as `notification.created` for one user). Reconnects with backoff when the
 * connection drops; streams stay open meanwhile.
 */
export class EventHub {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly listeners = new Set<TListener>();
  private retryMs = 500;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  /** Live subscribers: one per open event stream (the switchboard_sse_clients gauge). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: TListener): () => void {
    this.listeners.add(listener);
    void this.ensureConnected();
    return () => this.listeners.delete(listener);
  }

  /** Stops listening for good (tests; a web process keeps its hub for its whole life). */
  async close(): Promise<void> {
    this.listeners.clear();
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private emit(notice: TEventNotice) {
    for (const listener of this.listeners) listener(notice);
  }

  ensureConnected(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.url, application_name: "switchboard-web-events" });
    client.on("notification", (message) => {
      if (!message.payload) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.payload);
      } catch {
        return;
      }
      if (message.channel === EVENTS_CHANNEL) {
        // One notification per INSERT statement: an array of its events (migration 0004).
        if (!Array.isArray(parsed)) return;
        for (const notice of parsed as TEventNotice[]) this.emit(notice);
      } else if (message.channel === PRESENCE_CHANNEL) {
        // Anyone who may connect can NOTIFY: only a well-formed notice reaches the streams.
        const notice = ZPresenceNotice.safeParse(parsed);
        if (notice.success) this.emit(presenceEvent(notice.data));
      } else if (message.channel === NOTIFICATIONS_CHANNEL) {
        const notice = ZNotificationNotice.safeParse(parsed);
        if (notice.success) {
          this.emit({
            id: notice.data.id,
            type: "notification.created",
            sessionId: null,
            contactId: null,
            threadId: notice.data.threadId,
            messageId: null,
            at: new Date().toISOString(),
            userId: notice.data.userId,
          });
        }
      } else if (message.channel === AVAILABILITY_CHANNEL) {
        const notice = ZAvailabilityNotice.safeParse(parsed);
        if (notice.success) this.emit(availabilityEvent(notice.data));
      }
    });
    client.on("error", (error) => {
      this.log.warn({ err: error }, "event stream connection lost; reconnecting");
      this.client = null;
      void client.end().catch(() => undefined);
      setTimeout(() => void this.ensureConnected().catch(() => undefined), this.retryMs).unref();
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      await client.query(`LISTEN ${PRESENCE_CHANNEL}`);
      await client.query(`LISTEN ${NOTIFICATIONS_CHANNEL}`);
      await client.query(`LISTEN ${AVAILABILITY_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 500;
    } catch (error) {
      await client.end().catch(() => undefined);
      this.log.warn({ err: error }, "cannot listen for events; retrying");
      setTimeout(() => void this.ensureConnected().catch(() => undefined), this.retryMs).unref();
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    }
  }
}
