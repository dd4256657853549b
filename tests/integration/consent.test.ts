import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contacts, contextProfiles, messages, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { saveContact, upsertContactByPhone } from "~/server/contacts/contacts";
import { importContacts } from "~/server/contacts/import";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import {
  conversationOf,
  inbound,
  publishRules,
  startPipeline,
  usePreparedDatabase,
  waitForProcessed,
  waitForReplies,
  type TPipeline,
} from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const RULE_REPLY = "A rule answered: stop what?";
const DEFAULT_REPLY = "Default: hello!";
const EN_CONFIRMATION = "You have been unsubscribed: we will not send you messages any more.";
const ES_CONFIRMATION = "Te hemos dado de baja: ya no te enviaremos mensajes.";

/** A rule that would answer any message with the word "stop" (or "halt") in it. */
async function publishStopRule(pipeline: TPipeline) {
  await publishRules(pipeline.db, [
    {
      name: "Stop words",
      conditions: {
        any: [
          { fact: "message.text", operator: "containsWord", value: "stop" },
          { fact: "message.text", operator: "containsWord", value: "halt" },
        ],
      },
      actions: [{ type: "reply", text: RULE_REPLY }],
    },
  ]);
}

async function outbound(pipeline: TPipeline, waId: string) {
  return pipeline.db
    .select({ body: messages.body, source: messages.source, replyTo: messages.replyToMessageId })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.waId, waId), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq));
}

describe("consent: opt-out keywords", () => {
  it("[consent] STOP opts the contact out at once (even with rules waiting for quiet), with one confirmation and no rule", async () => {
    const pipeline = await startPipeline();
    await publishStopRule(pipeline);
    // Rules wait 10 s for quiet: a keyword must not.
    await updateOrgSettings(pipeline.db, null, { quietBeforeRules: true, replyQuietMs: 10_000 });
    const waId = "+15550025101";
    const stop = await inbound(pipeline, waId, "STOP");
    const processed = await waitForProcessed(pipeline.db, stop, 5_000);
    const replies = await waitForReplies(pipeline.db, waId, 1);
    expect(replies.map((reply) => reply.body)).toEqual([EN_CONFIRMATION]);
    const conversation = await conversationOf(pipeline.db, waId);
    expect(conversation.contact.optedOut).toBe(true);
    expect(conversation.contact.optedOutAt?.toISOString()).toBe(processed.createdAt.toISOString());
    expect(conversation.events.filter((event) => event.type === "rule.fired")).toEqual([]);
    expect(conversation.events.filter((event) => event.type === "contact.updated")).toMatchObject([
      { messageId: processed.id, payload: { by: "keyword", changes: { optedOut: true } } },
    ]);
    expect(await outbound(pipeline, waId)).toEqual([
      { body: EN_CONFIRMATION, source: "system", replyTo: processed.id },
    ]);
    // No audit entry: it is the contact's own act.
    expect(await pipeline.db.select().from(auditLog).where(eq(auditLog.entityId, conversation.contact.id))).toEqual([]);

    // Said again: nothing more (one confirmation, one event, the first time kept).
    const again = await inbound(pipeline, waId, "stop!");
    await waitForProcessed(pipeline.db, again, 5_000);
    const after = await conversationOf(pipeline.db, waId);
    expect(after.contact.optedOutAt?.toISOString()).toBe(processed.createdAt.toISOString());
    expect(after.events.filter((event) => event.type === "contact.updated")).toHaveLength(1);
    expect(after.events.filter((event) => event.type === "rule.fired")).toEqual([]);
    expect(await outbound(pipeline, waId)).toHaveLength(1);
  });

  it("[consent] a custom keyword and confirmation replace the defaults; a message only containing a keyword goes to the rules", async () => {
    const pipeline = await startPipeline();
    await publishStopRule(pipeline);
    await updateOrgSettings(pipeline.db, null, {
      quietBeforeRules: false,
      optOut: { keywords: ["Halt", "No más"], confirmation: "Done: no more messages from us." },
    });
    const [custom, phrase, plain] = ["+15550025102", "+15550025103", "+15550025104"];
    await inbound(pipeline, custom, " halt. ");
    await inbound(pipeline, phrase, "NO MAS");
    // STOP is no longer a keyword here: the rule answers it, and the contact stays in.
    await inbound(pipeline, plain, "stop");
    for (const waId of [custom, phrase]) {
      const replies = await waitForReplies(pipeline.db, waId, 1);
      expect(replies.map((reply) => reply.body)).toEqual(["Done: no more messages from us."]);
      expect((await conversationOf(pipeline.db, waId)).contact.optedOut).toBe(true);
    }
    expect((await waitForReplies(pipeline.db, plain, 1)).map((reply) => reply.body)).toEqual([RULE_REPLY]);
    expect((await conversationOf(pipeline.db, plain)).contact.optedOut).toBe(false);

    // A keyword inside a sentence is not one: the rule runs (the contact stays in).
    await updateOrgSettings(pipeline.db, null, { optOut: { keywords: ["STOP"], confirmation: "" } });
    const sentence = "+15550025105";
    await inbound(pipeline, sentence, "stop it please");
    expect((await waitForReplies(pipeline.db, sentence, 1)).map((reply) => reply.body)).toEqual([RULE_REPLY]);
    expect((await conversationOf(pipeline.db, sentence)).contact.optedOut).toBe(false);
  });

  it("[consent] Baja gets the Spanish confirmation (the contact's profile language); in a person's thread the opt-out applies and the bot says nothing", async () => {
    const pipeline = await startPipeline();
    await pipeline.db.insert(contextProfiles).values({ name: "Tienda", isDefault: true, language: "es" });
    await updateOrgSettings(pipeline.db, null, { defaultReply: { mode: "text", text: DEFAULT_REPLY } });
    const spanish = "+15550025106";
    await inbound(pipeline, spanish, "Baja");
    expect((await waitForReplies(pipeline.db, spanish, 1)).map((reply) => reply.body)).toEqual([ES_CONFIRMATION]);
    expect((await conversationOf(pipeline.db, spanish)).contact.optedOut).toBe(true);

    const owned = "+15550025107";
    await inbound(pipeline, owned, "hola");
    await waitForReplies(pipeline.db, owned, 1);
    const { thread } = await conversationOf(pipeline.db, owned);
    await pipeline.db.update(threads).set({ mode: "human" }).where(eq(threads.id, thread.id));
    const keyword = await inbound(pipeline, owned, "PARAR");
    await waitForProcessed(pipeline.db, keyword, 5_000);
    const after = await conversationOf(pipeline.db, owned);
    expect(after.contact.optedOut).toBe(true);
    expect(after.events.filter((event) => event.type === "contact.updated")).toMatchObject([
      { payload: { by: "keyword", changes: { optedOut: true } } },
    ]);
    expect(after.events.some((event) => event.type === "thread.awaiting_human")).toBe(true);
    expect((await outbound(pipeline, owned)).map((reply) => reply.body)).toEqual([DEFAULT_REPLY]);
  });
});

