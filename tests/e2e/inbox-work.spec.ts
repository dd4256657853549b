import { type Browser, expect, type Page, test } from "@playwright/test";
import {
  createUser,
  expectAccessible,
  expectNoSidewaysScroll,
  login,
  PHONE,
  sendAsContact,
  startChat,
  trpc,
  USER_PASSWORD,
} from "./helpers";

const ANA = { email: "ana.work@e2e.test", name: "Ana Work", role: "agent" };
const BEN = { email: "ben.work@e2e.test", name: "Ben Work", role: "agent" };
const SAVED = { title: "Refund policy", body: "Refunds reach your card within 5 days." };

async function signedIn(browser: Browser, user: { email: string }, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await login(page, user.email, USER_PASSWORD);
  return { context, page };
}

/** The visible bell (the sidebar's on desktop, the top bar's on phones). */
function bell(page: Page) {
  return page.getByTestId("notification-bell").locator("visible=true");
}

function threadRow(page: Page, name: string) {
  return page.getByTestId("inbox-thread").filter({ hasText: name });
}

function activity(page: Page, text: string | RegExp) {
  return page.getByTestId("activity").filter({ hasText: text });
}

test.describe.configure({ mode: "serial" });

test("[inbox work] two agents: saved replies with '/', a mention reaches the other's bell live, priority and labels, snooze, assignment and activity live, close asks first, the '?' sheet", async ({
  browser,
  page,
}) => {
  test.setTimeout(180_000);
  await login(page);
  await createUser(page, ANA);
  await createUser(page, BEN);
  await trpc(page, "inbox.saveCanned", { id: null, reply: SAVED });
  await startChat(page, "+14155550777", "Wanda Work");
  await sendAsContact(page, "Where is my refund?");

  const ana = await signedIn(browser, ANA);
  const ben = await signedIn(browser, BEN);
  try {
    // Ben waits in the Inbox; his bell has nothing.
    await ben.page.goto("/inbox");
    await expect(bell(ben.page)).toBeVisible();
    await expect(ben.page.getByTestId("notification-count")).toHaveCount(0);

    // Ana opens the conversation and takes it over: the activity says so.
    const a = ana.page;
    await a.goto("/inbox?filter=all");
    await threadRow(a, "Wanda Work").click();
    await a.getByRole("group", { name: "Conversation actions" }).getByRole("button", { name: "Take over" }).click();
    await expect(activity(a, "Ana Work took the conversation over")).toBeVisible();

    // "/" in the composer: the saved replies, filtered as she types; Enter puts the text in.
    const reply = a.getByLabel("Reply", { exact: true });
    await reply.click();
    await reply.pressSequentially("/refu");
    const suggestions = a.getByTestId("composer-suggestions");
    await expect(suggestions.getByRole("option", { name: /Refund policy/ })).toBeVisible();
    await reply.press("Enter");
    await expect(reply).toHaveValue(SAVED.body);
    await expect(suggestions).toHaveCount(0);
    await reply.fill("");

    // A note mentioning Ben: "@" suggests teammates; Ben's bell counts it, live.
    await a.getByRole("group", { name: "Write" }).getByRole("button", { name: "Internal note" }).click();
    const note = a.getByLabel("Internal note", { exact: true });
    // Ben picked by name (earlier journeys leave teammates whose names start alike: Bea, Ben Owl).
    await note.pressSequentially("@Be");
    await suggestions.getByRole("option").filter({ hasText: BEN.name }).click();
    await note.pressSequentially("can you check the refund?");
    await expect(note).toHaveValue(`@${BEN.name} can you check the refund?`);
    await a.getByRole("button", { name: "Add note" }).click();
    await expect(a.getByTestId("note").filter({ hasText: "can you check the refund?" })).toBeVisible();
    await expect(ben.page.getByTestId("notification-count").locator("visible=true")).toHaveText("1", {
      timeout: 15_000,
    });

    // Priority and a label from the header: badges in the list.
    await a.getByLabel("Priority", { exact: true }).selectOption("high");
    await expect(activity(a, "Ana Work set the priority to High")).toBeVisible();
    await a.getByLabel("Add a label").fill("VIP");
    await a.getByRole("button", { name: "Add", exact: true }).click();
    await expect(a.getByTestId("thread-label").filter({ hasText: "#vip" })).toBeVisible();
    await expect(threadRow(a, "Wanda Work").getByTestId("label-badge")).toHaveText("#vip");
    await expect(threadRow(a, "Wanda Work").getByTestId("priority-badge")).toHaveText("High");

    // Snooze for an hour: it leaves the list, shows under Snoozed, and wakes by hand.
    await a.getByTestId("snooze-menu").click();
    await a.getByRole("button", { name: "In 1 hour" }).click();
    await expect(a.getByTestId("snoozed-badge")).toContainText("Snoozed until");
    await expect(activity(a, /Ana Work snoozed the conversation until/)).toBeVisible();
    await expect(threadRow(a, "Wanda Work")).toHaveCount(0);
    await a.getByRole("button", { name: "Snoozed", exact: true }).click();
    await expect(threadRow(a, "Wanda Work").getByTestId("row-snoozed")).toContainText("Snoozed until");
    await a.getByRole("button", { name: "Wake now" }).click();
    await expect(activity(a, "Ana Work woke the conversation")).toBeVisible();
    await expect(a.getByTestId("snoozed-badge")).toHaveCount(0);

    // Ben follows the mention from his bell to the conversation (and it is read).
    const b = ben.page;
    await bell(b).click();
    const mention = b.getByTestId("notification-item").filter({ hasText: "Ana Work mentioned you in Wanda Work" });
    await expect(mention).toHaveAttribute("data-unread", "true");
    await mention.getByRole("link").click();
    await expect(b.getByRole("heading", { name: "Wanda Work" })).toBeVisible();
    await expect(b.getByTestId("notification-count")).toHaveCount(0);
    await expect(activity(b, "Ana Work set the priority to High")).toBeVisible();

    // Ana assigns it to Ben: his bell and his open conversation show it, live.
    const actions = a.getByRole("group", { name: "Conversation actions" });
    const assignTo = actions.getByLabel("Assign to");
    // The option's label may carry the person's availability beside the name.
    const benValue = await assignTo.locator("option", { hasText: BEN.name }).getAttribute("value");
    await assignTo.selectOption(benValue);
    await actions.getByRole("button", { name: "Assign", exact: true }).click();
    await expect(activity(b, "Ana Work assigned the conversation to Ben Work")).toBeVisible({ timeout: 15_000 });
    await expect(b.getByTestId("notification-count").locator("visible=true")).toHaveText("1", { timeout: 15_000 });

    // Shortcuts: "?" opens the sheet (not while typing); "e" asks before closing; Cancel keeps it open.
    await b.getByRole("heading", { name: "Wanda Work" }).click();
    await b.keyboard.press("?");
    const sheet = b.getByTestId("shortcuts-sheet");
    await expect(sheet.getByRole("heading", { name: "Keyboard shortcuts" })).toBeVisible();
    await expect(sheet.getByText("Assign to me")).toBeVisible();
    await b.keyboard.press("Escape");
    await expect(sheet).toHaveCount(0);
    const benReply = b.getByLabel("Reply", { exact: true });
    await benReply.click();
    await benReply.pressSequentially("is it? e");
    await expect(sheet).toHaveCount(0);
    await expect(b.getByTestId("confirm-dialog")).toHaveCount(0);
    await benReply.fill("");
    await b.getByRole("heading", { name: "Wanda Work" }).click();
    await b.keyboard.press("e");
    const confirm = b.getByTestId("confirm-dialog");
    await expect(confirm.getByRole("heading", { name: "Close this conversation?" })).toBeVisible();
    await expectAccessible(b);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toHaveCount(0);
    await expect(
      b.getByRole("group", { name: "About this conversation" }).getByText("You", { exact: true }),
    ).toBeVisible();
    // The button asks too; confirming closes it, and Ana sees that live.
    await b
      .getByRole("group", { name: "Conversation actions" })
      .getByRole("button", { name: "Close", exact: true })
      .click();
    await confirm.getByRole("button", { name: "Close conversation" }).click();
    await expect(activity(b, "Ben Work closed the conversation")).toBeVisible();
    await expect(activity(a, "Ben Work closed the conversation")).toBeVisible({ timeout: 15_000 });
  } finally {
    await ana.context.close();
    await ben.context.close();
  }
});

