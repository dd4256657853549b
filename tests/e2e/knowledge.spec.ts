import { expect, test } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll, login, PHONE, screenshot } from "./helpers";
import { addPriceListCollection, PRICE_LIST_LINES } from "./knowledge";

test("[admin] Knowledge: creates a collection, uploads a PDF price list, sees it indexed with its passages", async ({
  page,
}) => {
  await login(page);
  await page.goto("/knowledge");
  const name = `Bakery prices ${Date.now()}`;
  const row = await addPriceListCollection(page, name);
  await expect(row).toContainText("File");
  await expect(row).not.toContainText("0 bytes");
  // The collections list counts the source and its passages once it is indexed.
  const listed = page.getByRole("list", { name: "Collections" }).getByRole("button", { name });
  await expect(listed).toContainText(/1 source · [1-9]\d* passages?/);

  await row.getByRole("button", { name: "Show passages" }).click();
  const passages = row.getByTestId("knowledge-passages");
  for (const line of PRICE_LIST_LINES) await expect(passages).toContainText(line);
  await expect(row.getByRole("button", { name: "Hide passages" })).toHaveAttribute("aria-expanded", "true");

  // A CSV without question and answer columns fails, saying why.
  await page.getByRole("radio", { name: "Questions and answers (CSV)" }).check();
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "prices.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("name,price\nLarge cake,45\n"),
  });
  await page.getByRole("button", { name: "Add source" }).click();
  const failed = page.getByTestId("knowledge-source").filter({ hasText: "prices" }).filter({ hasText: "Q&A" });
  await expect(failed.getByText("Failed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(failed).toContainText('a "question" column and an "answer" column');

  await screenshot(page, "knowledge");
  await expectAccessible(page);
});

test("[admin] Knowledge at phone size: a collection with its indexed price list fits the screen", async ({
  browser,
}) => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await login(page);
    await page.goto("/knowledge");
    const row = await addPriceListCollection(page, `Phone prices ${Date.now()}`);
    await row.getByRole("button", { name: "Show passages" }).click();
    await expect(row.getByTestId("knowledge-passages")).toContainText(PRICE_LIST_LINES[0]!);
    await expectNoSidewaysScroll(page);
    await expectAccessible(page);
  } finally {
    await context.close();
  }
});
