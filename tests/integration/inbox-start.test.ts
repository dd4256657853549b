import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { insertUser } from "../support/database";
import {
  conversationOf,
  deliveriesTo,
  inbound,
  publishRules,
  repliesTo,
  startPipeline,
  waitForReplies,
  type TPipeline,
} from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function inboxOf(pipeline: TPipeline, user: TSessionUser) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss })).inbox;
}

describe("starting a conversation from the Inbox", () => {
  it("a new number: the contact and the conversation are made, the agent holds it, their message reaches the phone, the bot stays out of the answer", async () => {
    const pipeline = await startPipeline();
    // A rule that would answer anything, to show the bot keeps out of a conversation a person started.
    await publishRules(pipeline.db, [
      {
        name: "Thanks",
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "thanks" }] },
        actions: [{ type: "reply", text: "Bot here" }],
      },
    ]);
    const agent = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const inbox = inboxOf(pipeline, agent);

    const started = await inbox.start({ to: "+1 (415) 555-0181" });
    expect(started).toMatchObject({ mode: "human", assignedUserId: agent.id });
    const { contact, thread, events: recorded } = await conversationOf(pipeline.db, "+14155550181");
    expect(thread).toMatchObject({ id: started.threadId, mode: "human", assignedUserId: agent.id });
    expect(contact.id).toBe(started.contactId);
    expect(recorded.map((event) => [event.type, event.payload.takeover])).toContainEqual(["thread.assigned", true]);
    expect((await inbox.list({ filter: "mine" })).threads.map((row) => row.threadId)).toEqual([started.threadId]);

    await inbox.reply({ threadId: started.threadId, body: "Hello from the shop" });
    await waitForReplies(pipeline.db, "+14155550181", 1);
    await waitFor(
      async () => ((await deliveriesTo(pipeline.db, "+14155550181")).length === 1 ? true : undefined),
      10_000,
      "the phone to receive the agent's message",
    );
    // The contact answers: the person holds the conversation, so no rule replies.
    await inbound(pipeline, "+14155550181", "thanks!");
    await waitFor(
      async () => ((await conversationOf(pipeline.db, "+14155550181")).thread.awaitingSince ? true : undefined),
      10_000,
      "the answer to wait for the agent",
    );
    expect((await repliesTo(pipeline.db, "+14155550181")).map((reply) => reply.body)).toEqual(["Hello from the shop"]);

    // Starting again with the same number opens the same conversation.
    expect((await inbox.start({ to: "+14155550181" })).threadId).toBe(started.threadId);
  });

  it("an existing contact's conversation with the bot is taken over; one a teammate holds, a blocked or opted-out contact, or a bad number is refused with why, and nothing changes", async () => {
    const pipeline = await startPipeline();
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    await inbound(pipeline, "+14155550182", "hi");
    const existing = await waitFor(
      async () => (await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+14155550182")))[0],
      5_000,
      "the contact who wrote",
    );
    const started = await inboxOf(pipeline, ana).start({ to: "+14155550182" });
    expect(started).toMatchObject({ contactId: existing.id, mode: "human", assignedUserId: ana.id });

    await expect(inboxOf(pipeline, ben).start({ to: "+14155550182" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("Ana"),
    });
    const [held] = await pipeline.db.select().from(threads).where(eq(threads.id, started.threadId));
    expect(held).toMatchObject({ assignedUserId: ana.id });

    const blocked = await inboxOf(pipeline, ana).start({ to: "+14155550183" });
    await pipeline.db.update(contacts).set({ blocked: true }).where(eq(contacts.id, blocked.contactId));
    await inboxOf(pipeline, ana).release({ threadId: blocked.threadId });
    await expect(inboxOf(pipeline, ben).start({ to: "+14155550183" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This contact is blocked.",
    });
    await pipeline.db
      .update(contacts)
      .set({ blocked: false, optedOut: true })
      .where(eq(contacts.id, blocked.contactId));
    await expect(inboxOf(pipeline, ben).start({ to: "+14155550183" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This contact opted out of messages.",
    });
    const [untouched] = await pipeline.db.select().from(threads).where(eq(threads.id, blocked.threadId));
    expect(untouched).toMatchObject({ mode: "bot", assignedUserId: null });

    await expect(inboxOf(pipeline, ben).start({ to: "call me" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(inboxOf(pipeline, ben).start({ to: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      inboxOf(pipeline, ben).start({ to: "+14155550184", sessionId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+14155550184"))).toEqual([]);
  });
});