describe("consent: opt-in recorded with its source and time", () => {
  it("[consent] the API records `api`; staff record `agent` (audited) and opt a contact back in; import records `import`", async () => {
    const { db } = await usePreparedDatabase();
    const before = new Date();
    const api = await upsertContactByPhone(db, null, { phone: "+12025550110", optedIn: true });
    expect(api.contact).toMatchObject({ optedOut: false, optInSource: "api" });
    expect(api.contact.optedInAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
    // Given again: the first opt-in is kept.
    const same = await upsertContactByPhone(db, null, { phone: "+12025550110", optedIn: true, name: "Ann" });
    expect(same.contact.optedInAt?.toISOString()).toBe(api.contact.optedInAt!.toISOString());

    // Opted out (as a keyword would), then back in only by an explicit act of the API.
    await db.update(contacts).set({ optedOut: true, optedOutAt: new Date() }).where(eq(contacts.id, api.contact.id));
    const untouched = await upsertContactByPhone(db, null, { phone: "+12025550110", name: "Ann B" });
    expect(untouched.contact.optedOut).toBe(true);
    const back = await upsertContactByPhone(db, null, { phone: "+12025550110", optedIn: true });
    expect(back.contact).toMatchObject({ optedOut: false, optedOutAt: null, optInSource: "api" });

    // Staff, through the contact page's procedure.
    const admin = await insertUser(db, "admin");
    const caller = createCaller(testContext({ db, user: admin }));
    const created = await caller.contacts.save({ id: null, contact: { phone: "+12025550111", optedIn: true } });
    expect(created).toMatchObject({ optInSource: "agent", optedOut: false });
    const out = await caller.contacts.save({
      id: created.id,
      contact: { phone: "+12025550111", optedIn: true, optedOut: true },
    });
    expect(out.optedOut).toBe(true);
    expect(out.optedOutAt).toBeInstanceOf(Date);
    const cleared = await caller.contacts.save({
      id: created.id,
      contact: { phone: "+12025550111", optedIn: false, optedOut: false },
    });
    expect(cleared).toMatchObject({ optedOut: false, optedOutAt: null, optedInAt: null, optInSource: null });
    const audited = await db.select().from(auditLog).where(eq(auditLog.entityId, created.id));
    expect(audited.map((entry) => entry.action).sort()).toEqual(["create", "update", "update"]);

    // A staff save that leaves consent as it is changes nothing about it.
    const kept = await saveContact(db, null, null, { phone: "+12025550112", optedIn: true });
    const renamed = await saveContact(db, null, kept.id, { phone: "+12025550112", name: "Kay", optedIn: true });
    expect(renamed.optedInAt?.toISOString()).toBe(kept.optedInAt!.toISOString());

    // CSV import: an "Opted in" column; never over an opt-out.
    const csv = "Phone,Opted in,Opted out\n+12025550113,yes,\n+12025550114,yes,yes\n+12025550115,,\n";
    const result = await importContacts(db, null, { csv });
    expect(result).toMatchObject({ created: 3, updated: 0 });
    const imported = await db
      .select({ waId: contacts.waId, optInSource: contacts.optInSource, optedOut: contacts.optedOut })
      .from(contacts)
      .where(and(eq(contacts.sessionId, kept.sessionId)))
      .orderBy(asc(contacts.waId));
    expect(imported.filter((row) => ["+12025550113", "+12025550114", "+12025550115"].includes(row.waId))).toEqual([
      { waId: "+12025550113", optInSource: "import", optedOut: false },
      { waId: "+12025550114", optInSource: null, optedOut: true },
      { waId: "+12025550115", optInSource: null, optedOut: false },
    ]);
    // Imported again onto the opted-out contact: still out, no opt-in recorded.
    await importContacts(db, null, { csv: "Phone,Opted in\n+12025550114,yes\n+12025550115,yes\n" });
    const [stillOut] = await db.select().from(contacts).where(eq(contacts.waId, "+12025550114"));
    expect(stillOut).toMatchObject({ optedOut: true, optInSource: null });
    const [nowIn] = await db.select().from(contacts).where(eq(contacts.waId, "+12025550115"));
    expect(nowIn).toMatchObject({ optedOut: false, optInSource: "import" });
    expect(nowIn!.optedInAt).toBeInstanceOf(Date);
  });
});