test("[inbox work] on a phone: the bell in the top bar, the snooze menu and the close confirmation fit the screen", async ({
  browser,
  page,
}) => {
  test.setTimeout(120_000);
  await login(page);
  await startChat(page, "+14155550778", "Pablo Phone");
  await sendAsContact(page, "Hello from my phone");
  const ana = await signedIn(browser, ANA, PHONE);
  try {
    const a = ana.page;
    await a.goto("/inbox?filter=all");
    await expect(bell(a)).toBeVisible();
    await bell(a).click();
    await expect(a.getByTestId("notification-panel").locator("visible=true")).toBeVisible();
    await expectNoSidewaysScroll(a);
    await a.keyboard.press("Escape");
    await threadRow(a, "Pablo Phone").click();
    await a.getByRole("group", { name: "Conversation actions" }).getByRole("button", { name: "Take over" }).click();
    await expect(activity(a, "Ana Work took the conversation over")).toBeVisible();
    await a.getByTestId("snooze-menu").click();
    await expect(a.getByRole("button", { name: "Until the contact writes" })).toBeVisible();
    await expectNoSidewaysScroll(a);
    await a.getByRole("button", { name: "Until the contact writes" }).click();
    await expect(a.getByTestId("snoozed-badge")).toHaveText("Snoozed until the contact writes");
    // The contact writes: the snooze ends by itself, live.
    await sendAsContact(page, "Any news?");
    await expect(activity(a, "The contact wrote: the snooze ended")).toBeVisible({ timeout: 15_000 });
    await expect(a.getByTestId("snoozed-badge")).toHaveCount(0);
    await a
      .getByRole("group", { name: "Conversation actions" })
      .getByRole("button", { name: "Close", exact: true })
      .click();
    const confirm = a.getByTestId("confirm-dialog");
    await expect(confirm.getByRole("button", { name: "Close conversation" })).toBeVisible();
    await expectNoSidewaysScroll(a);
    await confirm.getByRole("button", { name: "Close conversation" }).click();
    await expect(activity(a, "Ana Work closed the conversation")).toBeVisible();

    // The contact beside the conversation, editable in place.
    await a.getByTestId("open-contact-panel").click();
    const panel = a.getByTestId("contact-panel");
    await panel.getByLabel("Tags (comma-separated)").fill("phone, returning");
    await panel
      .getByRole("form", { name: "Contact details" })
      .getByRole("button", { name: "Save", exact: true })
      .click();
    await expect(panel.getByText("Saved.")).toBeVisible();
    await expectNoSidewaysScroll(a);
    await panel.getByRole("button", { name: "Close", exact: true }).click();
    await expect(panel).toHaveCount(0);
    await expect(a.getByRole("heading", { name: "Pablo Phone" })).toBeVisible();
  } finally {
    await ana.context.close();
  }
});
