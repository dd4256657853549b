import { expect, test } from "@playwright/test";
import { expectAccessible, fromBot, login, sendAsContact, startChat, trpc, trpcQuery } from "./helpers";

const PHONE_NUMBER = "+14155550186";
const NAME = "Sally Survey";

test("[survey] a closed conversation of a team sends the survey; the score and comment show on the conversation and in Analytics", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await login(page);
  const team = await trpc<{ id: string }>(page, "teams.create", { name: "Happy Bakers", surveyEnabled: true });
  await trpc(page, "rules.create", {
    name: "Bakers",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "baker" }] },
    actions: [{ type: "handoff", teamId: team.id }],
  });
  await trpc(page, "rules.publish", { note: "Bakers" });

  // The contact asks for a baker; a person takes the conversation and closes it.
  await startChat(page, PHONE_NUMBER, NAME);
  await sendAsContact(page, "Can I talk to a baker?");
  let threadId = "";
  await expect
    .poll(async () => {
      const list = await trpcQuery<{ threads: { threadId: string; waId: string }[] }>(page, "inbox.list", {
        filter: "needs_human",
      });
      threadId = list.threads.find((thread) => thread.waId === PHONE_NUMBER)?.threadId ?? "";
      return threadId;
    })
    .not.toBe("");
  await trpc(page, "inbox.takeOver", { threadId });
  await trpc(page, "inbox.reply", { threadId, body: "Fresh bread is ready at 8." });
  await trpc(page, "inbox.close", { threadId });

  // The contact's phone gets the survey and answers it, then adds a comment.
  await startChat(page, PHONE_NUMBER, NAME);
  await expect(fromBot(page, /How would you rate the help you received/)).toBeVisible({ timeout: 20_000 });
  await sendAsContact(page, "5");
  await expect(fromBot(page, /Thank you for your rating/)).toBeVisible({ timeout: 20_000 });
  await sendAsContact(page, "Lovely bread");
  await expect(fromBot(page, /passed your comment on/)).toBeVisible({ timeout: 20_000 });

  // On the conversation.
  await page.goto(`/inbox?filter=closed&thread=${threadId}`);
  const satisfaction = page.getByTestId("satisfaction");
  await expect(satisfaction).toContainText("5 of 5", { timeout: 20_000 });
  await expect(satisfaction).toContainText("Lovely bread");
  // The survey's own messages are named as such, not as the default reply.
  await expect(page.getByRole("log").getByText("Satisfaction survey").first()).toBeVisible();
  await expectAccessible(page);

  // In Analytics: the team's row.
  await page.goto("/analytics");
  const section = page.getByRole("table").filter({ has: page.getByText("Teams", { exact: true }) });
  const row = section.getByRole("row").filter({ hasText: "Happy Bakers" });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText("5.0 ★");
  await expect(row).toContainText("100%");
});
