import path from "node:path";

/** Where the browser tests' stack listens (127.0.0.1 only); fixed so every Playwright process agrees. */
export const E2E = {
  port: Number(process.env.E2E_PORT ?? 3190),
  pgPort: Number(process.env.E2E_PG_PORT ?? 54390),
  geminiPort: Number(process.env.E2E_GEMINI_PORT ?? 3191),
  adminEmail: "admin@switchboard.local",
  adminPassword: "e2e-admin-password-1",
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  dataDir: path.join(process.env.TMPDIR ?? "/tmp", "switchboard-e2e"),
};
export const BASE_URL = `http://127.0.0.1:${E2E.port}`;
export const GEMINI_URL = `http://127.0.0.1:${E2E.geminiPort}`;
