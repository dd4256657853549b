import pino, { type DestinationStream, type Logger } from "pino";
import { webLogLevel, type TLogLevel } from "~/server/env";

export type { Logger };

/**
 * Structured JSON logs (pino) for every process; `npm start` prettifies them on a terminal.
 * `name` says which process or module wrote the line. The level has no default: each process
 * passes its LOG_LEVEL (the web through `webLogger`), so no logger can ignore it.
 */
export function createLogger(name: string, level: TLogLevel, destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger of the web process (route handlers, the event hub, health) at the web's LOG_LEVEL. */
export function webLogger(name: string, destination?: DestinationStream): Logger {
  return createLogger(name, webLogLevel(), destination);
}
