import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, events, messages, ruleHits, threads, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { CONTENT_KINDS, textOf, type TContentKind } from "~/server/messages/content";
import { EXAMPLES } from "~/server/messages/examples";
import type { TRuleInput } from "~/server/rules/schema";
import { sendAsContact } from "~/server/simulator/simulator";
import { buildWebhookPayloads } from "~/server/webhooks/events";
import { withDeliveryLinks, ZWebhookPayload } from "~/server/webhooks/payloads";
import { RAW_PAYLOADS, RAW_REACTIONS } from "~/workers/engines/wwebjs/payloads.fixture";
import { testContext } from "../support/trpc-context";
import { insertUser } from "../support/database";
import { createFakeWwebjs, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { publishRules, repliesTo, startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { restClient } from "../support/rest-client";

/** What the fake whatsapp-web.js client sends for each kind (the library's own payload shapes). */
const FROM_WHATSAPP: [raw: keyof typeof RAW_PAYLOADS, kind: TContentKind, standIn: string][] = [
  ["text", "text", "Hello, is the shop open today?"],
  ["image", "image", "the broken part"],
  ["video", "video", "how it sounds"],
  ["audio", "audio", "[Audio]"],
  ["voice", "voice", "[Voice message]"],
  ["document", "document", "[Document: invoice-2041.pdf]"],
  ["sticker", "sticker", "[Sticker]"],
  ["location", "location", "[Location: Praça do Comércio, Lisbon, Portugal (38.7223, -9.1393)]"],
  ["contactCards", "contacts", "[Contact: Jo; Bo]"],
  ["buttonReply", "button_reply", "Yes please"],
  ["listReply", "list_reply", "Tuesday"],
  ["poll", "unknown", "Lunch on Friday?"],
  // A photo replying to the contact's first message (the text above).
  ["replyToSelf", "image", "this"],
];

/** One rule per kind: "Message kind is <kind>" tags the contact. */
const KIND_RULES: TRuleInput[] = CONTENT_KINDS.map((kind) => ({
  name: `Kind ${kind}`,
  conditions: { all: [{ fact: "message.kind", operator: "equal", value: kind }] },
  actions: [{ type: "tag", tag: `kind-${kind}` }],
}));

/** The inbound messages of a contact's thread once each has been processed (rules run). */
function waitForProcessedInbound(pipeline: TPipeline, sessionId: string, waId: string, count: number) {
  return waitFor(
    async () => {
      const rows = await pipeline.db
        .select({ message: messages })
        .from(messages)
        .innerJoin(threads, eq(threads.id, messages.threadId))
        .innerJoin(contacts, eq(contacts.id, threads.contactId))
        .where(and(eq(contacts.waId, waId), eq(contacts.sessionId, sessionId), eq(messages.direction, "in")))
        .orderBy(messages.seq);
      return rows.length >= count && rows.every((row) => row.message.processedAt)
        ? rows.map((row) => row.message)
        : undefined;
    },
    20_000,
    `${count} processed messages from ${waId}`,
  );
}

/** The kinds whose rule fired on each message, by message id. */
async function kindsFired(pipeline: TPipeline, messageIds: string[], rules: { id: string; name: string }[]) {
  const hits = await pipeline.db
    .select({ messageId: ruleHits.messageId, ruleId: ruleHits.ruleId })
    .from(ruleHits)
    .where(and(inArray(ruleHits.messageId, messageIds), eq(ruleHits.matched, true)));
  const kindOf = new Map(rules.map((rule) => [rule.id, rule.name.replace(/^Kind /, "")]));
  const fired = new Map<string, string[]>();
  for (const hit of hits) fired.set(hit.messageId, [...(fired.get(hit.messageId) ?? []), kindOf.get(hit.ruleId)!]);
  return fired;
}

describe("every kind of message: engine → ingest → rules → the inbox", () => {
  it("[wwebjs] each kind the fake whatsapp-web.js client emits is stored as its kind, fires the rule for its kind, and reads back as that kind", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const pipeline = await startPipeline({ engines: { wwebjs: await fakeWwebjsOptions(fake.factory) } });
    const rules = await publishRules(pipeline.db, KIND_RULES);
    const admin = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "admin") }),
    );
    const { id: sessionId } = await admin.sessions.create({ name: "Front desk" });
    const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
    await waitFor(
      async () =>
        (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status === "qr"
          ? true
          : undefined,
      15_000,
      "the QR",
    );
    await client.scan();
    await waitFor(
      async () =>
        (await pipeline.db.select().from(waSessions).where(eq(waSessions.id, sessionId)))[0]?.status === "ready"
          ? true
          : undefined,
      15_000,
      "ready",
    );

    // One after another, so they are stored in this order; then a reaction, and WhatsApp's own notice.
    for (const [raw] of FROM_WHATSAPP) {
      const sent = client.deliverRaw(RAW_PAYLOADS[raw]);
      await waitFor(
        async () =>
          (await pipeline.db.$count(messages, eq(messages.waMessageId, sent.id._serialized))) > 0 || undefined,
        10_000,
        `${raw} stored`,
      );
    }
    client.deliverRaw(RAW_PAYLOADS.e2eNotice);
    client.react(RAW_REACTIONS.onOurMessage);
    const expected = [
      ...FROM_WHATSAPP.map(([, kind, standIn]) => ({ kind, standIn })),
      { kind: "reaction", standIn: "[Reacted 👍]" },
    ];

    const stored = await waitForProcessedInbound(pipeline, sessionId, "+14155550123", expected.length);
    // Stored: each with its kind's content and text stand-in; nothing for the notice.
    expect(stored.map((row) => [row.content?.kind, row.body])).toEqual(
      expected.map((item) => [item.kind, item.standIn]),
    );
    expect(stored.every((row) => !row.flags.includes("invalid_content"))).toBe(true);

    // Rules: the rule for the message's kind fired on it, and only that one.
    const fired = await kindsFired(
      pipeline,
      stored.map((row) => row.id),
      rules,
    );
    expect(stored.map((row) => fired.get(row.id))).toEqual(expected.map((item) => [item.kind]));
    const [contact] = await pipeline.db.select().from(contacts).where(eq(contacts.waId, "+14155550123"));
    expect(contact!.tags.toSorted()).toEqual([...new Set(expected.map((item) => `kind-${item.kind}`))].sort());

    // The inbox's read of the thread (what the UI renders): each message as its kind.
    const [thread] = await pipeline.db.select().from(threads).where(eq(threads.contactId, contact!.id));
    const read = await admin.inbox.thread({ threadId: thread!.id });
    const inbound = read.messages.filter((message) => message.direction === "in");
    expect(inbound.map((message) => message.content.kind)).toEqual(expected.map((item) => item.kind));
    const byKind = (kind: string) => inbound.filter((message) => message.content.kind === kind);
    expect(byKind("location")[0]?.content).toEqual({
      kind: "location",
      lat: 38.7223,
      lng: -9.1393,
      name: "Praça do Comércio",
      address: "Lisbon, Portugal",
    });
    expect(byKind("contacts")[0]?.content).toMatchObject({ contacts: [{ name: "Jo" }, { name: "Bo" }] });
    expect(byKind("voice")[0]?.content).toMatchObject({ media: { mimeType: "audio/ogg; codecs=opus", durationS: 7 } });
    expect(byKind("reaction")[0]?.content).toMatchObject({
      emoji: "👍",
      targetWaMessageId: `true_14155550123@c.us_3EB0OURS0000000001`,
    });
    // The reply quotes the contact's first message, which the thread has: the inbox shows it above.
    const reply = byKind("image")[1]!;
    expect(reply.content.quoted?.waMessageId).toBe(inbound[0]!.waMessageId);
    expect(reply.content).toMatchObject({ caption: "this" });

    // The contact page reads the same.
    const page = await admin.contacts.get({ id: contact!.id });
    expect(page.history.filter((message) => message.direction === "in").map((message) => message.content.kind)).toEqual(
      expected.map((item) => item.kind),
    );
  });

  it("[simulator] every kind sent as a content from the Simulator arrives as its kind and fires its rule", async () => {
    const pipeline = await startPipeline();
    const rules = await publishRules(pipeline.db, KIND_RULES);
    const admin = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "admin") }),
    );
    for (const kind of CONTENT_KINDS) {
      await admin.simulator.send({ phone: "+14155550140", content: EXAMPLES[kind] });
      await waitForProcessedInbound(pipeline, pipeline.sessionId, "+14155550140", CONTENT_KINDS.indexOf(kind) + 1);
    }
    const stored = await waitForProcessedInbound(pipeline, pipeline.sessionId, "+14155550140", CONTENT_KINDS.length);
    expect(stored.map((row) => row.content)).toEqual(CONTENT_KINDS.map((kind) => EXAMPLES[kind]));
    const fired = await kindsFired(
      pipeline,
      stored.map((row) => row.id),
      rules,
    );
    expect(stored.map((row) => fired.get(row.id))).toEqual(CONTENT_KINDS.map((kind) => [kind]));
    const read = await admin.simulator.thread({ waId: "+14155550140" });
    expect(read.filter((message) => message.direction === "in").map((message) => message.content.kind)).toEqual([
      ...CONTENT_KINDS,
    ]);
    // The rules' test panel runs a described content the same way (the draft, nothing stored).
    const dry = await admin.rules.test({ text: "", content: EXAMPLES.location });
    expect(dry.facts).toMatchObject({ "message.kind": "location", "message.text": textOf(EXAMPLES.location) });
    expect(dry.rules.filter((rule) => rule.matched).map((rule) => rule.name)).toEqual(["Kind location"]);

    // Webhooks carry each message's content as stored, valid against the documented schema.
    const received = await pipeline.db
      .select({ id: events.id, messageId: events.messageId })
      .from(events)
      .where(
        and(
          eq(events.type, "message.received"),
          inArray(
            events.messageId,
            stored.map((row) => row.id),
          ),
        ),
      );
    const payloads = await buildWebhookPayloads(
      pipeline.db,
      received.map((event) => event.id),
    );
    for (const event of received) {
      const payload = payloads.get(event.id)!;
      // As delivered: media links are added at each attempt (here without a public address).
      expect(ZWebhookPayload.safeParse(withDeliveryLinks(payload, null)).error?.issues).toBeUndefined();
      const message = payload.data.message as { content: unknown };
      expect(message.content).toEqual(stored.find((row) => row.id === event.messageId)!.content);
    }

    // The REST API reads them as their kinds (answers checked against the OpenAPI document), and
    // the Simulator's REST operation sends a content too.
    const key = (await admin.apiKeys.create({ name: "CRM", scopes: ["read", "write"] })).key;
    const call = restClient({ db: pipeline.db, boss: pipeline.boss, ratePerMinute: 600 });
    const sent = await call("POST", "/simulator/messages", {
      key,
      body: { from: "+14155550140", content: EXAMPLES.location },
    });
    expect(sent.status).toBe(202);
    await waitForProcessedInbound(pipeline, pipeline.sessionId, "+14155550140", CONTENT_KINDS.length + 1);
    const [thread] = await pipeline.db
      .select({ id: threads.id })
      .from(threads)
      .innerJoin(contacts, eq(contacts.id, threads.contactId))
      .where(eq(contacts.waId, "+14155550140"));
    const page = await call("GET", `/threads/${thread!.id}/messages?limit=100`, { key });
    const kinds = (page.body.messages as { direction: string; content: { kind: string } }[])
      .filter((message) => message.direction === "in")
      .map((message) => message.content.kind)
      .reverse();
    expect(kinds).toEqual([...CONTENT_KINDS, "location"]);
    const one = await call("GET", `/messages/${stored[CONTENT_KINDS.indexOf("contacts")]!.id}`, { key });
    expect(one.body).toMatchObject({ type: "contact", content: EXAMPLES.contacts });

    // A content that is not valid is refused, naming the field.
    await expect(
      admin.simulator.send({ phone: "+14155550140", content: { kind: "location", lat: 91, lng: 0 } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      call("POST", "/simulator/messages", { key, body: { from: "+14155550140", content: { kind: "text" } } }),
    ).resolves.toMatchObject({ status: 400 });
    // Neither a text nor a content (found by the fuzz test: it was a 500).
    await expect(call("POST", "/simulator/messages", { key, body: { from: "+14155550140" } })).resolves.toMatchObject({
      status: 400,
      body: { error: { code: "bad_request", fields: { body: "Give a text (`body`) or a `content`" } } },
    });
    await expect(sendAsContact(pipeline.db, pipeline.boss, { phone: "+14155550140" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { body: "Type a message" },
    });
    expect(await pipeline.db.$count(messages, sql`${messages.direction} = 'in'`)).toBe(CONTENT_KINDS.length + 1);
  });

  it("[reaction] a reaction gets no default reply; a rule can still answer it", async () => {
    const pipeline = await startPipeline();
    const admin = createCaller(
      testContext({ db: pipeline.db, boss: pipeline.boss, user: await insertUser(pipeline.db, "admin") }),
    );
    const waId = "+14155550141";
    await admin.simulator.send({ phone: waId, body: "Hello" });
    const [first] = await waitForReplies(pipeline.db, waId, 1);
    // Every outbound message is stored with its content (a text: the conversations entry point).
    const [reply] = await pipeline.db.select().from(messages).where(eq(messages.id, first!.id));
    expect(reply).toMatchObject({ type: "text", content: { kind: "text", text: first!.body } });
    await admin.simulator.send({
      phone: waId,
      content: { kind: "reaction", emoji: "👍", targetWaMessageId: first!.waMessageId! },
    });
    await waitForProcessedInbound(pipeline, pipeline.sessionId, waId, 2);
    expect(await repliesTo(pipeline.db, waId)).toHaveLength(1);

    await publishRules(pipeline.db, [
      {
        name: "Thumbs down",
        conditions: { all: [{ fact: "message.reaction", operator: "equal", value: "👎" }] },
        actions: [{ type: "reply", text: "Sorry to hear that. What went wrong?" }],
      },
    ]);
    await admin.simulator.send({
      phone: waId,
      content: { kind: "reaction", emoji: "👎", targetWaMessageId: first!.waMessageId! },
    });
    const replies = await waitForReplies(pipeline.db, waId, 2);
    expect(replies.map((reply) => reply.body)).toEqual([first!.body, "Sorry to hear that. What went wrong?"]);
  });
});
