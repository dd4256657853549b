import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs (pino) for every process; `npm start` prettifies them on a terminal.
 * `name` says which process or module wrote the line.
 */
export function createLogger(name: string, level = "info", destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}
