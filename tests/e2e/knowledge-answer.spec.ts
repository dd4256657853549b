import { expect, test } from "@playwright/test";
import { pdfBytes } from "../support/pdf-fixtures";
import { fromBot, login, screenshot, sendAsContact, startChat, trpc, trpcQuery } from "./helpers";

/**
 * Issue 23's first two acceptance criteria, in the browser: a PDF price list uploaded on the
 * Knowledge page answers "how much is the large cake?" in the Simulator, cited (the fake
 * Gemini server answers from the passages it is sent, naming the passage's number, which the
 * reply turns into the source's name); with "answer only from the knowledge base", a question
 * the documents do not cover is passed to people.
 */
test("a PDF price list answers the Simulator, cited; a question it does not cover is handed off", async ({ page }) => {
  test.setTimeout(120_000);
  await login(page);
  const suffix = Date.now().toString(36);
  const collection = `Cake shop ${suffix}`;

  // The collection and the PDF, through the Knowledge page.
  await page.goto("/knowledge");
  await page.getByRole("button", { name: "New collection" }).click();
  await page.getByLabel("Name", { exact: true }).fill(collection);
  await page.getByLabel("Search language").selectOption("english");
  await page.getByRole("button", { name: "Create collection" }).click();
  await expect(page.getByRole("button", { name: new RegExp(collection) })).toHaveAttribute("aria-current", "true");
  await page.getByLabel("File (PDF, Markdown, text)").check();
  await page.getByLabel("File", { exact: true }).setInputFiles({
    name: "price-list.pdf",
    mimeType: "application/pdf",
    buffer: pdfBytes([
      [
        "Cake price list",
        "",
        "Celebration cakes",
        "Small cake (serves 6) – 25.00 EUR",
        "Large cake (serves 12) – 45.00 EUR",
        "",
        "Cupcakes",
        "Box of six cupcakes – 14.00 EUR",
      ],
    ]),
  });
  await page.getByLabel("Title (optional)").fill("Cake price list");
  await page.getByRole("button", { name: "Add source" }).click();
  const sources = page.getByRole("list", { name: "Sources" });
  await expect(sources.getByText("Indexed")).toBeVisible({ timeout: 30_000 });
  await expect(sources.getByText("Cake price list")).toBeVisible();

  // A profile that draws on it and answers only from it, and a rule that asks it.
  await page.goto("/profiles");
  await page.getByRole("button", { name: "New profile" }).click();
  await page.fill("#p-name", `Cake shop ${suffix}`);
  await page.getByLabel(new RegExp(`^${collection} \\(`)).check();
  await page.getByLabel(/Answer only from the knowledge base/).check();
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText(`Cake shop ${suffix}`, { exact: true })).toBeVisible();
  const profiles = await trpcQuery<{ id: string; name: string }[]>(page, "profiles.list");
  const profile = profiles.find((entry) => entry.name === `Cake shop ${suffix}`)!;
  await trpc(page, "rules.create", {
    name: `Cake questions ${suffix}`,
    conditions: { any: [{ fact: "message.text", operator: "containsAnyOf", value: ["cake", "insurance"] }] },
    actions: [{ type: "ai_reply", profileId: profile.id }],
  });
  await trpc(page, "rules.publish", { note: "Cake questions" });

  // The prompt preview shows which passage a question would carry.
  await page.getByRole("button", { name: "Preview prompt" }).first().waitFor();
  const row = page.getByRole("listitem").filter({ hasText: `Cake shop ${suffix}` });
  await row.getByRole("button", { name: "Preview prompt" }).click();
  await page.getByLabel("Message to preview").fill("How much is the large cake?");
  await page.getByRole("button", { name: "Show the request" }).click();
  await expect(page.getByRole("list", { name: "Passages from the knowledge base" })).toContainText("Cake price list");

  // The Simulator: the answer is built from the PDF's passage and names it.
  await startChat(page, "+14155550241", "Cleo");
  await sendAsContact(page, "How much is the large cake?");
  const answer = fromBot(page, /45\.00 EUR/);
  await expect(answer).toBeVisible({ timeout: 30_000 });
  await expect(answer).toContainText("Source: Cake price list");
  await expect(answer).not.toContainText("[1]");
  await screenshot(page, "knowledge-answer");

  // Unrelated: passed on, and the conversation waits for a person in the Inbox.
  await startChat(page, "+14155550242", "Dario");
  await sendAsContact(page, "Do you sell car insurance?");
  await expect(fromBot(page, /passing your question to a colleague/)).toBeVisible({ timeout: 30_000 });
  // (The Inbox opens on what needs a person.)
  await page.goto("/inbox");
  await expect(page.getByText("Dario", { exact: true }).first()).toBeVisible({ timeout: 15_000 });
});
