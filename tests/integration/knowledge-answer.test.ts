import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { aiTools, contextProfiles, events, profileCollections, profileTools, threadNotes, threads } from "~/db/schema";
import { answerWithAi } from "~/server/ai/answer";
import { retrievePassages } from "~/server/knowledge/search";
import { seedKnowledgeCorpus } from "../bench/knowledge";
import { useTestDatabase } from "../support/database";
import { startFakeGemini } from "../support/fake-gemini";
import { fakeEmbedding } from "../support/fake-gemini-server";
import { GOLD_QUESTIONS } from "../support/knowledge-corpus";
import { startOrdersServer } from "../support/orders-server";
import { conversationOf, inbound, publishRules, startPipeline, waitForReplies } from "../support/pipeline";

async function profileWith(db: TDb, collectionId: string, options: { knowledgeOnly?: boolean; name?: string } = {}) {
  const [profile] = await db
    .insert(contextProfiles)
    .values({
      name: options.name ?? "Bakery",
      isDefault: true,
      knowledgeOnly: options.knowledgeOnly ?? false,
      fallbackText: "A person will answer soon.",
    })
    .returning();
  await db.insert(profileCollections).values({ profileId: profile!.id, collectionId });
  return profile!;
}

const CONTACT = { name: "Ana", relationship: "client", tags: [], profileId: null };

/** A knowledge-only profile over the corpus that may also look orders up on a local order system. */
async function knowledgeOnlyWithOrders(db: TDb) {
  const { collectionId } = await seedKnowledgeCorpus(db, 200);
  const profile = await profileWith(db, collectionId, { knowledgeOnly: true });
  const shop = await startOrdersServer({ "1234": "shipped" });
  const [tool] = await db
    .insert(aiTools)
    .values({
      name: "order_status",
      description: "Looks up the status of an order by its number",
      parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
      url: `${shop.url}/orders/{{args.order}}`,
    })
    .returning();
  await db.insert(profileTools).values({ profileId: profile.id, toolId: tool!.id });
  const fake = await startFakeGemini();
  const config = {
    gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url },
    tools: { allowPrivate: true, appSecret: "x".repeat(32) },
  };
  const ask = (message: string) =>
    answerWithAi(db, config, {
      profileId: null,
      contact: { ...CONTACT, profileId: profile.id },
      history: [],
      message,
    });
  return { fake, shop, ask };
}

