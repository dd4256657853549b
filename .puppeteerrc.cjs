/** Never download a browser: Switchboard drives the system Chromium (CHROMIUM_PATH). */
// eslint-disable-next-line no-undef -- CommonJS config file read by puppeteer
module.exports = { skipDownload: true };
