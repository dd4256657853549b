import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { contacts, contextProfiles, messages, ruleHits, threadNotes, threads, webhookDeliveries } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { processInboundBatch } from "~/server/messaging/process";
import type { TRuleInput } from "~/server/rules/schema";
import { updateOrgSettings } from "~/server/settings/settings";
import { createEndpoint } from "~/server/webhooks/endpoints";
import { insertUser } from "../support/database";
import {
  conversationOf,
  inbound,
  publishRules,
  repliesTo,
  startPipeline,
  storedId,
  usePreparedDatabase,
  waitForProcessed,
  waitForReplies,
  type TPipeline,
} from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const DEFAULT_REPLY = "Thanks for your message! We will get back to you shortly.";
const ALWAYS_CLOSED = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

function priceRule(overrides: Partial<TRuleInput> = {}): TRuleInput {
  return {
    name: "Price list",
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
    actions: [
      { type: "reply", text: "Hi {{contact.firstName | there}}, our prices: cleaning $80." },
      { type: "tag", tag: "lead" },
    ],
    ...overrides,
  };
}

async function builderOf(pipeline: TPipeline) {
  const user = await insertUser(pipeline.db, "builder");
  return createCaller(testContext({ db: pipeline.db, user }));
}

async function tagsOf(pipeline: TPipeline, waId: string) {
  const [contact] = await pipeline.db.select({ tags: contacts.tags }).from(contacts).where(eq(contacts.waId, waId));
  return contact?.tags;
}

