import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import type { TChildStatus } from "~/server/health/supervisor-state";
import { waitFor } from "~/tests/support/processes";
import { createRestartBackoff, DEFAULT_RESTART_POLICY, superviseChildren, type TRestartDecision } from "./children";

describe("createRestartBackoff", () => {
  it("waits 1 s, 2 s, 4 s, 8 s and gives up on the fifth crash within two minutes", () => {
    const backoff = createRestartBackoff(DEFAULT_RESTART_POLICY);
    const decisions: TRestartDecision[] = [];
    let now = 0;
    for (let crash = 0; crash < 5; crash += 1) {
      const decision = backoff.crashed(now, 500);
      decisions.push(decision);
      if (decision.action === "restart") now += decision.delayMs + 500;
    }
    expect(decisions).toEqual([
      { action: "restart", delayMs: 1_000 },
      { action: "restart", delayMs: 2_000 },
      { action: "restart", delayMs: 4_000 },
      { action: "restart", delayMs: 8_000 },
      { action: "give-up", crashes: 5 },
    ]);
  });

  it("doubles up to 30 s while crashes are spread out, without giving up", () => {
    const backoff = createRestartBackoff(DEFAULT_RESTART_POLICY);
    const delays: number[] = [];
    let now = 0;
    for (let crash = 0; crash < 12; crash += 1) {
      // Up for 40 s each time: never five crashes in two minutes, never long enough to reset.
      now += 40_000;
      const decision = backoff.crashed(now, 40_000);
      expect(decision.action).toBe("restart");
      if (decision.action === "restart") delays.push(decision.delayMs);
      now += delays.at(-1)!;
    }
    expect(delays).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("starts again from 1 s once the process has stayed up for the crash window", () => {
    const backoff = createRestartBackoff(DEFAULT_RESTART_POLICY);
    expect(backoff.crashed(0, 100)).toEqual({ action: "restart", delayMs: 1_000 });
    expect(backoff.crashed(2_000, 100)).toEqual({ action: "restart", delayMs: 2_000 });
    expect(backoff.crashed(5_000, 100)).toEqual({ action: "restart", delayMs: 4_000 });
    // Up for exactly the window: a fresh start.
    expect(backoff.crashed(129_000, 120_000)).toEqual({ action: "restart", delayMs: 1_000 });
    expect(backoff.crashed(131_000, 100)).toEqual({ action: "restart", delayMs: 2_000 });
  });
});

/** A real child process: sleeps until killed, or exits with `code` after `afterMs`. */
function nodeChild(script: string): ChildProcess {
  return spawn(process.execPath, ["-e", script], { stdio: "ignore" });
}
const SLEEPER = "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000);";
const isAlive = (pid: number | null) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("superviseChildren", () => {
  const running: { stop: (timeoutMs: number, onKill: (name: string) => void) => Promise<void> }[] = [];
  afterEach(async () => {
    for (const supervised of running.splice(0)) await supervised.stop(2_000, () => undefined);
  });

  it("restarts a child killed with SIGKILL after its backoff while the other keeps running", async () => {
    const changes: TChildStatus[][] = [];
    const exits: string[] = [];
    const supervised = superviseChildren(
      [
        { name: "web", start: () => nodeChild(SLEEPER) },
        { name: "worker", start: () => nodeChild(SLEEPER) },
      ],
      {
        policy: { initialDelayMs: 300, maxDelayMs: 1_000, maxCrashes: 5, crashWindowMs: 60_000 },
        onChange: (statuses) => changes.push(statuses),
        onExit: (name, exit, next) => exits.push(`${name} ${exit.signal ?? exit.code} ${JSON.stringify(next)}`),
        onGiveUp: () => expect.fail("must not give up"),
      },
    );
    running.push(supervised);
    const [web, worker] = supervised.statuses();
    expect(web).toMatchObject({ name: "web", state: "running", restarts: 0 });
    expect(isAlive(worker!.pid)).toBe(true);

    const killedAt = Date.now();
    process.kill(worker!.pid!, "SIGKILL");
    await waitFor(
      () => Promise.resolve(supervised.statuses()[1]?.state === "restarting"),
      5_000,
      "the worker to be restarting",
    );
    expect(supervised.statuses()[1]).toMatchObject({
      state: "restarting",
      pid: null,
      lastExit: { code: null, signal: "SIGKILL" },
      nextRestartAt: expect.any(String),
    });
    const back = await waitFor(
      () => {
        const status = supervised.statuses()[1]!;
        return Promise.resolve(status.state === "running" ? status : undefined);
      },
      5_000,
      "the worker to be back",
    );
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(300);
    expect(back).toMatchObject({ restarts: 1, lastRestartAt: expect.any(String) });
    expect(back.pid).not.toBe(worker!.pid);
    expect(isAlive(back.pid)).toBe(true);
    // The web was never touched.
    expect(supervised.statuses()[0]).toMatchObject({ state: "running", pid: web!.pid, restarts: 0, lastExit: null });
    expect(exits).toEqual(['worker SIGKILL {"action":"restart","delayMs":300}']);
    expect(changes.at(-1)?.[1]).toMatchObject({ state: "running", restarts: 1 });
  });

  it("gives up on a crash loop with one line naming the process and its last exit", async () => {
    const giveUps: string[] = [];
    const delays: number[] = [];
    const supervised = superviseChildren(
      [
        { name: "web", start: () => nodeChild(SLEEPER) },
        { name: "worker", start: () => nodeChild("setTimeout(() => process.exit(3), 50)") },
      ],
      {
        policy: { initialDelayMs: 50, maxDelayMs: 200, maxCrashes: 4, crashWindowMs: 60_000 },
        onChange: () => undefined,
        onExit: (_name, _exit, next) => {
          if (next.action === "restart") delays.push(next.delayMs);
        },
        onGiveUp: (message) => giveUps.push(message),
      },
    );
    running.push(supervised);
    await waitFor(() => Promise.resolve(giveUps.length > 0), 10_000, "the supervisor to give up");
    expect(giveUps).toEqual([
      "the worker exited 4 times within 60 s (last: exit code 3); giving up and stopping everything",
    ]);
    expect(delays).toEqual([50, 100, 200]);
    const [web, worker] = supervised.statuses();
    expect(worker).toMatchObject({ state: "failed", restarts: 3, lastExit: { code: 3, signal: null } });
    // Nothing restarts it after giving up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(supervised.statuses()[1]).toMatchObject({ state: "failed", restarts: 3 });
    expect(web).toMatchObject({ state: "running" });
  });

  it("counts a process that cannot be started at all as a crash, and gives up on the loop", async () => {
    const giveUps: string[] = [];
    const supervised = superviseChildren(
      [{ name: "worker", start: () => spawn("/nonexistent/switchboard-binary", [], { stdio: "ignore" }) }],
      {
        policy: { initialDelayMs: 20, maxDelayMs: 20, maxCrashes: 3, crashWindowMs: 60_000 },
        onChange: () => undefined,
        onExit: () => undefined,
        onGiveUp: (message) => giveUps.push(message),
      },
    );
    running.push(supervised);
    await waitFor(() => Promise.resolve(giveUps.length > 0), 5_000, "the supervisor to give up");
    expect(giveUps).toEqual([
      "the worker exited 3 times within 60 s (last: could not be started); giving up and stopping everything",
    ]);
  });

  it("stops every child on stop, cancels a pending restart, and kills one that ignores SIGTERM", async () => {
    const killed: string[] = [];
    const supervised = superviseChildren(
      [
        { name: "web", start: () => nodeChild("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);") },
        { name: "worker", start: () => nodeChild(SLEEPER) },
      ],
      {
        policy: { initialDelayMs: 400, maxDelayMs: 400, maxCrashes: 5, crashWindowMs: 60_000 },
        onChange: () => undefined,
        onExit: () => undefined,
        onGiveUp: () => expect.fail("must not give up"),
      },
    );
    // Let the children install their handlers, then crash the worker: its restart is due during the stop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(supervised.statuses()[1]!.pid!, "SIGKILL");
    await waitFor(
      () => Promise.resolve(supervised.statuses()[1]?.state === "restarting"),
      5_000,
      "the worker to be restarting",
    );
    const webPid = supervised.statuses()[0]!.pid;
    const started = Date.now();
    await supervised.stop(500, (name) => killed.push(name));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(killed).toEqual(["web"]);
    expect(isAlive(webPid)).toBe(false);
    expect(supervised.statuses().map((status) => status.state)).toEqual(["stopped", "stopped"]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(supervised.statuses()[1]).toMatchObject({ state: "stopped", restarts: 0, pid: null });
  });
});
