import { expect, test, type Locator, type Page } from "@playwright/test";
import { jpegBytes, oggOpusBytes, pdfBytes, pngBytes } from "../support/media-fixtures";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE, startChat } from "./helpers";

const CONTACT = { phone: "+14155550160", name: "Mia Media" };
const CAPTION = "Is this receipt right?";
const PASTED_CAPTION = "Here is where to find the order number";

/** The natural width of a loaded image (0 while it is not loaded, or broken). */
async function naturalWidth(image: Locator): Promise<number> {
  return image.evaluate((element: HTMLImageElement) => (element.complete ? element.naturalWidth : 0));
}

/** Opens the contact's conversation in the Inbox (the All tab). */
async function openThread(page: Page, name: string): Promise<string> {
  await page.goto("/inbox");
  await page.getByRole("button", { name: /^All/ }).click();
  await page.getByRole("list", { name: "Conversations: All" }).getByRole("link").filter({ hasText: name }).click();
  await page.waitForURL(/thread=/);
  return page.url();
}

test.describe.configure({ mode: "serial" });

let threadUrl = "";

test("[agent] a photo, a voice note and a PDF the Simulator contact sends are shown in the Inbox: the image loads and opens full size, the voice note plays, the PDF downloads", async ({
  page,
}) => {
  await login(page);
  await startChat(page, CONTACT.phone, CONTACT.name);
  const chat = page.getByTestId("chat");

  // The contact sends a real JPEG with a caption, a real OGG/Opus voice note and a PDF.
  await page.getByLabel("Message", { exact: true }).fill(CAPTION);
  await page
    .getByTestId("sim-file")
    .setInputFiles({ name: "receipt.jpg", mimeType: "image/jpeg", buffer: await jpegBytes(800, 600) });
  const sentPhoto = chat.getByTestId("from-contact").getByTestId("media-image");
  await expect(sentPhoto).toBeVisible({ timeout: 30_000 });
  await expect(chat.getByTestId("from-contact").getByTestId("media-caption")).toHaveText(CAPTION);
  await page
    .getByTestId("sim-voice")
    .setInputFiles({ name: "voice-note.ogg", mimeType: "audio/ogg", buffer: oggOpusBytes(2) });
  await expect(chat.getByTestId("from-contact").getByTestId("media-audio")).toBeVisible({ timeout: 30_000 });
  await page
    .getByTestId("sim-file")
    .setInputFiles({ name: "invoice-March.pdf", mimeType: "application/pdf", buffer: pdfBytes("Invoice 42") });
  await expect(chat.getByTestId("from-contact").getByTestId("media-document")).toContainText("invoice-March.pdf", {
    timeout: 30_000,
  });

  // The first thumbnail request fails as an expired link does (410): the page refetches its
  // messages once, and the photo shows anyway (no broken image).
  let expired = 0;
  let refetched = 0;
  await page.route(/\/api\/media\/[0-9a-f]{64}\?.*v=thumb/, async (route) => {
    if (expired > 0) return route.continue();
    expired += 1;
    return route.fulfill({
      status: 410,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "expired", message: "This link has expired." } }),
    });
  });
  page.on("request", (request) => {
    if (expired > 0 && request.url().includes("inbox.thread")) refetched += 1;
  });
  threadUrl = await openThread(page, CONTACT.name);

  // The photo: its thumbnail loads inline, at a reserved size; a click opens it full size.
  const photo = page.locator('[data-testid="message-in"][data-kind="image"]');
  const thumbnail = photo.getByTestId("media-image");
  await expect(thumbnail).toBeVisible();
  await expect.poll(() => naturalWidth(thumbnail)).toBeGreaterThan(0);
  expect(expired).toBe(1);
  expect(refetched).toBeGreaterThan(0);
  expect(await thumbnail.getAttribute("width")).toBe("240");
  expect(await thumbnail.getAttribute("height")).toBe("180");
  await expect(photo.getByTestId("media-caption")).toHaveText(CAPTION);
  const open = photo.getByRole("button", { name: "Open the photo full size" });
  await open.click();
  const viewer = page.getByRole("dialog", { name: "Photo" });
  await expect(viewer).toBeVisible();
  await expect.poll(() => naturalWidth(viewer.getByTestId("image-full"))).toBe(800);
  await page.keyboard.press("Escape");
  await expect(viewer).toBeHidden();
  await expect(open).toBeFocused();

  // The voice note: the browser reads its length, so it can play it.
  const audio = page.locator('[data-testid="message-in"][data-kind="voice"]').getByTestId("media-audio");
  await expect(audio).toHaveAttribute("preload", "metadata");
  await expect
    .poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  expect(await audio.evaluate((element: HTMLAudioElement) => element.duration)).toBeGreaterThan(0);

  // The PDF: a download link with its name and size, served as an attachment of its real type.
  const document = page.locator('[data-testid="message-in"][data-kind="document"]').getByTestId("media-document");
  await expect(document).toContainText("invoice-March.pdf");
  await expect(document).toContainText(/\d+(\.\d)? (bytes|kB|KB|B)/);
  const download = await page.request.get((await document.getAttribute("href"))!);
  expect(download.status()).toBe(200);
  expect(download.headers()["content-type"]).toMatch(/^application\/pdf/);
  expect(download.headers()["content-disposition"]).toMatch(/^attachment/);
  expect((await download.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

  await page.waitForLoadState("networkidle");
  await expectAccessible(page);
});