describe("auto-response rules", () => {
  it("runs a published rule in the worker, and a newly published version within 2 s, without a restart", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    const rule = await rules.rules.create(priceRule());
    // A draft does nothing until it is published.
    await inbound(pipeline, "+15550001001", "What is the PRICE?");
    const [beforePublish] = await waitForReplies(pipeline.db, "+15550001001", 1);
    expect(beforePublish?.body).toBe("Thanks for your message! We will get back to you shortly.");

    await rules.rules.publish({ note: "first" });
    await inbound(pipeline, "+15550001002", "price please");
    const [reply] = await waitForReplies(pipeline.db, "+15550001002", 1);
    expect(reply?.body).toBe("Hi Contact, our prices: cleaning $80.");
    expect(await tagsOf(pipeline, "+15550001002")).toEqual(["lead"]);

    await rules.rules.update({ id: rule.id, rule: priceRule({ actions: [{ type: "reply", text: "New prices!" }] }) });
    await rules.rules.publish({});
    const published = Date.now();
    await inbound(pipeline, "+15550001003", "price?");
    const [fresh] = await waitForReplies(pipeline.db, "+15550001003", 1);
    expect(fresh?.body).toBe("New prices!");
    expect(Date.now() - published).toBeLessThan(2_000);
    const hits = await pipeline.db.select().from(ruleHits).where(eq(ruleHits.ruleId, rule.id));
    expect(hits.map((hit) => [hit.version, hit.matched])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("keeps answering with a published rule after it was deleted from the draft", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    const rule = await rules.rules.create(priceRule());
    await rules.rules.publish({});
    await rules.rules.delete({ id: rule.id });
    await inbound(pipeline, "+15550001005", "price");
    const [reply] = await waitForReplies(pipeline.db, "+15550001005", 1);
    expect(reply?.body).toBe("Hi Contact, our prices: cleaning $80.");
    const [stored] = await pipeline.db.select().from(messages).where(eq(messages.id, reply!.id));
    expect(stored).toMatchObject({ ruleId: rule.id, ruleVersion: 1, source: "rule" });
  });

  it("holds a cooldown per contact, and falls back to the default reply while cooling down", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    await rules.rules.create(priceRule({ cooldownS: 3_600 }));
    await rules.rules.publish({});
    await inbound(pipeline, "+15550001010", "price?");
    await waitForReplies(pipeline.db, "+15550001010", 1);
    await inbound(pipeline, "+15550001010", "price again?");
    const replies = await waitForReplies(pipeline.db, "+15550001010", 2);
    expect(replies.map((reply) => reply.body)).toEqual([
      "Hi Contact, our prices: cleaning $80.",
      "Thanks for your message! We will get back to you shortly.",
    ]);
  });

  it("honours schedules and stop-on-match", async () => {
    const pipeline = await startPipeline();
    await updateOrgSettings(pipeline.db, null, { businessHours: ALWAYS_CLOSED });
    const rules = await builderOf(pipeline);
    await rules.rules.create(
      priceRule({
        name: "Open hours only",
        priority: 30,
        schedule: { hours: "inside", days: [] },
        actions: [{ type: "reply", text: "open" }],
      }),
    );
    await rules.rules.create(
      priceRule({
        name: "After hours",
        priority: 20,
        stopOnMatch: true,
        schedule: { hours: "outside", days: [] },
        actions: [{ type: "reply", text: "closed now" }],
      }),
    );
    await rules.rules.create(
      priceRule({ name: "Never reached", priority: 10, actions: [{ type: "reply", text: "third" }] }),
    );
    await rules.rules.publish({});
    await inbound(pipeline, "+15550001020", "price");
    const replies = await waitForReplies(pipeline.db, "+15550001020", 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await repliesTo(pipeline.db, "+15550001020")).map((reply) => reply.body)).toEqual(["closed now"]);
    expect(replies).toHaveLength(1);
  });

  it("hands a thread to a human, after which the bot stays silent", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    await rules.rules.create({
      name: "Wants a person",
      conditions: { any: [{ fact: "message.text", operator: "containsAnyOf", value: ["agent", "humano"] }] },
      actions: [{ type: "reply", text: "Connecting you to a person." }, { type: "handoff" }],
    });
    await rules.rules.publish({});
    await inbound(pipeline, "+15550001030", "I want an AGENT");
    await waitForReplies(pipeline.db, "+15550001030", 1);
    const [contact] = await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+15550001030"));
    const thread = await waitFor(
      async () => (await pipeline.db.select().from(threads).where(eq(threads.contactId, contact!.id)))[0],
      5_000,
      "the thread",
    );
    expect(thread.mode).toBe("human");
    await inbound(pipeline, "+15550001030", "hello?");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await repliesTo(pipeline.db, "+15550001030")).toHaveLength(1);
  });

  it("learns each thread's topics and mood as messages arrive, and rules can test them", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    await rules.rules.create({
      name: "Unhappy about delivery",
      conditions: {
        all: [
          { fact: "thread.sentiment", operator: "equal", value: "negative" },
          { fact: "thread.topics", operator: "contains", value: "delivery" },
        ],
      },
      actions: [{ type: "reply", text: "So sorry! A person will look at your delivery now." }, { type: "handoff" }],
    });
    await rules.rules.publish({});
    const waId = "+15550001031";
    const threadOf = async () =>
      (
        await pipeline.db
          .select({ topics: threads.topics, sentiment: threads.sentiment, score: threads.sentimentScore })
          .from(threads)
          .innerJoin(contacts, eq(contacts.id, threads.contactId))
          .where(eq(contacts.waId, waId))
      )[0];
    // Neutral, then a topic: no match yet (the rule needs both).
    await inbound(pipeline, waId, "Hi, where is my delivery?");
    await waitForReplies(pipeline.db, waId, 1);
    expect(await threadOf()).toMatchObject({ topics: ["delivery"], sentiment: "neutral" });
    expect((await repliesTo(pipeline.db, waId))[0]?.body).not.toContain("So sorry");
    // The mood turns: the rule sees the topic learned earlier and today's anger together.
    await inbound(pipeline, waId, "This is terrible, still no package. Worst service ever!!");
    await waitForReplies(pipeline.db, waId, 2);
    expect((await repliesTo(pipeline.db, waId))[1]?.body).toContain("So sorry");
    const learned = await threadOf();
    expect(learned?.sentiment).toBe("negative");
    expect(learned?.score).toBeLessThan(-0.2);
    expect(learned?.topics).toContain("delivery");
    // The contact page shows it.
    const [contact] = await pipeline.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.waId, waId));
    const page = await rules.contacts.get({ id: contact!.id });
    expect(page.thread).toMatchObject({ sentiment: "negative" });
    expect(page.thread?.topics).toContain("delivery");
  });

  it("refuses an unsafe regex and an unknown template variable, naming the field", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    const refusal = async (rule: TRuleInput) => {
      const error = await rules.rules.create(rule).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(TRPCError);
      const issues =
        ((error as TRPCError).cause as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
      return issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("\n");
    };
    const unsafe = await refusal(
      priceRule({ conditions: { all: [{ fact: "message.text", operator: "matchesRegex", value: "(a+)+$" }] } }),
    );
    expect(unsafe).toMatch(/^conditions\.all\.0\.value: .*exponential time/);
    const unknown = await refusal(priceRule({ actions: [{ type: "reply", text: "Hi {{contact.nickname}}" }] }));
    expect(unknown).toMatch(/^actions\.0\.text: Unknown variable \{\{contact\.nickname\}\}/);
  });

  it("explains a dry run condition by condition, and replay lists what a draft would change", async () => {
    const pipeline = await startPipeline();
    const rules = await builderOf(pipeline);
    await rules.rules.create(priceRule());
    const result = await rules.rules.test({ text: "Preço? price!", contact: { name: "Ana Lima" } });
    expect(result.rules[0]).toMatchObject({ name: "Price list", matched: true });
    expect(result.rules[0]?.conditions).toMatchObject({
      kind: "all",
      result: true,
      children: [{ kind: "fact", fact: "message.text", factValue: "Preço? price!", result: true }],
    });
    expect(result.replies.map((reply) => reply.body)).toEqual(["Hi Ana, our prices: cleaning $80."]);
    expect(await pipeline.db.$count(ruleHits)).toBe(0);

    await inbound(pipeline, "+15550001040", "what is the price");
    await inbound(pipeline, "+15550001041", "hello");
    await waitForReplies(pipeline.db, "+15550001041", 1);
    await waitForReplies(pipeline.db, "+15550001040", 1);
    const replay = await rules.rules.replay({ limit: 10 });
    expect(replay.checked).toBe(2);
    expect(replay.changed.map((change) => change.text)).toEqual(["what is the price"]);
    expect(replay.changed[0]).toMatchObject({ published: { rules: [] }, draft: { rules: ["Price list"] } });

    await rules.rules.publish({});
    const other = await rules.rules.create(priceRule({ name: "Second" }));
    await rules.rules.publish({});
    expect((await rules.rules.version({ version: 2 })).diff).toEqual({
      added: [{ id: other.id, name: "Second" }],
      removed: [],
      edited: [],
    });
    await rules.rules.restore({ version: 1 });
    expect((await rules.rules.list()).map((rule) => rule.name)).toEqual(["Price list"]);
    expect((await rules.rules.versions())[0]).toMatchObject({ version: 3, note: "Restored version 1", rules: 1 });
  });
});

