import { expect, type Locator, test } from "@playwright/test";
import { pngBytes } from "../support/media-fixtures";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE } from "./helpers";

/** The thumbnail of a library file shows (the signed link loads a real image). */
async function expectThumbnailLoaded(row: Locator) {
  const image = row.getByRole("img", { name: /Preview of/ });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

test("[admin] Settings → Media: uploads a file to the library, sees it listed with its thumbnail, keeps media 30 days", async ({
  page,
}) => {
  await login(page);
  await page.goto("/settings");
  await page.getByRole("link", { name: /Media library and retention/ }).click();
  await expect(page.getByRole("heading", { name: "Media", exact: true })).toBeVisible();

  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "opening-hours.png",
    mimeType: "image/png",
    buffer: await pngBytes(400, 300),
  });
  await page.getByLabel("Name", { exact: true }).fill("Opening hours");
  await page.getByRole("button", { name: "Upload and add" }).click();
  await expect(page.getByText("“Opening hours” was added to the library.")).toBeVisible();
  const row = page.getByTestId("media-asset").filter({ hasText: "Opening hours" });
  await expect(row).toContainText("Photo");
  await expect(row).toContainText("opening-hours.png");
  await expectThumbnailLoaded(row);

  // A file whose content is not what it is sent as is refused, in words.
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "song.ogg",
    mimeType: "audio/ogg",
    buffer: await pngBytes(20, 20),
  });
  await page.getByLabel("Send as").selectOption("voice");
  await page.getByRole("button", { name: "Upload and add" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /image\/png/ })).toBeVisible();
  await expect(page.getByTestId("media-asset")).toHaveCount(1);

  await page.getByLabel("Keep media for (days)").fill("30");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Media is now kept for 30 days after its last use.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Keep media for (days)")).toHaveValue("30");
  await expect(page.getByTestId("media-storage-used")).toContainText(/file/);
  await expectAccessible(page);
});

test("[admin] Settings → Media at phone size: the library and retention fit the screen", async ({ browser }) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await login(page);
    await page.goto("/settings/media");
    const row = page.getByTestId("media-asset").filter({ hasText: "Opening hours" });
    await expectThumbnailLoaded(row);
    await page.getByLabel("Keep media for (days)").fill("");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByText("Media is now kept forever.")).toBeVisible();
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});

test("[admin] a rule's reply sends a library file; one deleted since is shown in the editor and publishing refuses it", async ({
  page,
}) => {
  await login(page);
  await page.goto("/settings/media");
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "flyer.png",
    mimeType: "image/png",
    buffer: await pngBytes(300, 400),
  });
  await page.getByLabel("Name", { exact: true }).fill("Flyer");
  await page.getByRole("button", { name: "Upload and add" }).click();
  await expect(page.getByText("“Flyer” was added to the library.")).toBeVisible();

  await page.goto("/rules");
  await page.getByRole("button", { name: "New rule" }).click();
  await page.fill("#rule-name", "Flyer please");
  await page.getByRole("textbox", { name: "Value", exact: true }).first().fill("flyer");
  await page.getByLabel("Reply text 1").fill("Our flyer");
  await page.getByLabel("File of reply 1").selectOption({ label: "Flyer · Photo" });
  await expect(page.getByRole("img", { name: "Preview of Flyer" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create rule" }).click();
  const drafts = page.getByRole("list", { name: "Draft rules" });
  const rule = drafts.getByRole("listitem").filter({ hasText: "Flyer please" });
  await expect(rule).toBeVisible();

  // Deleted from the library while only the draft sends it.
  await page.goto("/settings/media");
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete Flyer" }).click();
  await expect(page.getByText("The file was deleted from the library.")).toBeVisible();

  await page.goto("/rules");
  await rule.getByRole("button", { name: "Edit" }).click();
  await expect(page.getByLabel("File of reply 1")).toHaveValue(/.+/);
  await expect(page.getByText(/This reply's file was deleted from the media library/)).toBeVisible();
  await page.getByLabel("Version note").fill("Flyer");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(
    page.getByText(/The rule “Flyer please” sends a file that was deleted from the media library/),
  ).toBeVisible();

  // The journeys after this one publish rules: the rule goes.
  page.once("dialog", (dialog) => void dialog.accept());
  await rule.getByRole("button", { name: "Delete" }).click();
  await expect(rule).toHaveCount(0);
});