describe("retrieval from the knowledge base (no model)", () => {
  it("finds the passage answering each question among 1,000 in the same vocabulary (recall at 3 ≥ 0.9)", async () => {
    const { db } = await useTestDatabase();
    const { collectionId, keyOf } = await seedKnowledgeCorpus(db, 1_000);
    let found = 0;
    for (const { question, key } of GOLD_QUESTIONS) {
      const { passages, mode } = await retrievePassages(db, [collectionId], question, { limit: 3 });
      expect(mode).toBe("text");
      if (passages.some((passage) => keyOf(passage.id) === key)) found += 1;
    }
    expect(found / GOLD_QUESTIONS.length).toBeGreaterThanOrEqual(0.9);
  });

  it("ranks the passage holding the question's rare words first, says how much of the question it covers, and is not fooled by quotes", async () => {
    const { db } = await useTestDatabase();
    const { collectionId, keyOf } = await seedKnowledgeCorpus(db, 500);
    const cake = await retrievePassages(db, [collectionId], "How much is the large cake?");
    expect(keyOf(cake.passages[0]!.id)).toBe("cakes");
    expect(cake.passages[0]).toMatchObject({
      title: "Price list › Celebration cakes",
      textRank: 1,
      vectorRank: null,
      matchedTerms: 2, // "larg" and "cake"; "much" is in no passage
      queryTerms: 3,
      source: { kind: "text" },
    });
    expect(cake.relevant).toBe(true);
    const unrelated = await retrievePassages(db, [collectionId], "Do you sell car insurance?");
    expect(unrelated.relevant).toBe(false);
    // Input that would break a hand-built tsquery: quotes, backslashes, operators.
    const hostile = await retrievePassages(db, [collectionId], `cake' | !& \\ ' ) ( <-> "large"`);
    expect(keyOf(hostile.passages[0]!.id)).toBe("cakes");
    expect(await retrievePassages(db, [collectionId], "the and of")).toMatchObject({ passages: [], relevant: false });
    expect(await retrievePassages(db, ["not-a-uuid"], "cake")).toMatchObject({ passages: [] });
  });

  it("weighs a word by how rare it is: one rare word outranks two words every passage has", async () => {
    const { db } = await useTestDatabase();
    const [collection] = (
      await db.execute<{ id: string }>(
        sql`insert into knowledge_collections (name, language) values ('Rare words', 'english') returning id`,
      )
    ).rows;
    const [source] = (
      await db.execute<{ id: string }>(
        sql`insert into knowledge_sources (collection_id, kind, title) values (${collection!.id}, 'text', 'Menu') returning id`,
      )
    ).rows;
    await db.execute(sql`insert into knowledge_passages (source_id, collection_id, position, title, body, language)
      select ${source!.id}::uuid, ${collection!.id}::uuid, n, 'Menu › Item ' || n, 'Our cakes and their price, item ' || n || '.', 'english'::regconfig
      from generate_series(1, 50) n
      union all
      select ${source!.id}::uuid, ${collection!.id}::uuid, 0, 'Rides', 'Zeppelin rides on Sundays.', 'english'::regconfig`);
    const { passages } = await retrievePassages(db, [collection!.id], "zeppelin cake price?", { limit: 2 });
    expect(passages[0]).toMatchObject({ title: "Rides", matchedTerms: 1, queryTerms: 3 });
    expect(passages[1]!.matchedTerms).toBe(2);
  });

  it("re-reads term frequencies when the passages change (a new source is searchable at once)", async () => {
    const { db } = await useTestDatabase();
    const { collectionId } = await seedKnowledgeCorpus(db, 200);
    expect((await retrievePassages(db, [collectionId], "zeppelin tours")).passages).toEqual([]);
    const [source] = (
      await db.execute<{ id: string }>(
        sql`insert into knowledge_sources (collection_id, kind, title) values (${collectionId}, 'text', 'Extras') returning id`,
      )
    ).rows;
    await db.execute(sql`insert into knowledge_passages (source_id, collection_id, position, title, body, language)
      values (${source!.id}, ${collectionId}, 0, 'Extras › Tours', 'Zeppelin tours leave from the Belém branch on Sundays.', 'english')`);
    const after = await retrievePassages(db, [collectionId], "zeppelin tours");
    expect(after.passages.map((passage) => passage.title)).toEqual(["Extras › Tours"]);
  });

  it("fuses the embedding ranking in when the question is embedded, and says why it did not when it was not", async () => {
    const { db } = await useTestDatabase();
    const { collectionId, keyOf } = await seedKnowledgeCorpus(db, 300);
    // Embeddings for every passage, as the indexing job stores them.
    const rows = await db.execute<{ id: string; title: string; body: string }>(
      sql`select id, title, body from knowledge_passages where collection_id = ${collectionId}`,
    );
    for (const row of rows.rows) {
      await db.execute(
        sql`update knowledge_passages set embedding = ${`{${fakeEmbedding(`${row.title} ${row.body}`).join(",")}}`}::real[], embedding_model = 'fake' where id = ${row.id}`,
      );
    }
    const question = "Is there a bakery at the airport after security?";
    const hybrid = await retrievePassages(db, [collectionId], question, { queryEmbedding: fakeEmbedding(question) });
    expect(hybrid.mode).toBe("hybrid");
    expect(keyOf(hybrid.passages[0]!.id)).toBe("branch-airport");
    expect(hybrid.passages[0]!.vectorRank).not.toBeNull();
    expect(hybrid.passages[0]!.similarity).toBeGreaterThan(0.3);
    const failed = await retrievePassages(db, [collectionId], question, { queryEmbedding: null });
    expect(failed).toMatchObject({ mode: "text", vectorSkipped: "the question could not be embedded" });
    expect(keyOf(failed.passages[0]!.id)).toBe("branch-airport");
  });
});

