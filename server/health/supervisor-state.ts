import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";

/**
 * What the `npm start` supervisor knows about the processes it runs (web and worker): whether
 * each is running or waiting to be restarted, how often it was restarted, how it last ended.
 * Only the supervisor knows this, and it is a separate process from the web; it writes the
 * state to a small JSON file in DATA_DIR (replaced atomically on every change) and tells the
 * web where through `SUPERVISOR_STATE_FILE`. A web run by a process manager has no such file
 * and reports no supervisor (restarts are that manager's job).
 */
export const CHILD_STATES = ["starting", "running", "restarting", "stopping", "stopped", "failed"] as const;

export const ZChildExit = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  at: z.iso.datetime(),
});
export type TChildExit = z.infer<typeof ZChildExit>;

export const ZChildStatus = z.object({
  name: z.string(),
  state: z.enum(CHILD_STATES),
  /** Not shown by /api/health (public); kept for operators and tests. */
  pid: z.number().int().nullable(),
  restarts: z.number().int().min(0),
  startedAt: z.iso.datetime().nullable(),
  lastExit: ZChildExit.nullable(),
  lastRestartAt: z.iso.datetime().nullable(),
  /** While `restarting`: when the next start is due. */
  nextRestartAt: z.iso.datetime().nullable(),
});
export type TChildStatus = z.infer<typeof ZChildStatus>;

export const ZSupervisorState = z.object({
  pid: z.number().int(),
  updatedAt: z.iso.datetime(),
  children: z.array(ZChildStatus),
});
export type TSupervisorState = z.infer<typeof ZSupervisorState>;

/** The supervisor as /api/health reports it: no pids (the endpoint is public). */
export type TSupervisorHealth = {
  ok: boolean;
  children: Omit<TChildStatus, "pid">[];
  error?: string;
};

/** Replaces the state file in one step (write, then rename), so a reader never sees half of it. */
export async function writeSupervisorState(file: string, state: TSupervisorState): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, file);
}

export async function readSupervisorState(file: string): Promise<TSupervisorState> {
  return ZSupervisorState.parse(JSON.parse(await readFile(file, "utf8")));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The supervisor's view for /api/health, or null when this web is not run by the supervisor.
 * ok: every child is running (a child waiting for its restart is not), and the supervisor that
 * wrote the file is still alive.
 */
export async function getSupervisorHealth(file: string | undefined): Promise<TSupervisorHealth | null> {
  if (!file) return null;
  let state: TSupervisorState;
  try {
    state = await readSupervisorState(file);
  } catch {
    return { ok: false, children: [], error: "the supervisor's state cannot be read" };
  }
  const children = state.children.map(({ pid: _pid, ...child }) => child);
  if (!isAlive(state.pid)) return { ok: false, children, error: "the supervisor is not running" };
  return { ok: children.every((child) => child.state === "running"), children };
}
