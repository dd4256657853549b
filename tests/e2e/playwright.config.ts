import { defineConfig } from "@playwright/test";
import { BASE_URL, E2E } from "./stack";
import { CHROMIUM_FLAGS } from "../../server/lib/chromium";

/**
 * Browser tests: real Chromium (the system one, never downloaded) against the whole stack,
 * started once by global-setup.ts. One worker: the journeys share one database.
 */
export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  globalSetup: "./global-setup.ts",
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "/tmp/switchboard-e2e-results",
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: E2E.chromium,
      args: CHROMIUM_FLAGS,
    },
  },
});
