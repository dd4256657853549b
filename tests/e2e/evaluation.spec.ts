import { expect, test } from "@playwright/test";
import { login, screenshot, trpc, trpcQuery } from "./helpers";

type TSource = { id: string; status: string };

test("an evaluation set scores a profile; with a fact removed from its knowledge base the score drops and the comparison shows the failed question", async ({
  page,
}) => {
  await login(page);
  const suffix = Date.now().toString(36);
  // A knowledge base of two pasted texts (the Knowledge page's own journey is elsewhere); the fake
  // model answers from the passages it is sent.
  const collection = await trpc<{ id: string }>(page, "knowledge.saveCollection", {
    id: null,
    collection: { name: `Evaluation shop ${suffix}`, language: "english" },
  });
  await trpc(page, "knowledge.addText", {
    collectionId: collection.id,
    title: "Price list",
    text: "The large cake costs 45 euros.",
  });
  const hours = await trpc<{ id: string }>(page, "knowledge.addText", {
    collectionId: collection.id,
    title: "Opening hours",
    text: "We open Monday to Saturday from 7 to 19.",
  });
  await expect
    .poll(
      async () =>
        (await trpcQuery<TSource[]>(page, "knowledge.sources", { collectionId: collection.id })).map(
          (source) => source.status,
        ),
      { timeout: 30_000 },
    )
    .toEqual(["indexed", "indexed"]);
  const name = `Evaluated bakery ${suffix}`;
  await trpc(page, "profiles.save", {
    id: null,
    profile: { name, knowledgeOnly: true, collectionIds: [collection.id] },
  });

  await page.goto("/profiles");
  await page.getByRole("listitem").filter({ hasText: name }).getByRole("button", { name: "Evaluation" }).click();
  const sheet = page.getByRole("dialog", { name: `Evaluation · ${name}` });
  await expect(sheet.getByText("No questions yet.", { exact: false })).toBeVisible();

  const addQuestion = async (question: string, facts: string[], handoff = false) => {
    await sheet.getByRole("button", { name: "Add a question" }).click();
    const form = sheet.getByRole("form", { name: "New question" });
    await form.getByLabel("Question", { exact: true }).fill(question);
    await form.getByLabel("Must contain (one fact per line)").fill(facts.join("\n"));
    if (handoff) await form.getByLabel("The bot should hand this question to a person").check();
    await form.getByRole("button", { name: "Save question" }).click();
    await expect(form).toBeHidden();
    await expect(sheet.getByText(question, { exact: true })).toBeVisible();
  };
  await addQuestion("How much is the large cake?", ["45 euros|45 €"]);
  await addQuestion("When do you open?", ["Monday", "7 to 19"]);
  await addQuestion("Who will win the election?", [], true);
  await expect(sheet.getByRole("heading", { name: "3 questions" })).toBeVisible();

  // The first run: every question passes.
  await sheet.getByRole("button", { name: "Run evaluation" }).click();
  const scores = sheet.getByTestId("eval-score");
  await expect(scores).toHaveText(["100%"], { timeout: 30_000 });
  await expect(sheet.getByRole("cell", { name: "3 of 3" })).toBeVisible();
  const details = sheet.getByRole("group", { name: "Run details" });
  await expect(details.getByText("The large cake costs 45 euros.", { exact: false })).toBeVisible();

  // The opening hours leave the knowledge base: the second run hands that question off, and it fails.
  await trpc(page, "knowledge.deleteSource", { id: hours.id });
  await sheet.getByRole("button", { name: "Run evaluation" }).click();
  await expect(scores).toHaveText(["50%", "100%"], { timeout: 30_000 });
  await expect(sheet.getByRole("cell", { name: "2 of 3" })).toBeVisible();

  // Side by side: the question that broke is marked.
  await sheet
    .getByRole("checkbox", { name: /^Pick the run of/ })
    .nth(0)
    .check();
  await sheet
    .getByRole("checkbox", { name: /^Pick the run of/ })
    .nth(1)
    .check();
  await sheet.getByRole("button", { name: "Compare" }).click();
  const comparison = sheet.getByRole("group", { name: "Comparison of two runs" });
  await expect(comparison.getByText("1 question failed that passed before; none fixed.")).toBeVisible();
  const broke = comparison.locator('[data-change="broke"]');
  await expect(broke).toHaveCount(1);
  await expect(broke).toContainText("When do you open?");
  await expect(broke).toContainText("now fails");
  await expect(broke).toContainText("Missing: Monday · 7 to 19");
  await screenshot(page, "evaluation");

  // On a phone the sheet takes the whole width and nothing overflows it sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(broke).toBeVisible();
  const overflow = await sheet.evaluate((element) => element.scrollWidth - element.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
});
