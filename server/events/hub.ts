import pg from "pg";
import type { Logger } from "~/server/logger";
import { EVENTS_CHANNEL, type TEventNotice } from "./events";

type TListener = (notice: TEventNotice) => void;

/**
 * One LISTEN connection per web process, fanned out to every open live stream. Reconnects with
 * backoff when the connection drops; streams stay open meanwhile.
 */
export class EventHub {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly listeners = new Set<TListener>();
  private retryMs = 500;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  subscribe(listener: TListener): () => void {
    this.listeners.add(listener);
    void this.ensureConnected();
    return () => this.listeners.delete(listener);
  }

  ensureConnected(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.url, application_name: "switchboard-web-events" });
    client.on("notification", (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      let notices: unknown;
      try {
        // One notification per INSERT statement: an array of its events (migration 0004).
        notices = JSON.parse(message.payload);
      } catch {
        return;
      }
      if (!Array.isArray(notices)) return;
      for (const notice of notices as TEventNotice[]) for (const listener of this.listeners) listener(notice);
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