test("[agent] pastes a screenshot into the composer: a preview, then it reaches the Simulator contact as an image with its caption", async ({
  page,
}) => {
  test.skip(!threadUrl, "needs the conversation of the first test");
  await login(page);
  await page.goto(threadUrl);
  const composer = page.getByLabel("Reply", { exact: true });
  await expect(composer).toBeVisible();

  // A screenshot from the clipboard: a paste event holding a PNG file.
  const png = (await pngBytes(400, 300)).toString("base64");
  await composer.evaluate((element, base64) => {
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "screenshot.png", { type: "image/png" }));
    element.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, png);
  const preview = page.getByTestId("attachment-preview");
  await expect(preview).toContainText("screenshot.png");
  await expect.poll(() => naturalWidth(preview.locator("img"))).toBe(400);
  await composer.fill(PASTED_CAPTION);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(preview).toBeHidden({ timeout: 20_000 });
  const sent = page.locator('[data-testid="message-out"][data-kind="image"]').filter({ hasText: PASTED_CAPTION });
  await expect(sent.getByTestId("media-image")).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => naturalWidth(sent.getByTestId("media-image"))).toBeGreaterThan(0);

  // The contact receives it in the Simulator, as an image.
  await page.goto("/simulator");
  await page.getByRole("list", { name: "Conversations" }).getByRole("button").filter({ hasText: CONTACT.name }).click();
  const received = page.getByTestId("chat").getByTestId("from-bot").filter({ hasText: PASTED_CAPTION });
  await expect(received.getByTestId("media-image")).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => naturalWidth(received.getByTestId("media-image"))).toBeGreaterThan(0);
  // Delivered to the contact's phone (the simulator engine read the file from the store), not failed.
  await expect(received.locator("[data-status]")).toHaveAttribute("data-status", /^(delivered|read)$/, {
    timeout: 20_000,
  });
});

test("[agent, phone] the photo and the composer fit a phone's width", async ({ browser }) => {
  test.skip(!threadUrl, "needs the conversation of the first test");
  const context = await browser.newContext({ ...PHONE, viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  try {
    await login(page);
    await page.goto(threadUrl);
    const thumbnail = page.locator('[data-testid="message-in"][data-kind="image"]').getByTestId("media-image");
    await expect(thumbnail).toBeVisible();
    await expect.poll(() => naturalWidth(thumbnail)).toBeGreaterThan(0);
    const viewport = page.viewportSize()!;
    const box = (await thumbnail.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    const composer = page.getByTestId("composer");
    await expect(composer.getByTestId("attach")).toBeVisible();
    const composerBox = (await composer.boundingBox())!;
    expect(composerBox.x + composerBox.width).toBeLessThanOrEqual(viewport.width);
    await expectNoSidewaysScroll(page);

    // Full size on a phone: the photo fits the screen, and the dialog closes.
    await thumbnail.click();
    const full = page.getByRole("dialog", { name: "Photo" }).getByTestId("image-full");
    await expect.poll(() => naturalWidth(full)).toBe(800);
    expect((await full.boundingBox())!.width).toBeLessThanOrEqual(viewport.width);
    await page.getByRole("dialog", { name: "Photo" }).getByRole("button", { name: "Close" }).click();
    await expect(page.getByRole("dialog", { name: "Photo" })).toBeHidden();
  } finally {
    await context.close();
  }
});