describe("AI answers from the knowledge base", () => {
  it("a knowledge-only profile with tools asks the model when no passage is relevant, and a tool's answer is used", async () => {
    const { db } = await useTestDatabase();
    const { fake, shop, ask } = await knowledgeOnlyWithOrders(db);
    fake.push({ call: { name: "order_status", args: { order: "1234" } } });
    const answer = await ask("order status for 1234");
    expect(answer.handoff).toBeNull();
    expect(answer.knowledge?.relevant).toBe(false);
    expect(shop.requests.map((request) => request.path)).toEqual(["/orders/1234"]);
    expect(answer.text).toContain("shipped");
    expect(answer.toolCalls.map((call) => call.tool)).toEqual(["order_status"]);
    // The model was offered its tool and the hand-off, and told to hand off when neither answers.
    const first = JSON.stringify(fake.requests[0]!.body);
    expect(first).toContain('"name":"order_status"');
    expect(first).toContain('"name":"hand_off_to_person"');
    expect(first).toMatch(/what your tools return.*call hand_off_to_person/);
  });

  it("a knowledge-only profile's model hands off by calling hand_off_to_person: the contact is told, no more model calls", async () => {
    const { db } = await useTestDatabase();
    const { fake, shop, ask } = await knowledgeOnlyWithOrders(db);
    fake.push({ call: { name: "hand_off_to_person", args: { reason: "car insurance" } } });
    const answer = await ask("Do you sell car insurance?");
    expect(answer).toMatchObject({
      outcome: "ok",
      text: "I don't have that information here, so I'm passing your question to a colleague who will get back to you.",
      handoff: { reason: "knowledge_gap", question: "Do you sell car insurance?" },
    });
    expect(answer.toolCalls).toEqual([
      expect.objectContaining({ tool: "hand_off_to_person", args: { reason: "car insurance" }, ok: true }),
    ]);
    expect(fake.requests).toHaveLength(1); // the loop ends at the hand-off
    expect(shop.requests).toEqual([]);
  });

  it("puts the passages in the prompt, numbered, and turns the model's [n] into the source's name", async () => {
    const { db } = await useTestDatabase();
    const { collectionId } = await seedKnowledgeCorpus(db, 200);
    const profile = await profileWith(db, collectionId);
    const fake = await startFakeGemini();
    const gemini = { apiKey: "k", model: "gemini-test", baseUrl: fake.url };
    const answer = await answerWithAi(
      db,
      { gemini },
      {
        profileId: null,
        contact: { ...CONTACT, profileId: profile.id },
        history: [],
        message: "How much is the large cake?",
      },
    );
    const system = JSON.stringify(fake.requests[0]!.body.systemInstruction);
    expect(system).toContain("[1] Price list › Celebration cakes");
    expect(system).toContain("large (serves 12) 45.00 EUR");
    // The fake model answers from the best passage and cites it as [1]; the contact reads the source.
    expect(answer.text).toContain("large (serves 12) 45.00 EUR");
    expect(answer.text).not.toMatch(/\[\d\]/);
    expect(answer.text).toMatch(/\n\nSource: Documents 1$/);
    expect(answer.knowledge?.passages[0]).toMatchObject({ title: "Price list › Celebration cakes", cited: true });
    expect(answer.knowledge?.mode).toBe("hybrid"); // Gemini is configured: the question was embedded
    expect(fake.embedRequests).toEqual([["How much is the large cake?"]]);

    // A profile that does not name its sources: the markers still go, and no "Source:" line comes.
    await db.update(contextProfiles).set({ citeSources: false }).where(eq(contextProfiles.id, profile.id));
    const uncited = await answerWithAi(
      db,
      { gemini },
      {
        profileId: null,
        contact: { ...CONTACT, profileId: profile.id },
        history: [],
        message: "How much is the large cake?",
      },
    );
    expect(uncited.text).toContain("large (serves 12) 45.00 EUR");
    expect(uncited.text).not.toMatch(/\[\d\]|Source/);
    expect(uncited.knowledge?.passages[0]).toMatchObject({ cited: true });
  });

  it("hands a question its documents do not cover to the people, without asking the model, when the profile answers only from them", async () => {
    const fake = await startFakeGemini();
    const pipeline = await startPipeline(
      {},
      { ai: { gemini: { apiKey: "k", model: "gemini-test", baseUrl: fake.url } } },
    );
    const { collectionId } = await seedKnowledgeCorpus(pipeline.db, 200);
    await profileWith(pipeline.db, collectionId, { knowledgeOnly: true });
    await publishRules(pipeline.db, [
      {
        name: "AI",
        conditions: { all: [{ fact: "message.text", operator: "notEqual", value: "" }] },
        actions: [{ type: "ai_reply", profileId: null }],
      },
    ]);
    await inbound(pipeline, "+15550023001", "Do you sell car insurance?");
    const [reply] = await waitForReplies(pipeline.db, "+15550023001", 1);
    expect(reply?.body).toBe(
      "I don't have that information here, so I'm passing your question to a colleague who will get back to you.",
    );
    expect(fake.requests).toEqual([]); // no generateContent: nothing to answer from
    const { thread: conversation } = await conversationOf(pipeline.db, "+15550023001");
    const [thread] = await pipeline.db.select().from(threads).where(eq(threads.id, conversation.id));
    expect(thread).toMatchObject({ mode: "human", assignedUserId: null });
    const [handoff] = await pipeline.db
      .select()
      .from(events)
      .where(and(eq(events.threadId, thread!.id), eq(events.type, "thread.handoff")));
    expect(handoff?.payload).toMatchObject({ by: "ai", reason: "knowledge_gap" });
    const notes = await pipeline.db.select().from(threadNotes).where(eq(threadNotes.threadId, thread!.id));
    expect(notes.map((note) => note.body)).toEqual([
      "Nothing in the knowledge base answers: Do you sell car insurance?",
    ]);

    // A question the documents cover is answered from them, cited (a new contact: the first is the people's now).
    await inbound(pipeline, "+15550023002", "How much is the large cake?");
    const [answered] = await waitForReplies(pipeline.db, "+15550023002", 1);
    expect(answered?.body).toContain("45.00 EUR");
    const replied = await pipeline.db.select().from(events).where(eq(events.type, "ai.replied"));
    expect(replied.map((event) => event.payload)).toEqual([
      expect.objectContaining({ handoff: "knowledge_gap" }),
      expect.objectContaining({
        outcome: "ok",
        knowledge: expect.objectContaining({
          relevant: true,
          passages: expect.arrayContaining([expect.objectContaining({ cited: true })]),
        }),
      }),
    ]);
  });
});
