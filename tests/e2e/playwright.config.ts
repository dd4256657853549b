import { defineConfig } from "@playwright/test";
import { BASE_URL, E2E } from "./stack";
import { CHROMIUM_FLAGS } from "../../server/lib/chromium";

/** The specs that read what the journeys left behind: they run after every journey. */
const AFTER_JOURNEYS = /\/(manager|pages|tour)\.spec\.ts$/;
/** The new admin's first steps, on the empty first start: before every journey. */
const FIRST_START = /\/first-start\.spec\.ts$/;
/** A campaign to 10,000 contacts: last of all, so its 10,000 conversations crowd no other page. */
const AT_SCALE = /\/campaigns-scale\.spec\.ts$/;

/**
 * Browser tests: real Chromium (the system one, never downloaded) against the whole stack,
 * started once by global-setup.ts. One worker: the journeys share one database. Projects,
 * so the order is a promise rather than an accident of file names: the journeys first, then the
 * manager's figures (which count the journeys' messages) and the tour of the main pages (whose
 * screenshots then show the journeys' data); last, the campaign at scale.
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
  projects: [
    { name: "first start", testMatch: FIRST_START },
    { name: "journeys", testIgnore: [AFTER_JOURNEYS, FIRST_START, AT_SCALE], dependencies: ["first start"] },
    { name: "after journeys", testMatch: AFTER_JOURNEYS, dependencies: ["journeys"] },
    { name: "at scale", testMatch: AT_SCALE, dependencies: ["after journeys"] },
  ],
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
