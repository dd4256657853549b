import type { ChildProcess } from "node:child_process";
import type { TChildExit, TChildStatus } from "~/server/health/supervisor-state";

/** How the supervisor restarts a child that exits on its own. */
export type TRestartPolicy = {
  /** The first restart waits this long; each further one doubles it, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** This many exits within `crashWindowMs` is a crash loop: the supervisor gives up. */
  maxCrashes: number;
  /** Also how long a child must stay up for its backoff to start again from `initialDelayMs`. */
  crashWindowMs: number;
};

export const DEFAULT_RESTART_POLICY: TRestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  crashWindowMs: 120_000,
};

export type TRestartDecision = { action: "restart"; delayMs: number } | { action: "give-up"; crashes: number };

/**
 * The restart schedule of one child: 1 s, 2 s, 4 s… up to the maximum; back to the start once
 * the child has stayed up for the crash window; give up on the `maxCrashes`-th exit within the
 * window. Pure (the caller passes the time), so tests drive it with any clock.
 */
export function createRestartBackoff(policy: TRestartPolicy) {
  let consecutive = 0;
  let crashes: number[] = [];
  return {
    /** A crash at `now` of a child that had been up for `upForMs`. */
    crashed(now: number, upForMs: number): TRestartDecision {
      if (upForMs >= policy.crashWindowMs) consecutive = 0;
      crashes = [...crashes.filter((at) => now - at < policy.crashWindowMs), now];
      if (crashes.length >= policy.maxCrashes) return { action: "give-up", crashes: crashes.length };
      const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** consecutive);
      consecutive += 1;
      return { action: "restart", delayMs };
    },
  };
}

/** One child the supervisor runs: its name, and how to start it (again). */
export type TChildSpec = { name: string; start: () => ChildProcess };

export type TSupervisedChildren = {
  statuses: () => TChildStatus[];
  /** SIGTERM to every child (and no more restarts); SIGKILL to those still there after `timeoutMs`. */
  stop: (timeoutMs: number, onKill: (name: string) => void) => Promise<void>;
};

/** "exit code 1", "killed by SIGKILL", "could not be started". */
export function describeExit(exit: Pick<TChildExit, "code" | "signal">): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === null ? "could not be started" : `exit code ${exit.code}`;
}

/**
 * Runs children and restarts each one that exits on its own, on its own backoff, while the
 * others keep running. A crash loop (see `createRestartBackoff`) calls `onGiveUp` once with one
 * line saying which child and why; the caller then stops everything. `onChange` is called after
 * every state change (the supervisor writes the state file there).
 */
export function superviseChildren(
  specs: TChildSpec[],
  options: {
    policy: TRestartPolicy;
    onChange: (statuses: TChildStatus[]) => void;
    onExit: (name: string, exit: TChildExit, next: TRestartDecision) => void;
    onGiveUp: (message: string) => void;
    now?: () => number;
  },
): TSupervisedChildren {
  const now = options.now ?? Date.now;
  const iso = (at: number) => new Date(at).toISOString();
  let stopping = false;
  type TSlot = {
    spec: TChildSpec;
    status: TChildStatus;
    child: ChildProcess | null;
    startedAtMs: number;
    exited: Promise<void>;
    timer: NodeJS.Timeout | undefined;
    backoff: ReturnType<typeof createRestartBackoff>;
  };
  const slots: TSlot[] = [];
  const changed = () => options.onChange(slots.map((slot) => ({ ...slot.status })));

  const launch = (slot: TSlot) => {
    const child = slot.spec.start();
    slot.child = child;
    slot.startedAtMs = now();
    Object.assign(slot.status, {
      state: "running",
      pid: child.pid ?? null,
      startedAt: iso(slot.startedAtMs),
      nextRestartAt: null,
    });
    slot.exited = new Promise<void>((resolve) => {
      let ended = false;
      const onEnded = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        slot.child = null;
        const at = now();
        const exit: TChildExit = { code, signal, at: iso(at) };
        Object.assign(slot.status, { pid: null, lastExit: exit });
        if (stopping) {
          slot.status.state = "stopped";
          changed();
          return resolve();
        }
        const decision = slot.backoff.crashed(at, at - slot.startedAtMs);
        options.onExit(slot.spec.name, exit, decision);
        if (decision.action === "give-up") {
          slot.status.state = "failed";
          changed();
          resolve();
          options.onGiveUp(
            `the ${slot.spec.name} exited ${decision.crashes} times within ${Math.round(options.policy.crashWindowMs / 1000)} s ` +
              `(last: ${describeExit(exit)}); giving up and stopping everything`,
          );
          return;
        }
        Object.assign(slot.status, { state: "restarting", nextRestartAt: iso(at + decision.delayMs) });
        changed();
        resolve();
        slot.timer = setTimeout(() => {
          slot.timer = undefined;
          if (stopping) return;
          slot.status.restarts += 1;
          slot.status.lastRestartAt = iso(now());
          launch(slot);
          changed();
        }, decision.delayMs);
      };
      child.once("exit", onEnded);
      // A process that could not be started at all (no 'exit' follows) counts as one that exited.
      child.on("error", () => {
        if (child.pid === undefined) onEnded(null, null);
      });
    });
  };

  for (const spec of specs) {
    const slot: TSlot = {
      spec,
      status: {
        name: spec.name,
        state: "starting",
        pid: null,
        restarts: 0,
        startedAt: null,
        lastExit: null,
        lastRestartAt: null,
        nextRestartAt: null,
      },
      child: null,
      startedAtMs: 0,
      exited: Promise.resolve(),
      timer: undefined,
      backoff: createRestartBackoff(options.policy),
    };
    slots.push(slot);
    launch(slot);
  }
  changed();

  return {
    statuses: () => slots.map((slot) => ({ ...slot.status })),
    async stop(timeoutMs, onKill) {
      stopping = true;
      for (const slot of slots) {
        clearTimeout(slot.timer);
        if (slot.child) {
          slot.status.state = "stopping";
          slot.child.kill("SIGTERM");
        } else if (slot.status.state === "restarting") {
          Object.assign(slot.status, { state: "stopped", nextRestartAt: null });
        }
      }
      changed();
      const deadline = setTimeout(() => {
        for (const slot of slots) {
          if (slot.child && slot.child.exitCode === null && slot.child.signalCode === null) {
            onKill(slot.spec.name);
            slot.child.kill("SIGKILL");
          }
        }
      }, timeoutMs);
      await Promise.all(slots.map((slot) => slot.exited));
      clearTimeout(deadline);
    },
  };
}
