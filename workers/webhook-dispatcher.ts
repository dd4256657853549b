import pg from "pg";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import type { Logger } from "~/server/logger";
import { dispatchPendingDeliveries } from "~/server/webhooks/deliver";

/** The NOTIFY channel of the fan-out trigger (migration 0013). */
const CHANNEL = "switchboard_webhooks";
/** Backstop when a notification is missed (a reconnect, another worker's lock). */
const POLL_MS = 1_000;

/**
 * Moves new webhook deliveries onto the `webhook.deliver` queue as soon as their events commit:
 * woken by the trigger's NOTIFY on its own LISTEN connection, with a 1 s poll as a backstop.
 * One dispatch runs at a time per worker; several workers share the work (skip locked).
 */
export function startWebhookDispatcher(options: { db: TDb; boss: PgBoss; log: Logger; databaseUrl: string }) {
  const { db, boss, log } = options;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let client: pg.Client | null = null;

  const dispatch = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          // A full batch means more may be waiting: go on at once.
          while (!stopped && (await dispatchPendingDeliveries(db, boss)) >= 500);
        } catch (error) {
          log.warn({ err: error }, "webhook dispatch failed; retrying");
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };

  const listen = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: options.databaseUrl, application_name: "switchboard-webhooks" });
    next.on("notification", dispatch);
    next.on("error", (error) => {
      log.warn({ err: error }, "webhook notification connection lost; reconnecting");
      client = null;
      void next.end().catch(() => undefined);
      setTimeout(() => void listen(), 1_000).unref();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
      client = next;
      dispatch();
    } catch (error) {
      log.warn({ err: error }, "could not listen for webhook notifications; polling meanwhile");
      void next.end().catch(() => undefined);
      setTimeout(() => void listen(), 2_000).unref();
    }
  };

  const timer = setInterval(dispatch, POLL_MS);
  timer.unref();
  void listen();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await client?.end().catch(() => undefined);
    },
  };
}
