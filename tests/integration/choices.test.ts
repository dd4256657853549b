import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, events, messages, threads, waTemplates } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { queueOutbound } from "~/server/conversations/outbound";
import type { TRuleInput } from "~/server/rules/schema";
import { sendAsContact } from "~/server/simulator/simulator";
import { insertUser } from "../support/database";
import { createFakeWwebjs, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { MENU_FLOW, publishFlowRows } from "../support/flows";
import { conversationOf, publishRules, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const keyword = (word: string) => ({
  all: [{ fact: "message.text" as const, operator: "containsWord" as const, value: word }],
});

/** "menu" offers three buttons; choosing "returns" (tapped, "2" or its title) gets the returns reply. */
const RULES: TRuleInput[] = [
  {
    name: "Menu",
    conditions: keyword("menu"),
    actions: [
      {
        type: "reply",
        text: "How can we help, {{contact.name}}?",
        choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }, { title: "Talk to us" }] },
      },
    ],
  },
  {
    name: "Returns",
    conditions: { all: [{ fact: "message.replyId", operator: "equal", value: "returns" }] },
    actions: [{ type: "reply", text: "Returns are free within 30 days." }],
  },
  {
    name: "Order status",
    conditions: keyword("status"),
    actions: [
      {
        type: "send_template",
        name: "order_update",
        language: "en_US",
        values: { body: ["{{contact.firstName}}", "#1042"] },
      },
    ],
  },
];

/** The rules that fired on a contact's messages, in order, with each message's text. */
async function firedFor(pipeline: TPipeline, waId: string, sessionId?: string) {
  return pipeline.db
    .select({ text: messages.body, payload: events.payload })
    .from(events)
    .innerJoin(messages, eq(messages.id, events.messageId))
    .innerJoin(contacts, eq(contacts.id, events.contactId))
    .where(
      and(
        eq(events.type, "rule.fired"),
        eq(contacts.waId, waId),
        sessionId ? eq(contacts.sessionId, sessionId) : undefined,
      ),
    )
    .orderBy(asc(messages.seq));
}

/** Inbound messages of a contact that the pipeline has decided, by count. */
function waitForDecided(pipeline: TPipeline, waId: string, count: number) {
  return waitFor(
    async () => {
      const [row] = await pipeline.db
        .select({ n: sql<number>`count(*)::int` })
        .from(messages)
        .innerJoin(threads, eq(threads.id, messages.threadId))
        .innerJoin(contacts, eq(contacts.id, threads.contactId))
        .where(and(eq(contacts.waId, waId), eq(messages.direction, "in"), sql`${messages.processedAt} is not null`));
      return (row?.n ?? 0) >= count ? true : undefined;
    },
    15_000,
    `${count} messages of ${waId} decided`,
  );
}

async function outboundOf(pipeline: TPipeline, waId: string) {
  return pipeline.db
    .select({ id: messages.id, body: messages.body, content: messages.content, ruleId: messages.ruleId })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.waId, waId), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq));
}

