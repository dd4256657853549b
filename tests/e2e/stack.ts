import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * Free ports for the stack's web, embedded Postgres, fake Gemini and fake Graph API, chosen once by the
 * Playwright runner when this module first loads and passed to its worker processes through
 * the environment (they inherit it), so every process agrees and two runs cannot collide.
 * E2E_PORT / E2E_PG_PORT / E2E_GEMINI_PORT / E2E_GRAPH_PORT pin them instead.
 */
function choosePorts(): void {
  if (process.env.E2E_PORT && process.env.E2E_PG_PORT && process.env.E2E_GEMINI_PORT && process.env.E2E_GRAPH_PORT)
    return;
  // Synchronous (a config module cannot await): a child binds four ephemeral ports and prints them.
  const script = `const net=require("node:net");Promise.all([0,1,2,3].map(()=>new Promise((ok)=>{const s=net.createServer();s.listen(0,"127.0.0.1",()=>ok(s))}))).then((all)=>{console.log(all.map((s)=>s.address().port).join(","));all.forEach((s)=>s.close())})`;
  const [web, pg, gemini, graph] = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })
    .trim()
    .split(",");
  process.env.E2E_PORT ??= web;
  process.env.E2E_PG_PORT ??= pg;
  process.env.E2E_GEMINI_PORT ??= gemini;
  process.env.E2E_GRAPH_PORT ??= graph;
}
choosePorts();

/** Where the browser tests' stack listens (127.0.0.1 only). */
export const E2E = {
  port: Number(process.env.E2E_PORT),
  pgPort: Number(process.env.E2E_PG_PORT),
  geminiPort: Number(process.env.E2E_GEMINI_PORT),
  /** The fake Graph API (Meta's Cloud API) the stack's CLOUD_API_BASE_URL points at. */
  graphPort: Number(process.env.E2E_GRAPH_PORT),
  adminEmail: "admin@switchboard.local",
  adminPassword: "e2e-admin-password-1",
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  dataDir: path.join(process.env.TMPDIR ?? "/tmp", `switchboard-e2e-${process.env.E2E_PORT}`),
};
export const BASE_URL = `http://127.0.0.1:${E2E.port}`;
export const GEMINI_URL = `http://127.0.0.1:${E2E.geminiPort}`;
/** The fake Graph API: tests script it (`POST /__control`) and read what the stack asked (`GET /__requests`). */
export const GRAPH_URL = `http://127.0.0.1:${E2E.graphPort}`;
