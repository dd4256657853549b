import { type TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { aiUsageDaily, contacts, events, messages, threadNotes, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { handBackIdleThreads } from "~/server/conversations/state";
import { updateSessionSettings } from "~/server/sessions/sessions";
import { insertUser } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import { deliveriesTo, inbound, repliesTo, startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

function callerOf(
  pipeline: TPipeline,
  user: TSessionUser,
  gemini: { apiKey: string; model: string; baseUrl: string } | null = null,
) {
  return createCaller(testContext({ db: pipeline.db, user, boss: pipeline.boss, gemini }));
}

/** A published rule that hands a thread to a person when the contact asks for one. */
async function withHandoffRule(pipeline: TPipeline) {
  const builder = callerOf(pipeline, await insertUser(pipeline.db, "builder"));
  await builder.rules.create({
    name: "Wants a person",
    conditions: { any: [{ fact: "message.text", operator: "containsWord", value: "human" }] },
    actions: [{ type: "reply", text: "A person will be with you shortly." }, { type: "handoff" }],
  });
  await builder.rules.publish({});
}

async function threadOf(pipeline: TPipeline, waId: string) {
  return waitFor(
    async () =>
      (
        await pipeline.db
          .select({ thread: threads })
          .from(threads)
          .innerJoin(contacts, eq(contacts.id, threads.contactId))
          .where(eq(contacts.waId, waId))
      )[0]?.thread,
    5_000,
    `the thread of ${waId}`,
  );
}

async function humanThread(pipeline: TPipeline, waId: string) {
  await inbound(pipeline, waId, "I want a human please");
  await waitForReplies(pipeline.db, waId, 1);
  return waitFor(
    async () => {
      const thread = await threadOf(pipeline, waId);
      return thread.mode === "human" ? thread : undefined;
    },
    5_000,
    "the hand-off",
  );
}

describe("agent inbox", () => {
  it("shows a handed-off thread as needing a human; the agent takes over, replies with ticks, releases, and the bot answers again", async () => {
    const pipeline = await startPipeline();
    await withHandoffRule(pipeline);
    const agent = await insertUser(pipeline.db, "agent", { name: "Ana Agent" });
    const inbox = callerOf(pipeline, agent);
    const waId = "+15550003001";
    const thread = await humanThread(pipeline, waId);

    // Needs a human: unassigned; the badge counts it; one unread message per agent.
    const needs = await inbox.inbox.list({ filter: "needs_human" });
    expect(needs.threads.map((row) => row.threadId)).toEqual([thread.id]);
    expect(needs.threads[0]).toMatchObject({ mode: "human", assignedUserId: null, unread: 1 });
    expect(needs.threads[0]?.last).toMatchObject({ body: "A person will be with you shortly.", direction: "out" });
    expect(await inbox.inbox.counts()).toMatchObject({ needsHuman: 1, unassigned: 1, mine: 0 });

    // While the thread is the people's, the bot stays silent and the contact is waiting.
    await inbound(pipeline, waId, "hello? anyone?");
    await waitFor(async () => ((await threadOf(pipeline, waId)).awaitingSince ? true : undefined), 5_000, "waiting");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(1);
    expect((await inbox.inbox.list({ filter: "needs_human" })).threads[0]?.unread).toBe(2);

    // Take over, read, reply: the reply goes through the send queue and gets ticks.
    expect(await inbox.inbox.takeOver({ threadId: thread.id })).toMatchObject({
      mode: "human",
      assignedUserId: agent.id,
    });
    const view = await inbox.inbox.thread({ threadId: thread.id });
    expect(view.thread.assigneeName).toBe("Ana Agent");
    expect(view.messages.map((message) => message.source)).toEqual(["contact", "rule", "contact"]);
    expect(view.messages[1]).toMatchObject({ ruleName: "Wants a person", ruleVersion: 1 });
    await inbox.inbox.markRead({ threadId: thread.id, seq: view.messages.at(-1)!.seq });
    expect((await inbox.inbox.list({ filter: "mine" })).threads[0]?.unread).toBe(0);

    await inbox.inbox.reply({ threadId: thread.id, body: "Hi, Ana here. How can I help?" });
    const replies = await waitForReplies(pipeline.db, waId, 2, "read");
    expect(replies[1]?.body).toBe("Hi, Ana here. How can I help?");
    expect((await deliveriesTo(pipeline.db, waId)).map((delivery) => delivery.body)).toContain(
      "Hi, Ana here. How can I help?",
    );
    const [agentMessage] = await pipeline.db
      .select()
      .from(messages)
      .where(and(eq(messages.threadId, thread.id), eq(messages.source, "agent")));
    expect(agentMessage).toMatchObject({ authorUserId: agent.id, status: "read" });
    expect((await threadOf(pipeline, waId)).awaitingSince).toBeNull();

    // Release: the next message is the bot's again.
    await inbox.inbox.release({ threadId: thread.id });
    await inbound(pipeline, waId, "thanks, one more thing");
    const after = await waitForReplies(pipeline.db, waId, 3);
    expect(after[2]?.body).toBe("Thanks for your message! We will get back to you shortly.");

    // Every change was an event.
    const types = (
      await pipeline.db.select({ type: events.type }).from(events).where(eq(events.threadId, thread.id))
    ).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(["thread.handoff", "thread.assigned", "thread.released"]));
  });

  it("searches conversations by the contact's name (its wildcards taken literally) or by digits of the number", async () => {
    const pipeline = await startPipeline();
    const inbox = callerOf(pipeline, await insertUser(pipeline.db, "agent")).inbox;
    const names = { "+15550003101": "Maria 100% Silva", "+15550003102": "Mario_Rossi", "+15550003203": "Zed" };
    const ids = new Map<string, string>();
    for (const [waId, name] of Object.entries(names)) {
      await inbound(pipeline, waId, "hello");
      const thread = await threadOf(pipeline, waId);
      await pipeline.db.update(contacts).set({ name }).where(eq(contacts.id, thread.contactId));
      ids.set(name, thread.id);
    }
    const found = async (search: string) =>
      (await inbox.list({ filter: "all", search })).threads.map((row) => row.threadId).sort();
    const of = (...list: string[]) => list.map((name) => ids.get(name)!).sort();
    expect(await found("mari")).toEqual(of("Maria 100% Silva", "Mario_Rossi"));
    expect(await found("%")).toEqual(of("Maria 100% Silva"));
    expect(await found("o_r")).toEqual(of("Mario_Rossi"));
    expect(await found("3203")).toEqual(of("Zed"));
    expect(await found("555 000 31")).toEqual(of("Maria 100% Silva", "Mario_Rossi"));
    expect(await found("nobody")).toEqual([]);
  });

  it("lets exactly one of two agents taking over at the same moment win, and tells the other who did", async () => {
    const pipeline = await startPipeline();
    await withHandoffRule(pipeline);
    const ana = await insertUser(pipeline.db, "agent", { name: "Ana" });
    const ben = await insertUser(pipeline.db, "agent", { name: "Ben" });
    for (let round = 0; round < 8; round += 1) {
      const thread = await humanThread(pipeline, `+1555000310${round}`);
      const results = await Promise.allSettled([
        callerOf(pipeline, ana).inbox.takeOver({ threadId: thread.id }),
        callerOf(pipeline, ben).inbox.takeOver({ threadId: thread.id }),
      ]);
      const won = results.filter((result) => result.status === "fulfilled");
      const lost = results.filter((result) => result.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const owner = (await threadOf(pipeline, `+1555000310${round}`)).assignedUserId;
      const winner = owner === ana.id ? "Ana" : "Ben";
      expect(owner === ana.id || owner === ben.id).toBe(true);
      const error = lost[0]!.reason as TRPCError;
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toBe(`${winner} has already taken this conversation over.`);
      expect(
        await pipeline.db
          .select()
          .from(events)
          .where(and(eq(events.threadId, thread.id), eq(events.type, "thread.assigned"))),
      ).toHaveLength(1);
    }
  });

  it("keeps one owner: another agent can neither reply to nor release a thread someone holds; an admin can", async () => {
    const pipeline = await startPipeline();
    await withHandoffRule(pipeline);
    const ana = callerOf(pipeline, await insertUser(pipeline.db, "agent", { name: "Ana" }));
    const ben = callerOf(pipeline, await insertUser(pipeline.db, "agent", { name: "Ben" }));
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    const thread = await humanThread(pipeline, "+15550003201");
    await ana.inbox.takeOver({ threadId: thread.id });
    await expect(ben.inbox.reply({ threadId: thread.id, body: "me too" })).rejects.toThrow(
      "Ana has already taken this conversation over.",
    );
    await expect(ben.inbox.release({ threadId: thread.id })).rejects.toThrow(/Ana owns this conversation/);
    await expect(ben.inbox.reply({ threadId: thread.id, body: "   " })).rejects.toThrow(/Type a reply/);
    // Assign to someone who cannot answer: refused.
    const manager = await insertUser(pipeline.db, "manager");
    await expect(admin.inbox.assign({ threadId: thread.id, userId: manager.id })).rejects.toThrow(
      "That person cannot answer conversations.",
    );
    await admin.inbox.release({ threadId: thread.id });
    expect(await threadOf(pipeline, "+15550003201")).toMatchObject({ mode: "bot", assignedUserId: null });

    // Replying to a bot thread takes it over first.
    await ben.inbox.reply({ threadId: thread.id, body: "Ben here" });
    expect(await threadOf(pipeline, "+15550003201")).toMatchObject({ mode: "human" });
  });

  it("hands an idle human thread back to the bot after the set minutes, with a note (controllable clock)", async () => {
    const pipeline = await startPipeline();
    await withHandoffRule(pipeline);
    const agent = callerOf(pipeline, await insertUser(pipeline.db, "agent"));
    const thread = await humanThread(pipeline, "+15550003301");
    await agent.inbox.takeOver({ threadId: thread.id });
    const taken = (await threadOf(pipeline, "+15550003301")).humanActiveAt!;

    expect(await handBackIdleThreads(pipeline.db, pipeline.boss, 30, new Date(taken.getTime() + 29 * 60_000))).toEqual(
      [],
    );
    // Forty minutes pass; then a reply restarts the clock.
    await pipeline.db
      .update(threads)
      .set({ humanActiveAt: new Date(taken.getTime() - 40 * 60_000) })
      .where(eq(threads.id, thread.id));
    await agent.inbox.reply({ threadId: thread.id, body: "Looking into it" });
    const replied = (await threadOf(pipeline, "+15550003301")).humanActiveAt!;
    expect(
      await handBackIdleThreads(pipeline.db, pipeline.boss, 30, new Date(replied.getTime() + 29 * 60_000)),
    ).toEqual([]);
    const released = await handBackIdleThreads(
      pipeline.db,
      pipeline.boss,
      30,
      new Date(replied.getTime() + 31 * 60_000),
    );
    expect(released).toEqual([thread.id]);
    expect(await threadOf(pipeline, "+15550003301")).toMatchObject({ mode: "bot", assignedUserId: null });
    const notes = await pipeline.db.select().from(threadNotes).where(eq(threadNotes.threadId, thread.id));
    expect(notes.map((note) => note.body)).toEqual([
      "Returned to the bot after 30 minutes without a reply from a person.",
    ]);
    const [event] = await pipeline.db
      .select()
      .from(events)
      .where(and(eq(events.threadId, thread.id), eq(events.type, "thread.released")));
    expect(event?.payload).toMatchObject({ by: "policy" });
    // The bot answers the next message.
    await inbound(pipeline, "+15550003301", "are you there?");
    await waitFor(
      async () => ((await repliesTo(pipeline.db, "+15550003301")).length >= 3 ? true : undefined),
      10_000,
      "the bot's reply",
    );

    // The setting: off by default, validated.
    const admin = callerOf(pipeline, await insertUser(pipeline.db, "admin"));
    expect((await admin.settings.get()).handbackMinutes).toBe(0);
    await expect(admin.settings.update({ handbackMinutes: -5 })).rejects.toThrow(/0 \(off\) or more/);
    expect((await admin.settings.update({ handbackMinutes: 45 })).handbackMinutes).toBe(45);
  });

  it("reopens a closed thread with the bot when the contact writes again", async () => {
    const pipeline = await startPipeline();
    const agent = callerOf(pipeline, await insertUser(pipeline.db, "agent"));
    await inbound(pipeline, "+15550003401", "hi");
    await waitForReplies(pipeline.db, "+15550003401", 1);
    const thread = await threadOf(pipeline, "+15550003401");
    await agent.inbox.close({ threadId: thread.id });
    expect((await agent.inbox.list({ filter: "closed" })).threads.map((row) => row.threadId)).toEqual([thread.id]);
    await inbound(pipeline, "+15550003401", "me again");
    await waitForReplies(pipeline.db, "+15550003401", 2);
    expect(await threadOf(pipeline, "+15550003401")).toMatchObject({ mode: "bot", closedAt: null });
  });

  it("paces agent replies like the bot's and records their statuses", async () => {
    // When the transport was asked to send: the moment pacing governs.
    const sendTimes: number[] = [];
    const pipeline = await startPipeline({
      createTransport: (simulator) => ({
        ...simulator,
        send: (message, signal) => {
          if (message.to === "+15550003501") sendTimes.push(performance.now());
          return simulator.send(message, signal);
        },
      }),
    });
    await updateSessionSettings(pipeline.db, null, pipeline.sessionId, {
      pacing: { enabled: true, messagesPerMinute: 600, burst: 1, jitterMinMs: 0, jitterMaxMs: 0, perChatGapMs: 300 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the runner picks the settings up on its next tick
    await withHandoffRule(pipeline);
    const agent = callerOf(pipeline, await insertUser(pipeline.db, "agent"));
    const thread = await humanThread(pipeline, "+15550003501");
    for (const body of ["one", "two", "three"]) await agent.inbox.reply({ threadId: thread.id, body });
    const replies = await waitForReplies(pipeline.db, "+15550003501", 4, "read");
    expect(replies.slice(1).map((reply) => reply.body)).toEqual(["one", "two", "three"]);
    expect(replies.map((reply) => reply.status)).toEqual(["read", "read", "read", "read"]);
    expect(sendTimes).toHaveLength(4);
    for (let i = 1; i < sendTimes.length; i += 1) {
      expect(sendTimes[i]! - sendTimes[i - 1]!).toBeGreaterThanOrEqual(300 - 2); // timer granularity
    }
  });

  it("keeps internal notes from the contact, fills saved replies in, and suggests an AI reply the agent can edit", async () => {
    const fake = await startFakeGemini({ otherwise: { reply: "Suggested: your order ships tomorrow." } });
    const pipeline = await startPipeline();
    await withHandoffRule(pipeline);
    const agent = callerOf(pipeline, await insertUser(pipeline.db, "agent"), {
      apiKey: "k",
      model: "gemini-test",
      baseUrl: fake.url,
    });
    const thread = await humanThread(pipeline, "+15550003601");
    await agent.inbox.note({ threadId: thread.id, body: "VIP: be extra kind" });
    const view = await agent.inbox.thread({ threadId: thread.id });
    expect(view.notes.map((note) => note.body)).toEqual(["VIP: be extra kind"]);
    expect((await deliveriesTo(pipeline.db, "+15550003601")).map((delivery) => delivery.body)).not.toContain(
      "VIP: be extra kind",
    );

    const canned = await agent.inbox.saveCanned({
      id: null,
      reply: { title: "Greeting", body: "Hello {{contact.firstName | there}}, thanks for waiting!" },
    });
    await expect(agent.inbox.saveCanned({ id: null, reply: { title: "greeting", body: "dup" } })).rejects.toThrow(
      /exists already/,
    );
    await expect(
      agent.inbox.saveCanned({ id: null, reply: { title: "Bad", body: "Hi {{contact.nickname}}" } }),
    ).rejects.toThrow(/Unknown variable: \{\{contact.nickname\}\}/);
    await pipeline.db.update(contacts).set({ name: "Maria Silva" }).where(eq(contacts.id, thread.contactId));
    expect(await agent.inbox.renderCanned({ id: canned.id, threadId: thread.id })).toEqual({
      text: "Hello Maria, thanks for waiting!",
    });

    const suggestion = await agent.inbox.suggest({ threadId: thread.id });
    expect(suggestion).toMatchObject({
      text: "Suggested: your order ships tomorrow.",
      outcome: "ok",
      provider: "gemini",
    });
    expect(JSON.stringify(fake.requests[0]!.body)).toContain("I want a human please");
    // A suggestion is never sent by itself.
    expect(await repliesTo(pipeline.db, "+15550003601")).toHaveLength(1);
    // Its model call is counted (server/ai/usage.ts).
    expect(await pipeline.db.select().from(aiUsageDaily)).toEqual([
      expect.objectContaining({ purpose: "reply", model: "gemini-test", calls: 1 }),
    ]);
  });
});
