import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { knowledgeCollections } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { seedKnowledgeCorpus } from "../bench/knowledge";
import { insertUser } from "../support/database";
import { inbound, startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

async function setUp(): Promise<{ pipeline: TPipeline; builder: TSessionUser }> {
  const pipeline = await startPipeline();
  return { pipeline, builder: await insertUser(pipeline.db, "builder") };
}

describe("context profiles", () => {
  it("keeps one default, refuses a taken name and a bad link with the field", async () => {
    const { pipeline, builder } = await setUp();
    const caller = createCaller(testContext({ db: pipeline.db, user: builder }));
    const first = await caller.profiles.save({ id: null, profile: { name: "Clients", isDefault: true } });
    const second = await caller.profiles.save({
      id: null,
      profile: { name: "Family", isDefault: true, tone: "playful" },
    });
    const list = await caller.profiles.list();
    expect(list.map((profile) => [profile.name, profile.isDefault])).toEqual([
      ["Family", true],
      ["Clients", false],
    ]);
    const taken = await caller.profiles
      .save({ id: second.id, profile: { name: "Clients" } })
      .catch((error: unknown) => error);
    expect(taken).toBeInstanceOf(TRPCError);
    expect((taken as TRPCError).code).toBe("CONFLICT");
    const badLink = await caller.profiles
      .save({ id: first.id, profile: { name: "Clients", businessInfo: { links: ["not a url"] } } })
      .catch((error: unknown) => error);
    expect(JSON.stringify((badLink as TRPCError).cause)).toContain("businessInfo");
  });

  it("previews the exact request for a contact, with their conversation as data", async () => {
    const { pipeline, builder } = await setUp();
    const caller = createCaller(testContext({ db: pipeline.db, user: builder }));
    const profile = await caller.profiles.save({
      id: null,
      profile: { name: "Dental", persona: "A clinic receptionist", topicsToAvoid: ["diagnoses"], language: "pt-BR" },
    });
    const stored = await inbound(pipeline, "+15550003001", "Olá, bom dia");
    await waitForReplies(pipeline.db, "+15550003001", 1);
    const preview = await caller.profiles.preview({
      profileId: profile.id,
      contactId: stored.status === "stored" ? stored.contactId : undefined,
      message: "Quanto custa?",
    });
    expect(preview.systemInstruction).toContain("Persona: A clinic receptionist");
    expect(preview.systemInstruction).toContain("Never discuss: diagnoses");
    expect(preview.systemInstruction).toContain('"pt-BR"');
    expect(preview.contents.map((turn) => turn.role)).toEqual(["user", "model", "user"]);
    expect(preview.contents.at(-1)?.parts.at(-1)?.text).toBe("Quanto custa?");
  });

  it("chooses knowledge collections, previews the passages a message would carry, and refuses a deleted collection", async () => {
    const { pipeline, builder } = await setUp();
    const caller = createCaller(testContext({ db: pipeline.db, user: builder }));
    const { collectionId } = await seedKnowledgeCorpus(pipeline.db, 100, "Bakery documents");
    expect(await caller.profiles.collections()).toEqual([
      { id: collectionId, name: "Bakery documents", passages: 100 },
    ]);
    const profile = await caller.profiles.save({
      id: null,
      profile: { name: "Bakery", collectionIds: [collectionId], knowledgeOnly: true, citeSources: false },
    });
    const [listed] = await caller.profiles.list();
    expect(listed).toMatchObject({ collectionIds: [collectionId], knowledgeOnly: true, citeSources: false });
    const preview = await caller.profiles.preview({ profileId: profile.id, message: "How much is the large cake?" });
    expect(preview.handoff).toBe(false);
    expect(preview.knowledge).toMatchObject({ mode: "text", relevant: true });
    expect(preview.knowledge?.passages[0]).toMatchObject({ title: "Price list › Celebration cakes", textRank: 1 });
    expect(preview.systemInstruction).toContain("[1] Price list › Celebration cakes");
    expect(preview.systemInstruction).toContain("Answer only from these passages.");
    const unrelated = await caller.profiles.preview({ profileId: profile.id, message: "Do you fix bicycles?" });
    expect(unrelated.handoff).toBe(true);

    await pipeline.db.delete(knowledgeCollections).where(eq(knowledgeCollections.id, collectionId));
    const [afterDelete] = await caller.profiles.list();
    expect(afterDelete?.collectionIds).toEqual([]);
    const gone = await caller.profiles
      .save({ id: profile.id, profile: { name: "Bakery", collectionIds: [collectionId] } })
      .catch((error: unknown) => error);
    expect((gone as TRPCError).code).toBe("BAD_REQUEST");
    expect((gone as TRPCError).message).toBe("A chosen knowledge collection no longer exists.");
  });

  it("serves a contact the profile of their relationship, and moves a relationship between profiles", async () => {
    const { pipeline, builder } = await setUp();
    const caller = createCaller(testContext({ db: pipeline.db, user: builder }));
    const clients = await caller.profiles.save({ id: null, profile: { name: "Clients", relationships: ["client"] } });
    await caller.profiles.save({ id: null, profile: { name: "Everyone", isDefault: true } });
    await caller.contacts.save({ id: null, contact: { phone: "+14155550101", relationship: "client" } });
    await caller.rules.create({
      name: "Say the profile",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "who" }] },
      actions: [{ type: "reply", text: "Profile: {{profile.name}}" }],
    });
    await caller.rules.publish({});
    await inbound(pipeline, "+14155550101", "who are you");
    await inbound(pipeline, "+14155550102", "who are you");
    expect((await waitForReplies(pipeline.db, "+14155550101", 1))[0]?.body).toBe("Profile: Clients");
    expect((await waitForReplies(pipeline.db, "+14155550102", 1))[0]?.body).toBe("Profile: Everyone");

    await caller.profiles.save({ id: null, profile: { name: "VIP clients", relationships: ["client", "family"] } });
    const byName = new Map((await caller.profiles.list()).map((profile) => [profile.name, profile.relationships]));
    expect(byName.get("Clients")).toEqual([]);
    expect(byName.get("VIP clients")).toEqual(["client", "family"]);
    expect(clients.relationships).toEqual(["client"]);
  });
});
