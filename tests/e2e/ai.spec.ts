import { expect, test } from "@playwright/test";
import { login, trpc } from "./helpers";
import { GEMINI_URL } from "./stack";

test("an AI reply from the fake Gemini server, shaped by the profile; with the server failing, the fallback text", async ({
  page,
}) => {
  await login(page);
  // A profile made in the browser.
  await page.goto("/profiles");
  await page.getByRole("button", { name: "New profile" }).click();
  await page.fill("#p-name", "Bakery");
  await page.fill("#p-business", "Sunrise Bakery");
  await page.fill("#p-tone", "warm");
  await page.fill("#p-avoid", "politics");
  await page.fill("#p-fallback", "A baker will answer you shortly.");
  await page.getByLabel("Default profile").check();
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Bakery", { exact: true })).toBeVisible();
  // A rule that answers with AI (the visual editor is the builder journey's).
  await trpc(page, "rules.create", {
    name: "Ask the baker",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "bread" }] },
    actions: [{ type: "ai_reply" }],
  });
  await trpc(page, "rules.publish", { note: "AI" });

  await page.goto("/simulator");
  await page.fill("#sim-phone", "+14155550188");
  await page.fill("#sim-name", "Lea");
  await page.getByRole("button", { name: "Start chatting" }).click();
  const composer = page.getByLabel("Message", { exact: true });
  await composer.fill("When is the bread ready?");
  await composer.press("Enter");
  // (The reply shows in the thread and as the conversation's preview.)
  await expect(page.getByText("Fresh sourdough comes out of the oven at 8.").last()).toBeVisible({ timeout: 20_000 });

  // The model fails: the profile's fallback text arrives instead of silence.
  await fetch(`${GEMINI_URL}/__control`, { method: "POST", body: JSON.stringify({ status: 503 }) });
  try {
    await composer.fill("And the rye bread?");
    await composer.press("Enter");
    await expect(page.getByText("A baker will answer you shortly.").last()).toBeVisible({ timeout: 30_000 });
  } finally {
    await fetch(`${GEMINI_URL}/__control`, {
      method: "POST",
      body: JSON.stringify({ reply: "Fresh sourdough comes out of the oven at 8." }),
    });
  }
});
