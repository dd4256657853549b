import pg from "pg";
import type { Logger } from "~/server/logger";
import { SESSION_REQUESTS_CHANNEL, type TSessionRequest, ZSessionRequest } from "~/server/sessions/requests";

/**
 * The worker's ear for requests the web announces about sessions (server/sessions/requests.ts):
 * one LISTEN connection, reconnected with backoff when it drops. A request missed while it is
 * down is not lost for good: control requests are on the session row (the next lease tick
 * reads them), presence requests are repeated by the Inbox.
 */
export function listenForSessionRequests(options: {
  databaseUrl: string;
  log: Logger;
  onRequest: (request: TSessionRequest) => void;
}) {
  const { log } = options;
  let client: pg.Client | null = null;
  let stopped = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;

  const retry = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 30_000);
  };

  async function connect() {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: "switchboard-session-requests",
    });
    next.on("notification", (message) => {
      if (message.channel !== SESSION_REQUESTS_CHANNEL || !message.payload) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.payload);
      } catch {
        return;
      }
      const request = ZSessionRequest.safeParse(parsed);
      if (request.success) options.onRequest(request.data);
    });
    next.on("error", (error) => {
      log.warn({ err: error }, "session requests connection lost; reconnecting");
      if (client === next) client = null;
      void next.end().catch(() => undefined);
      retry();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${SESSION_REQUESTS_CHANNEL}`);
      if (stopped) {
        await next.end().catch(() => undefined);
        return;
      }
      client = next;
      retryMs = 500;
    } catch (error) {
      await next.end().catch(() => undefined);
      log.warn({ err: error }, "cannot listen for session requests; retrying");
      retry();
    }
  }

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
