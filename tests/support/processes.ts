import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export type TSpawned = {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
};

/** Runs a TypeScript entry point of ours with Node 24 and tsx, collecting its output. */
export type TEnv = Record<string, string | undefined>;

export function spawnTs(entry: string, args: string[], env: TEnv, nodeArgs: string[] = []): TSpawned {
  const started = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, afterMs: Date.now() - started })),
  );
  return { child, output: () => out + err, stderr: () => err, exited };
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string | (() => string | Promise<string>),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      // A check may give up for good by throwing an error whose message starts with this.
      if (error instanceof Error && error.message.startsWith("the stack exited early")) throw error;
      lastError = error;
      return undefined;
    });
    if (value) return value;
    if (Date.now() > deadline) {
      const described =
        typeof what === "string"
          ? what
          : await Promise.resolve()
              .then(what)
              .catch((error: unknown) => String(error));
      const failed = lastError instanceof Error ? ` (the last check failed: ${lastError.message})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}${failed}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
