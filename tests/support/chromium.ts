import { existsSync } from "node:fs";

/** The Chromium that browser and WhatsApp Web smoke tests drive (never downloaded). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Run browser tests wherever Chromium is installed, and always under CI (where a missing one fails). */
export const RUN_BROWSER_TESTS = existsSync(CHROMIUM_PATH) || process.env.CI === "true";