describe("choices offered by rules and understood in answers", () => {
  it("on the simulator (buttons): the reply is a choice, and the tapped button is what the next rule sees", async () => {
    const pipeline = await startPipeline();
    await publishRules(pipeline.db, RULES);
    const phone = "+14155550161";

    await sendAsContact(pipeline.db, pipeline.boss, { phone, name: "Ana Lima", body: "menu" });
    await waitForDecided(pipeline, phone, 1);
    const [offer] = await outboundOf(pipeline, phone);
    expect(offer?.content).toEqual({
      kind: "interactive",
      style: "buttons",
      body: "How can we help, Ana Lima?",
      options: [
        { id: "orders", title: "Orders" },
        { id: "returns", title: "Returns" },
        { id: "talk-to-us", title: "Talk to us" },
      ],
    });
    expect(offer?.body).toBe("How can we help, Ana Lima?\n\n1. Orders\n2. Returns\n3. Talk to us");

    // The contact taps "Returns" (the Simulator's path for a tap).
    await sendAsContact(pipeline.db, pipeline.boss, {
      phone,
      content: { kind: "button_reply", id: "returns", title: "Returns" },
    });
    await waitForDecided(pipeline, phone, 2);
    expect((await firedFor(pipeline, phone)).map((fired) => fired.payload.rule)).toEqual(["Menu", "Returns"]);
    expect((await outboundOf(pipeline, phone)).at(-1)?.body).toBe("Returns are free within 30 days.");
  });

  it("answers by number or title only the last choice offered, within 24 hours, with nothing sent after it", async () => {
    const pipeline = await startPipeline();
    await publishRules(pipeline.db, RULES);
    const phone = "+14155550162";
    const say = async (body: string, decided: number) => {
      await sendAsContact(pipeline.db, pipeline.boss, { phone, body });
      await waitForDecided(pipeline, phone, decided);
    };
    const fired = async () =>
      (await firedFor(pipeline, phone)).map((row) => `${row.text} → ${String(row.payload.rule)}`);

    await say("menu", 1);
    await say("returns", 2); // the title, any case
    await say("2", 3); // the returns reply came after the menu: the choice is over
    await say("menu", 4);
    await say("9", 5); // out of range (the default reply then ends the choice)
    await say("menu", 6);
    await say("2", 7);
    expect(await fired()).toEqual(["menu → Menu", "returns → Returns", "menu → Menu", "menu → Menu", "2 → Returns"]);

    // Something else sent after a new menu (here by the API) ends the choice.
    await say("menu", 8);
    const { contact, thread } = await conversationOf(pipeline.db, phone);
    await pipeline.db.transaction((tx) =>
      queueOutbound(tx, pipeline.boss, [
        {
          sessionId: pipeline.sessionId,
          threadId: thread.id,
          contactId: contact.id,
          body: "Your order shipped.",
          source: "api",
        },
      ]),
    );
    await say("2", 9);
    // A menu offered more than 24 hours before the answer is stale.
    await say("menu", 10);
    const offers = (await outboundOf(pipeline, phone)).filter(
      (row) => (row.content as { kind?: string } | null)?.kind === "interactive",
    );
    await pipeline.db
      .update(messages)
      .set({ createdAt: sql`${messages.createdAt} - interval '25 hours'` })
      .where(eq(messages.id, offers.at(-1)!.id));
    await say("2", 11);
    expect((await fired()).slice(5)).toEqual(["menu → Menu", "menu → Menu"]);
  });

  it("on whatsapp-web.js (no buttons): the same rule sends a numbered menu, and understands “2” but not “9”", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const pipeline = await startPipeline({ engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } });
    await publishRules(pipeline.db, RULES);
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Front desk" });
    const client = await waitFor(() => Promise.resolve(fake.clients[0]), 15_000, "the client");
    await waitFor(
      async () =>
        (await admin.sessions.list()).find((session) => session.id === id)?.status === "qr" ? true : undefined,
      15_000,
      "the QR",
    );
    await client.scan();
    await waitFor(
      async () =>
        (await admin.sessions.list()).find((session) => session.id === id)?.status === "ready" ? true : undefined,
      15_000,
      "ready",
    );
    const chat = "14155550163@c.us";
    const sentTo = () => client.sent.filter((entry) => entry.chatId === chat).map((entry) => entry.body);
    const waitForSent = (count: number) =>
      waitFor(() => Promise.resolve(sentTo().length >= count ? sentTo() : undefined), 15_000, `${count} sends`);

    client.deliver(chat, "menu");
    expect((await waitForSent(1))[0]).toBe("How can we help, Fake Contact?\n\n1. Orders\n2. Returns\n3. Talk to us");
    client.deliver(chat, "9");
    await waitForDecided(pipeline, "+14155550163", 2);
    client.deliver(chat, "menu");
    await waitForDecided(pipeline, "+14155550163", 3);
    client.deliver(chat, "2");
    await waitForDecided(pipeline, "+14155550163", 4);
    await waitFor(
      () => Promise.resolve(sentTo().includes("Returns are free within 30 days.") ? true : undefined),
      15_000,
      "the returns reply",
    );
    const fired = (await firedFor(pipeline, "+14155550163", id)).map(
      (row) => `${row.text} → ${String(row.payload.rule)}`,
    );
    expect(fired).toEqual(["menu → Menu", "menu → Menu", "2 → Returns"]);

    // A template rule on a number whose engine sends no templates: skipped, and the event says why.
    client.deliver(chat, "status");
    await waitForDecided(pipeline, "+14155550163", 5);
    const [status] = (await firedFor(pipeline, "+14155550163", id)).slice(-1);
    expect(status?.payload).toMatchObject({
      rule: "Order status",
      skipped: [{ action: "send_template", reason: "no_templates", template: "order_update (en_US)" }],
    });
  });

  it("[flows] on whatsapp-web.js (no buttons): the flow the Cloud API test runs asks with a numbered menu, and “2” takes its route", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const pipeline = await startPipeline({ engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } });
    await publishFlowRows(pipeline.db, MENU_FLOW);
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id } = await admin.sessions.create({ name: "Front desk" });
    const client = await waitFor(() => Promise.resolve(fake.clients[0]), 15_000, "the client");
    const statusIs = (status: string) =>
      waitFor(
        async () =>
          (await admin.sessions.list()).find((session) => session.id === id)?.status === status ? true : undefined,
        15_000,
        status,
      );
    await statusIs("qr");
    await client.scan();
    await statusIs("ready");
    const chat = "14155550165@c.us";
    const sentTo = () => client.sent.filter((entry) => entry.chatId === chat).map((entry) => entry.body);
    const waitForSent = (count: number) =>
      waitFor(() => Promise.resolve(sentTo().length >= count ? sentTo() : undefined), 15_000, `${count} sends`);
    client.deliver(chat, "track");
    expect((await waitForSent(1))[0]).toBe("Which do you need?\n\n1. Orders\n2. Returns\n3. Talk to us");
    client.deliver(chat, "2");
    expect((await waitForSent(2))[1]).toBe("Returns: 30 days, free (Returns).");
  });

  it("sends a template from a rule on a number that has it, its variables filled for the contact", async () => {
    const pipeline = await startPipeline();
    await publishRules(pipeline.db, RULES);
    const phone = "+14155550164";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, name: "Ana Lima", body: "status" });
    await waitForDecided(pipeline, phone, 1);
    // Not synced yet: skipped, saying so.
    expect((await firedFor(pipeline, phone)).at(-1)?.payload).toMatchObject({
      skipped: [{ reason: "no_template" }],
    });
    expect(await outboundOf(pipeline, phone)).toEqual([]);

    await pipeline.db.insert(waTemplates).values({
      sessionId: pipeline.sessionId,
      metaId: "1234567890",
      name: "order_update",
      language: "en_US",
      category: "UTILITY",
      status: "APPROVED",
      components: [
        { type: "BODY", text: "Hi {{1}}, your order {{2}} is on its way." },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Track it" }] },
      ],
    });
    // The editor offers it, under its number; the simulator shows choices as buttons.
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "builder") }));
    const options = await admin.rules.sendOptions();
    expect(options.engines.find((engine) => engine.kind === "simulator")).toMatchObject({
      buttons: true,
      templates: true,
    });
    expect(options.numbers).toMatchObject([
      {
        sessionId: pipeline.sessionId,
        templates: [{ name: "order_update", language: "en_US", shape: { body: { variables: 2 } } }],
      },
    ]);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "status" });
    await waitForDecided(pipeline, phone, 2);
    const [sent] = await outboundOf(pipeline, phone);
    expect(sent?.body).toBe("Hi Ana, your order #1042 is on its way.");
    expect(sent?.content).toEqual({
      kind: "template",
      name: "order_update",
      language: "en_US",
      components: [
        { type: "body", text: "Hi Ana, your order #1042 is on its way.", params: ["Ana", "#1042"] },
        { type: "button", index: 0, subType: "quick_reply", text: "Track it" },
      ],
    });
  });
});
