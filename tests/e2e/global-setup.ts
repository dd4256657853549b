import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createFakeGemini } from "../support/fake-gemini-server";
import { createFakeGraph, EXAMPLE_TEMPLATES } from "../support/fake-graph-server";
import { BASE_URL, E2E } from "./stack";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Starts what the browser tests drive: a fake Gemini server and a fake Graph API (Meta's Cloud
 * API, with the example templates) on loopback, and the whole stack
 * (`server/stack/start.ts`: the production build, an embedded Postgres in a fresh folder or the
 * empty database in E2E_DATABASE_URL, the web on 127.0.0.1 and the worker with the simulator),
 * then waits for /api/health. Returns the teardown that stops both.
 */
export default async function globalSetup() {
  const gemini = await createFakeGemini({
    port: E2E.geminiPort,
    otherwise: { reply: "Fresh sourdough comes out of the oven at 8." },
  });
  const graph = await createFakeGraph({ port: E2E.graphPort, templates: EXAMPLE_TEMPLATES });
  await rm(E2E.dataDir, { recursive: true, force: true });
  const stack = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "server/stack/start.ts")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(E2E.port),
      HOST: "127.0.0.1",
      EMBEDDED_PG_PORT: String(E2E.pgPort),
      DATA_DIR: E2E.dataDir,
      ADMIN_EMAIL: E2E.adminEmail,
      ADMIN_PASSWORD: E2E.adminPassword,
      GEMINI_API_KEY: "e2e-key",
      GEMINI_BASE_URL: gemini.url,
      CLOUD_API_BASE_URL: graph.url,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
      LOG_LEVEL: "warn",
      CHROMIUM_PATH: E2E.chromium,
      // A database to throw away instead of the embedded one (it must be empty: the journeys
      // expect a first start). Not DATABASE_URL, which points the Vitest suite at its server.
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
    } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  stack.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  stack.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => stack.on("exit", () => resolve()));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (stack.exitCode !== null) throw new Error(`the stack exited early:\n${output.slice(-3_000)}`);
    const healthy = await fetch(`${BASE_URL}/api/health`)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      stack.kill("SIGINT");
      throw new Error(`the stack did not become healthy in 4 minutes:\n${output.slice(-3_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return async () => {
    stack.kill("SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    if (stack.exitCode === null) stack.kill("SIGKILL");
    await gemini.close();
    await graph.close();
    await rm(E2E.dataDir, { recursive: true, force: true });
  };
}
