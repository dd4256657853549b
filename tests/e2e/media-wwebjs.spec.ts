import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test, type Locator } from "@playwright/test";
import { expectAccessible, login } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CONTACT_NAME = "Rita Recibo";

/** The natural width of a loaded image (0 while it is not loaded, or broken). */
async function naturalWidth(image: Locator): Promise<number> {
  return image.evaluate((element: HTMLImageElement) => (element.complete ? element.naturalWidth : 0));
}

let phone: ChildProcess | null = null;

/** Starts the fake phone (tests/e2e/fake-phone.ts) and waits for its messages to be processed. */
function startFakePhone(): Promise<{ sent: Record<string, string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/e2e/fake-phone.ts")], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  phone = child;
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((text) => text.startsWith("READY "));
      if (line) resolve(JSON.parse(line.slice("READY ".length)) as { sent: Record<string, string> });
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`the fake phone exited (${code}):\n${output.slice(-3_000)}`)));
  });
}

test.afterAll(async () => {
  if (!phone || phone.exitCode !== null) return;
  const exited = new Promise((resolve) => phone!.on("exit", resolve));
  phone.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  if (phone.exitCode === null) phone.kill("SIGKILL");
});

test("[agent] files from a whatsapp-web.js number (the fake client, real bytes) are stored and shown in the Inbox: the photo loads, the voice note plays, the video, the PDF and the location are there, and a PDF posing as a photo is caught", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await startFakePhone();
  await login(page);
  await page.goto("/inbox");
  await page.getByRole("button", { name: /^All/ }).click();
  await page
    .getByRole("list", { name: "Conversations: All" })
    .getByRole("link")
    .filter({ hasText: CONTACT_NAME })
    .click();
  await page.waitForURL(/thread=/);

  const incoming = (kind: string) => page.locator(`[data-testid="message-in"][data-kind="${kind}"]`);

  // The photo: its server-made thumbnail loads; full size opens.
  const photo = incoming("image").filter({ hasText: "the receipt from Tuesday" });
  const thumbnail = photo.getByTestId("media-image");
  await expect(thumbnail).toBeVisible();
  await expect.poll(() => naturalWidth(thumbnail)).toBeGreaterThan(0);
  await photo.getByRole("button", { name: "Open the photo full size" }).click();
  const viewer = page.getByRole("dialog", { name: "Photo" });
  await expect.poll(() => naturalWidth(viewer.getByTestId("image-full"))).toBe(800);
  await page.keyboard.press("Escape");

  // The voice note: the browser reads its length from the served file, so it can play it.
  const audio = incoming("voice").getByTestId("media-audio");
  await expect
    .poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  expect(await audio.evaluate((element: HTMLAudioElement) => element.duration)).toBeGreaterThan(0);

  // The video: the browser reads the stored file (its frame size), served as video/mp4 with ranges.
  const video = incoming("video").getByTestId("media-video");
  await expect(video).toBeVisible();
  await expect
    .poll(() => video.evaluate((element: HTMLVideoElement) => element.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  expect(await video.evaluate((element: HTMLVideoElement) => element.videoWidth)).toBe(96);
  const videoUrl = await video.evaluate((element: HTMLVideoElement) => element.currentSrc || element.src);
  const served = await page.request.get(videoUrl, { headers: { Range: "bytes=0-15" } });
  expect(served.status()).toBe(206);
  expect(served.headers()["content-type"]).toMatch(/^video\/mp4/);

  // The PDF: a download with its name.
  const document = incoming("document").getByTestId("media-document");
  await expect(document).toContainText("invoice-77.pdf");
  const download = await page.request.get((await document.getAttribute("href"))!);
  expect((await download.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

  // The location: a link to the map, no map tiles loaded.
  await expect(incoming("location").getByRole("link").first()).toHaveAttribute("href", /openstreetmap\.org|geo:/);

  // The PDF that said it was a photo: not shown as one, with the reason.
  const lying = incoming("image").filter({ hasText: "my photo" });
  await expect(lying.getByTestId("media-failed")).toHaveAttribute("data-error", "type_mismatch");
  await expect(lying.getByTestId("media-image")).toHaveCount(0);

  await page.waitForLoadState("networkidle");
  await expectAccessible(page);
});