describe("cooldowns, hand-offs within a batch, and every contact action", () => {
  it("[cooldown] one contact's cooldown does not silence another; the same contact again within it gets the default", async () => {
    const pipeline = await startPipeline();
    await publishRules(pipeline.db, [priceRule({ cooldownS: 3_600, actions: [{ type: "reply", text: "Prices!" }] })]);
    const [ana, ben] = ["+15550005001", "+15550005002"];
    await inbound(pipeline, ana, "price?");
    await waitForReplies(pipeline.db, ana, 1);
    // Ana's cooldown has started; Ben asks next and still gets the rule's answer.
    await inbound(pipeline, ben, "price?");
    await waitForReplies(pipeline.db, ben, 1);
    await inbound(pipeline, ana, "price again?");
    await inbound(pipeline, ben, "price again?");
    for (const waId of [ana, ben]) {
      const replies = await waitForReplies(pipeline.db, waId, 2);
      expect(replies.map((reply) => reply.body)).toEqual(["Prices!", DEFAULT_REPLY]);
    }
  });

  it("[cooldown] the same holds within one batch: two contacts both answered, a contact's second ask is not", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await publishRules(database.db, [priceRule({ cooldownS: 3_600, actions: [{ type: "reply", text: "Prices!" }] })]);
    const ids = [];
    for (const [index, from] of ["+15550005003", "+15550005004", "+15550005003"].entries()) {
      const result = await ingestInbound(database.db, boss, {
        sessionId,
        waMessageId: `cd-${index}`,
        from,
        body: "price",
      });
      ids.push(storedId(result));
    }
    await processInboundBatch(database.db, boss, ids);
    expect((await repliesTo(database.db, "+15550005003")).map((reply) => reply.body)).toEqual([
      "Prices!",
      DEFAULT_REPLY,
    ]);
    expect((await repliesTo(database.db, "+15550005004")).map((reply) => reply.body)).toEqual(["Prices!"]);
  });

  it("[hand-off] two messages of one thread in one batch, the first handing off: the second gets no bot reply", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "web");
    await boss.start();
    onTestFinished(() => boss.stop({ close: true, graceful: false }));
    await publishRules(database.db, [
      {
        name: "Wants a person",
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "agent" }] },
        actions: [
          { type: "reply", text: "Connecting you to a person." },
          { type: "handoff", note: "asked" },
        ],
      },
    ]);
    const waId = "+15550005010";
    // Stored first, processed together: one `message.process` batch, in the thread's order.
    const first = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: "h-1",
      from: waId,
      body: "agent please",
    });
    const second = await ingestInbound(database.db, boss, {
      sessionId,
      waMessageId: "h-2",
      from: waId,
      body: "hello?",
    });
    const outcomes = await processInboundBatch(database.db, boss, [storedId(second), storedId(first)]);
    expect(Object.fromEntries(outcomes)).toEqual({ [storedId(first)]: "replied", [storedId(second)]: "human_mode" });
    expect((await repliesTo(database.db, waId)).map((reply) => [reply.body, reply.replyTo])).toEqual([
      ["Connecting you to a person.", storedId(first)],
    ]);
    const conversation = await conversationOf(database.db, waId);
    expect(conversation.thread).toMatchObject({ mode: "human", assignedUserId: null });
    expect(
      conversation.events
        .filter((event) => event.type === "thread.handoff" || event.type === "thread.awaiting_human")
        .map((event) => [event.type, event.messageId])
        .sort(),
    ).toEqual(
      [
        ["thread.awaiting_human", storedId(second)],
        ["thread.handoff", storedId(first)],
      ].sort(),
    );
    // The rule's note is in the conversation's notes for the agent.
    expect(
      await database.db
        .select({ body: threadNotes.body })
        .from(threadNotes)
        .where(eq(threadNotes.threadId, conversation.thread.id)),
    ).toEqual([{ body: "asked" }]);
  });

  /** Publishes one rule that runs `actions` on "go", sends "go" from `waId`, and returns the conversation after. */
  async function runActions(pipeline: TPipeline, waId: string, actions: TRuleInput["actions"]) {
    await publishRules(pipeline.db, [
      { name: "Actions", conditions: { all: [{ fact: "message.text", operator: "equal", value: "go" }] }, actions },
    ]);
    const result = await inbound(pipeline, waId, "go");
    await waitForProcessed(pipeline.db, result);
    const conversation = await conversationOf(pipeline.db, waId);
    const updated = conversation.events.filter((event) => event.type === "contact.updated");
    return { ...conversation, updated, messageId: storedId(result) };
  }

  it("[untag] removes the tag and records the change", async () => {
    const pipeline = await startPipeline();
    const waId = "+15550005020";
    await pipeline.db.insert(contacts).values({ sessionId: pipeline.sessionId, waId, tags: ["lead", "vip"] });
    const { contact, updated, messageId } = await runActions(pipeline, waId, [{ type: "untag", tag: "lead" }]);
    expect(contact.tags).toEqual(["vip"]);
    expect(updated).toMatchObject([{ messageId, payload: { by: "rule", changes: { untagged: ["lead"] } } }]);
  });

  it("[set profile] gives the contact the profile and records the change", async () => {
    const pipeline = await startPipeline();
    const [profile] = await pipeline.db.insert(contextProfiles).values({ name: "Wholesale" }).returning();
    const waId = "+15550005021";
    const { contact, updated } = await runActions(pipeline, waId, [{ type: "set_profile", profileId: profile!.id }]);
    expect(contact.profileId).toBe(profile!.id);
    expect(updated).toMatchObject([{ payload: { by: "rule", changes: { profileId: profile!.id } } }]);
  });

  it("[set relationship] changes the relationship and records the change", async () => {
    const pipeline = await startPipeline();
    const waId = "+15550005022";
    const { contact, updated } = await runActions(pipeline, waId, [
      { type: "set_relationship", relationship: "client" },
    ]);
    expect(contact.relationship).toBe("client");
    expect(updated).toMatchObject([{ payload: { by: "rule", changes: { relationship: "client" } } }]);
  });

  it("[opt out] marks the contact opted out and records the change", async () => {
    const pipeline = await startPipeline();
    const waId = "+15550005023";
    const { contact, updated } = await runActions(pipeline, waId, [{ type: "opt_out" }]);
    expect(contact.optedOut).toBe(true);
    expect(updated).toMatchObject([{ payload: { by: "rule", changes: { optedOut: true } } }]);
  });

  it("[emit event] writes the custom event, and a webhook delivery for an endpoint that subscribed to it", async () => {
    const pipeline = await startPipeline();
    const admin = await insertUser(pipeline.db, "admin");
    const { endpoint } = await createEndpoint(
      pipeline.db,
      admin,
      { url: "http://127.0.0.1:9/hooks", events: ["rule.custom_event"] },
      { appSecret: "w".repeat(32), allowPrivate: true, rotationOverlapHours: 24 },
    );
    const waId = "+15550005024";
    const { events, messageId } = await runActions(pipeline, waId, [
      { type: "emit_event", name: "order_question", data: { channel: "whatsapp" } },
    ]);
    const custom = events.filter((event) => event.type === "rule.custom_event");
    expect(custom).toMatchObject([
      { messageId, payload: { name: "order_question", data: { channel: "whatsapp" }, ruleId: expect.any(String) } },
    ]);
    const deliveries = await pipeline.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventId, custom[0]!.id));
    expect(deliveries).toMatchObject([{ webhookId: endpoint.id, eventType: "rule.custom_event" }]);
  });
});
