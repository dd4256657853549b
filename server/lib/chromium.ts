/**
 * The flags Chromium needs on these machines (DEVELOPERS.md): no sandbox as root, no GPU, no
 * /dev/shm, and no background traffic to Google. One list for whatsapp-web.js and the browser tests.
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
