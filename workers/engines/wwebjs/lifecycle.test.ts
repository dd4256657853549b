import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "~/tests/support/processes";
import { chromiumMemory } from "./lifecycle";

/** Resident KB of one process, read the way an operator would (`grep VmRSS /proc/PID/status`). */
async function vmRssKb(pid: number): Promise<number> {
  return Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]);
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL");
});

describe("a whatsapp-web.js client's memory", () => {
  it("is the resident memory of its browser and every process under it, its own", async () => {
    // A stand-in browser: a shell with a child of its own, as Chromium has renderers.
    const browser = spawn("sh", ["-c", "sleep 30 & wait"], { stdio: "ignore" });
    started.push(browser);
    const pid = browser.pid!;
    const childPid = await waitFor(
      async () => Number((await readFile(`/proc/${pid}/task/${pid}/children`, "utf8")).trim()) || undefined,
      5_000,
      "the browser's child process",
    );
    // The child is a fork of the shell until it has exec'd sleep; its RSS changes at the exec.
    await waitFor(
      async () => ((await readFile(`/proc/${childPid}/comm`, "utf8")).trim() === "sleep" ? true : undefined),
      5_000,
      "the child to become sleep",
    );
    const client = { pupBrowser: { process: () => ({ pid, kill: () => true }) } };
    const memory = await chromiumMemory(client);
    const expected = ((await vmRssKb(pid)) + (await vmRssKb(childPid))) * 1024;
    expect(memory?.scope).toBe("own");
    // The tree, not the shell alone (idle processes: their RSS does not move between the reads).
    expect(memory!.bytes).toBeGreaterThan((await vmRssKb(pid)) * 1024);
    expect(Math.abs(memory!.bytes - expected)).toBeLessThanOrEqual(64 * 1024);
  });

  it("is unknown while no browser runs", async () => {
    expect(await chromiumMemory(null)).toBeNull();
    expect(await chromiumMemory({ pupBrowser: null })).toBeNull();
    expect(await chromiumMemory({ pupBrowser: { process: () => null } })).toBeNull();
  });
});
