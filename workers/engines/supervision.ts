import type { Logger } from "~/server/logger";
import type { TReconnectPlan } from "./types";

/**
 * What every engine that keeps a connection of its own (whatsapp-web.js, Baileys) does the same
 * way around it: its reports recorded one after another, and the reconnect backoff.
 */

/**
 * A connection's reports to the worker, recorded one after another in the order its events
 * came (a status must never overtake the one before it); one that cannot be recorded is logged,
 * never thrown into the library's event handlers. Reports made before `attach` are dropped.
 */
export function createReportQueue<TReports>(log: Logger, sessionId: string) {
  let target: TReports | null = null;
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (record: (to: TReports) => Promise<void>): Promise<void> => {
    chain = chain.then(() =>
      (target ? record(target) : Promise.resolve()).catch((error: unknown) => {
        log.warn({ err: error, sessionId }, "could not record the session status");
      }),
    );
    return chain;
  };
  return {
    attach: (reports: TReports) => {
      target = reports;
    },
    enqueue,
    /** Resolves once every report made so far is recorded (or failed). */
    settled: () => chain,
  };
}

/**
 * Reconnect attempt `attempt` (1 = the first retry): `minBackoffMs` doubling up to
 * `maxBackoffMs`, with ±20 % jitter so many numbers that went down together do not come back
 * together, due at a fixed time (the status shows it, however long the teardown takes).
 */
export function reconnectPlan(
  attempt: number,
  backoff: { minBackoffMs: number; maxBackoffMs: number },
  random: () => number,
): TReconnectPlan {
  const base = Math.min(backoff.maxBackoffMs, backoff.minBackoffMs * 2 ** Math.min(attempt - 1, 40));
  const delayMs = Math.round(base * (0.8 + 0.4 * random()));
  return { attempt, delayMs, at: new Date(Date.now() + delayMs) };
}
