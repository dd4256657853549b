import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";

/**
 * `npm test`: Vitest (unit and integration tests), then the browser tests (Playwright against
 * the whole stack, tests/e2e). Both run even when the first fails; the exit code is non-zero if
 * either failed. Without a Chromium the browser tests are skipped with one line saying how to
 * install it, except under CI (`CI=true`), where that is a failure. Arguments go to Vitest.
 */
const ROOT = path.resolve(import.meta.dirname, "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const IS_CI = /^(1|true)$/i.test(process.env.CI ?? "");

function run(script: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, stdio: "inherit" });
    // Ctrl-C reaches the child from the terminal itself: wait for it to clean up (the browser
    // tests stop their stack) rather than dying first. A SIGTERM is passed on.
    const ignore = () => undefined;
    const forward = () => child.kill("SIGTERM");
    process.on("SIGINT", ignore).on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", ignore).off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function hasChromium(): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const vitest = await run("node_modules/vitest/vitest.mjs", ["run", ...process.argv.slice(2)]);
let browser = 0;
if (hasChromium()) {
  browser = await run("node_modules/@playwright/test/cli.js", ["test", "-c", "tests/e2e/playwright.config.ts"]);
} else {
  console.log(
    `Browser tests ${IS_CI ? "FAILED" : "skipped"}: no Chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
  );
  if (IS_CI) browser = 1;
}
process.exit(vitest || browser);
