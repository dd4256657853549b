import readline from "node:readline";
import type { Readable } from "node:stream";
import { prettyFactory } from "pino-pretty";

export type TLogSink = (source: string, line: string) => void;

/**
 * Where the stack's and its children's lines go. JSON lines (pino) are prettified on a
 * terminal; plain lines (Next.js's own) are tagged with the process that printed them.
 * With `json`, everything is printed as pino JSON for log shippers.
 */
export function createLogSink(options: { json: boolean }): TLogSink {
  const pretty = options.json
    ? null
    : prettyFactory({ colorize: process.stdout.isTTY, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" });
  return (source, line) => {
    if (!line.trim()) return;
    const isJson = line.startsWith("{") && line.endsWith("}");
    if (pretty) {
      process.stdout.write(isJson ? pretty(line) : `[${source}] ${line}\n`);
    } else {
      process.stdout.write(
        isJson ? `${line}\n` : `${JSON.stringify({ level: 30, time: Date.now(), name: source, msg: line })}\n`,
      );
    }
  };
}

/** Feeds every line of a child's stream to the sink. */
export function pipeLines(stream: Readable | null, source: string, sink: TLogSink): void {
  if (!stream) return;
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => sink(source, line));
}
