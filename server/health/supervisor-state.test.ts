import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSupervisorHealth, type TChildStatus, writeSupervisorState } from "./supervisor-state";

const worker: TChildStatus = {
  name: "worker",
  state: "restarting",
  pid: null,
  restarts: 2,
  startedAt: "2026-03-01T12:00:00.000Z",
  lastExit: { code: null, signal: "SIGKILL", at: "2026-03-01T12:00:05.000Z" },
  lastRestartAt: "2026-03-01T12:00:01.000Z",
  nextRestartAt: "2026-03-01T12:00:09.000Z",
};
const web: TChildStatus = { ...worker, name: "web", state: "running", pid: 4242, restarts: 0, lastExit: null };

describe("getSupervisorHealth", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "switchboard-supervisor-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is null when the web is not run by the supervisor", async () => {
    expect(await getSupervisorHealth(undefined)).toBeNull();
  });

  it("reports each child without its pid, and is not ok while one is restarting", async () => {
    const file = path.join(dir, "state.json");
    await writeSupervisorState(file, {
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      children: [web, worker],
    });
    const health = await getSupervisorHealth(file);
    expect(health).toMatchObject({ ok: false, children: [{ name: "web", state: "running" }, { name: "worker" }] });
    expect(JSON.stringify(health)).not.toContain("4242");
    await writeSupervisorState(file, {
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      children: [web, { ...worker, state: "running", pid: 4343 }],
    });
    expect(await getSupervisorHealth(file)).toMatchObject({ ok: true });
  });

  it("says so when the supervisor that wrote the file is gone, or the file is unreadable", async () => {
    const file = path.join(dir, "stale.json");
    // A pid that cannot be running: above the kernel's pid_max.
    await writeSupervisorState(file, { pid: 2 ** 22 + 1, updatedAt: new Date().toISOString(), children: [web] });
    expect(await getSupervisorHealth(file)).toMatchObject({ ok: false, error: "the supervisor is not running" });
    await writeFile(path.join(dir, "broken.json"), "{ not json");
    expect(await getSupervisorHealth(path.join(dir, "broken.json"))).toEqual({
      ok: false,
      children: [],
      error: "the supervisor's state cannot be read",
    });
    expect(await getSupervisorHealth(path.join(dir, "missing.json"))).toMatchObject({ ok: false });
  });
});
