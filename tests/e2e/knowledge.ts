import { expect, type Page } from "@playwright/test";
import { pdfBytes } from "../support/pdf-fixtures";

/** The price list the knowledge tests upload (and the Simulator's answers may quote). */
export const PRICE_LIST_LINES = ["Large cake – 45.00 EUR", "Small cake – 20.00 EUR", "Sourdough loaf – 4.50 EUR"];

/** A one-page PDF price list (a real PDF, text extractable). */
export function priceListPdf(): Buffer {
  return pdfBytes([["Prices", "", ...PRICE_LIST_LINES, "", "Orders two days ahead."]]);
}

/**
 * On the Knowledge page (already open): creates a collection named `name` and uploads the price
 * list PDF to it, then waits until the source shows as indexed. Returns the source's row.
 */
export async function addPriceListCollection(page: Page, name: string) {
  await page.getByRole("button", { name: "New collection" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Search language").selectOption("english");
  await page.getByRole("button", { name: "Create collection" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  await page.getByRole("radio", { name: "File (PDF, Markdown, text)" }).check();
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "price-list.pdf",
    mimeType: "application/pdf",
    buffer: priceListPdf(),
  });
  await page.getByRole("button", { name: "Add source" }).click();
  await expect(page.getByText("Source added: it is being indexed.")).toBeVisible();
  const row = page.getByTestId("knowledge-source").filter({ hasText: "price-list" });
  await expect(row.getByText("Indexed", { exact: true })).toBeVisible({ timeout: 30_000 });
  return row;
}
