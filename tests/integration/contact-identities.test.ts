import { randomUUID } from "node:crypto";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contactIdentities, contacts, events, messages, threadNotes, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { mergeContactsTx, linkIdentities } from "~/server/contacts/merge";
import { ingestInbound, ingestInboundBatch } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { startPipeline, usePreparedDatabase, waitForProcessed, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";
import { createFakeWwebjs, fakeWwebjsOptions } from "../support/fake-wwebjs";
import { restClient } from "../support/rest-client";
import { createBoss } from "~/server/jobs/boss";
import type { TDb } from "~/db/client";

const LID = "166337892180127";
const PHONE = "+14155550123";

function deliver(
  target: { db: TDb; boss: TPipeline["boss"]; sessionId: string },
  from: string,
  body: string,
  extra: object = {},
) {
  return ingestInbound(target.db, target.boss, {
    sessionId: target.sessionId,
    waMessageId: `in-${randomUUID()}`,
    from,
    pushName: "Ana",
    type: "text",
    body,
    ...extra,
  });
}

async function contactsOf(db: TDb) {
  return db.select().from(contacts).orderBy(asc(contacts.firstSeenAt));
}

async function identitiesOf(db: TDb, contactId: string) {
  const rows = await db
    .select({ kind: contactIdentities.kind, value: contactIdentities.value })
    .from(contactIdentities)
    .where(eq(contactIdentities.contactId, contactId));
  return rows.map((row) => `${row.kind}:${row.value}`).sort();
}

/** Every message of the contact's one thread, oldest first. */
async function historyOf(db: TDb, contactId: string) {
  return db
    .select({ body: messages.body, direction: messages.direction, seq: messages.seq, threadId: messages.threadId })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .where(eq(threads.contactId, contactId))
    .orderBy(asc(messages.seq));
}

async function repliesOf(db: TDb, contactId: string, count: number) {
  return waitFor(
    async () => {
      const out = (await historyOf(db, contactId)).filter((message) => message.direction === "out");
      return out.length >= count ? out : undefined;
    },
    20_000,
    `${count} replies`,
  );
}

describe("contact identities", () => {
  it("[lid] a contact who writes first as a LID gets a contact, a thread and a reply; the phone that turns out to be theirs is merged into one history", async () => {
    const pipeline = await startPipeline();
    const first = await deliver(pipeline, `${LID}@lid`, "hello, it is Ana");
    await waitForProcessed(pipeline.db, first);
    const [lidContact] = await contactsOf(pipeline.db);
    expect(lidContact).toMatchObject({ waId: `${LID}@lid`, name: "Ana" });
    expect(await identitiesOf(pipeline.db, lidContact!.id)).toEqual([`lid:${LID}`]);
    await repliesOf(pipeline.db, lidContact!.id, 1);

    // Later she writes from her number: WhatsApp has not told us yet that it is her.
    const second = await deliver(pipeline, `${PHONE.slice(1)}@c.us`, "me again, from my number");
    await waitForProcessed(pipeline.db, second);
    expect(await contactsOf(pipeline.db)).toHaveLength(2);
    const phoneContact = (await contactsOf(pipeline.db))[1]!;
    await repliesOf(pipeline.db, phoneContact.id, 1);
    await pipeline.db
      .insert(threadNotes)
      .values({ threadId: (await historyOf(pipeline.db, phoneContact.id))[0]!.threadId, body: "VIP" });
    await pipeline.db
      .update(contacts)
      .set({ tags: ["vip"], attributes: { plan: "gold", city: "Lisbon" } })
      .where(eq(contacts.id, phoneContact.id));
    await pipeline.db
      .update(contacts)
      .set({ tags: ["new"], attributes: { city: "Porto" } })
      .where(eq(contacts.id, lidContact!.id));

    // The engine reports the link: one contact (the older, the LID's), with the phone as its address.
    const linked = await linkIdentities(
      pipeline.db,
      pipeline.boss,
      pipeline.sessionId,
      { lid: LID, phone: PHONE },
      "engine",
    );
    expect(linked).toEqual({ status: "merged", contactId: lidContact!.id, mergedContactId: phoneContact.id });
    const [merged, ...others] = await contactsOf(pipeline.db);
    expect(others).toEqual([]);
    expect(merged).toMatchObject({
      id: lidContact!.id,
      waId: PHONE,
      tags: ["new", "vip"],
      attributes: { plan: "gold", city: "Porto" },
    });
    expect(await identitiesOf(pipeline.db, merged!.id)).toEqual([`lid:${LID}`, `phone:${PHONE}`]);
    const history = await historyOf(pipeline.db, merged!.id);
    expect(history.map((message) => message.body)).toEqual([
      "hello, it is Ana",
      expect.any(String),
      "me again, from my number",
      expect.any(String),
    ]);
    expect(new Set(history.map((message) => message.threadId)).size).toBe(1);
    expect(await pipeline.db.$count(threads)).toBe(1);
    expect(await pipeline.db.$count(threadNotes, eq(threadNotes.threadId, history[0]!.threadId))).toBe(1);
    const [event] = await pipeline.db.select().from(events).where(eq(events.type, "contact.merged"));
    expect(event).toMatchObject({
      contactId: merged!.id,
      threadId: history[0]!.threadId,
      payload: {
        by: "engine",
        mergedContactId: phoneContact.id,
        identities: [{ kind: "phone", value: PHONE }],
        messages: 2,
      },
    });
    // Events about the contact that is gone now name the one that remains.
    expect(await pipeline.db.$count(events, eq(events.contactId, phoneContact.id))).toBe(0);
    const [audit] = await pipeline.db.select().from(auditLog).where(eq(auditLog.action, "merge"));
    expect(audit).toMatchObject({ entity: "contact", entityId: merged!.id, userId: null });
    expect(audit!.after).toMatchObject({ moved: { messages: 2, notes: 1, thread: "merge" } });

    // Idempotent: the same report again changes nothing.
    expect(
      await linkIdentities(
        pipeline.db,
        pipeline.boss,
        pipeline.sessionId,
        { lid: `${LID}@lid`, phone: PHONE.slice(1) },
        "engine",
      ),
    ).toEqual({
      status: "already",
      contactId: merged!.id,
    });
    expect(await pipeline.db.$count(events, eq(events.type, "contact.merged"))).toBe(1);

    // Either identity reaches her from now on.
    const third = await deliver(pipeline, `${LID}@lid`, "third");
    const fourth = await deliver(pipeline, PHONE, "fourth");
    expect(third).toMatchObject({ status: "stored", contactId: merged!.id, threadId: history[0]!.threadId });
    expect(fourth).toMatchObject({ status: "stored", contactId: merged!.id, threadId: history[0]!.threadId });
    await repliesOf(pipeline.db, merged!.id, 4);
    expect(await pipeline.db.$count(contacts)).toBe(1);
  });

  it("[lid] a LID message that names the sender's known number (senderPn) reaches that contact and attaches the LID; one naming two contacts merges them", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "worker");
    await boss.start();
    const target = { db: database.db, boss, sessionId };
    try {
      const byPhone = await deliver(target, "+14155550001", "from the phone");
      const byLid = await deliver(target, "100000000000001@lid", "from the LID", {
        identity: { phone: "+14155550001" },
      });
      expect(byLid).toMatchObject({ status: "stored", contactId: (byPhone as { contactId: string }).contactId });
      expect(await identitiesOf(database.db, (byPhone as { contactId: string }).contactId)).toEqual([
        "lid:100000000000001",
        "phone:+14155550001",
      ]);

      // A new person writing as a LID with their number known becomes a contact under the number.
      const fresh = await deliver(target, "100000000000002@lid", "new", { identity: { phone: "14155550002@c.us" } });
      const [created] = await database.db
        .select()
        .from(contacts)
        .where(eq(contacts.id, (fresh as { contactId: string }).contactId));
      expect(created?.waId).toBe("+14155550002");
      expect(await identitiesOf(database.db, created!.id)).toEqual(["lid:100000000000002", "phone:+14155550002"]);

      // Two contacts, then a message that names both: they are merged after it is stored.
      const lidOnly = await deliver(target, "100000000000003@lid", "lid only");
      const phoneOnly = await deliver(target, "+14155550003", "phone only");
      const both = await deliver(target, "100000000000003@lid", "both", { identity: { phone: "+14155550003" } });
      expect(both).toMatchObject({ status: "stored" });
      const survivors = await database.db
        .select()
        .from(contacts)
        .where(
          inArray(contacts.id, [
            (lidOnly as { contactId: string }).contactId,
            (phoneOnly as { contactId: string }).contactId,
          ]),
        );
      expect(survivors.map((row) => row.waId)).toEqual(["+14155550003"]);
      expect((await historyOf(database.db, survivors[0]!.id)).map((message) => message.body)).toEqual([
        "lid only",
        "phone only",
        "both",
      ]);
      const [event] = await database.db.select().from(events).where(eq(events.type, "contact.merged"));
      expect(event?.payload).toMatchObject({ by: "message" });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("[race] a message from the merged-away contact, read before the merge committed, lands on the survivor (no duplicate contact, nothing lost)", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "worker");
    await boss.start();
    const target = { db: database.db, boss, sessionId };
    try {
      const older = await deliver(target, "+14155550010", "phone first");
      const newer = await deliver(target, "100000000000010@lid", "then the LID");
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let mergedSignal!: () => void;
      const merged = new Promise<void>((resolve) => (mergedSignal = resolve));
      // The merge runs and holds its transaction open...
      const merging = database.db.transaction(async (tx) => {
        await mergeContactsTx(tx, boss, null, "engine", [
          (older as { contactId: string }).contactId,
          (newer as { contactId: string }).contactId,
        ]);
        mergedSignal();
        await released;
      });
      await merged;
      // ...while a message from the LID arrives: ingest reads the contacts as they were (the LID
      // still the newer contact's) and waits for the merge's locks.
      const during = deliver(target, "100000000000010@lid", "during the merge");
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await merging;
      const result = await during;
      expect(result).toMatchObject({ status: "stored", contactId: (older as { contactId: string }).contactId });
      expect(await database.db.$count(contacts)).toBe(1);
      expect((await historyOf(database.db, (older as { contactId: string }).contactId)).map((m) => m.body)).toEqual([
        "phone first",
        "then the LID",
        "during the merge",
      ]);
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("[race] messages from both identities while the link is reported: no deadlock, no message lost, one contact", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "worker");
    await boss.start();
    const target = { db: database.db, boss, sessionId };
    try {
      for (let round = 0; round < 5; round++) {
        const lid = `2000000000000${10 + round}`;
        const phone = `+1415555${1000 + round}`;
        await deliver(target, `${lid}@lid`, "start lid");
        await deliver(target, phone, "start phone");
        const bodies = Array.from({ length: 30 }, (_, index) => `r${round} m${index}`);
        const sending = Promise.all([
          ...bodies.map((body, index) => deliver(target, index % 2 === 0 ? `${lid}@lid` : phone, body)),
          ingestInboundBatch(
            database.db,
            boss,
            bodies.map((body, index) => ({
              sessionId,
              waMessageId: `batch-${round}-${index}`,
              from: index % 2 === 0 ? phone : `${lid}@lid`,
              type: "text",
              body: `${body} (batch)`,
            })),
          ),
        ]);
        const link = linkIdentities(database.db, boss, sessionId, { lid, phone }, "engine");
        const [results, linked] = await Promise.all([sending, link]);
        expect(linked.status).toBe("merged");
        expect(results.flat().every((result) => result.status === "stored")).toBe(true);
        const holder = await database.db
          .select({ contactId: contactIdentities.contactId })
          .from(contactIdentities)
          .where(eq(contactIdentities.value, phone));
        const history = await historyOf(database.db, holder[0]!.contactId);
        expect(history).toHaveLength(2 + 60);
        expect(await identitiesOf(database.db, holder[0]!.contactId)).toEqual([`lid:${lid}`, `phone:${phone}`]);
      }
      expect(await database.db.$count(contacts)).toBe(5);
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("[staff] the preview says what moves and which values win; the merge does it, audited; merging again is refused clearly", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "worker");
    await boss.start();
    const target = { db: database.db, boss, sessionId };
    try {
      const agent = createCaller(testContext({ db: database.db, boss, user: await insertUser(database.db, "agent") }));
      const manager = createCaller(
        testContext({ db: database.db, boss, user: await insertUser(database.db, "manager") }),
      );
      const a = (await deliver(target, "+14155550020", "one")) as { contactId: string };
      const b = (await deliver(target, "+14155550021", "two")) as { contactId: string };
      await deliver(target, "+14155550021", "three");
      await database.db
        .update(contacts)
        .set({ name: null, blocked: true, tags: ["b"] })
        .where(eq(contacts.id, b.contactId));
      await database.db
        .update(contacts)
        .set({ name: "Ana", tags: ["a"] })
        .where(eq(contacts.id, a.contactId));

      const preview = await agent.contacts.mergePreview({ id: b.contactId, otherId: a.contactId });
      expect(preview).toMatchObject({
        survivor: { id: a.contactId, waId: "+14155550020" },
        absorbed: { id: b.contactId, waId: "+14155550021" },
        moves: { messages: 2, notes: 0, identities: 1 },
        threadAction: "merge",
        tags: { result: ["a", "b"] },
        identities: { moving: [{ kind: "phone", value: "+14155550021" }] },
      });
      expect(preview.fields).toEqual(
        expect.arrayContaining([{ field: "blocked", survivor: false, absorbed: true, result: true }]),
      );
      // A preview changes nothing.
      expect(await database.db.$count(contacts)).toBe(2);
      await expect(manager.contacts.merge({ id: b.contactId, otherId: a.contactId })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });

      const result = await agent.contacts.merge({ id: b.contactId, otherId: a.contactId });
      expect(result).toMatchObject({ survivorId: a.contactId, absorbedId: b.contactId });
      const contact = await agent.contacts.get({ id: a.contactId });
      expect(contact.identities.map((identity) => identity.value).sort()).toEqual(["+14155550020", "+14155550021"]);
      expect(
        contact.history.map((message) => message.body).filter((body) => ["one", "two", "three"].includes(body)),
      ).toEqual(["one", "two", "three"]);
      expect(contact).toMatchObject({ name: "Ana", blocked: true, tags: ["a", "b"] });
      const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, "merge"));
      expect(audit).toMatchObject({ entityId: a.contactId, userEmail: expect.any(String) });
      const [event] = await database.db.select().from(events).where(eq(events.type, "contact.merged"));
      expect(event?.payload).toMatchObject({ by: expect.stringMatching(/^[0-9a-f-]{36}$/) });

      // The second number now reaches the merged contact: a message, an import, the form refuses it.
      expect(await deliver(target, "+14155550021", "four")).toMatchObject({ contactId: a.contactId });
      const imported = await agent.contacts.import({ csv: "phone,priority\n+14155550021,7\n", fileName: "list.csv" });
      expect(imported).toMatchObject({ created: 0, updated: 1 });
      expect(await agent.contacts.get({ id: a.contactId })).toMatchObject({ priority: 7 });
      await expect(
        agent.contacts.save({ id: null, contact: { phone: "+14155550021", name: "Someone else" } }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      expect(await database.db.$count(contacts)).toBe(1);

      // The REST API's contact reads carry the identities; an upsert (unblocking her) and a send name
      // the second number and reach her.
      const admin = createCaller(testContext({ db: database.db, boss, user: await insertUser(database.db, "admin") }));
      const { key } = await admin.apiKeys.create({ name: "Identities", scopes: ["read", "write"] });
      const call = restClient({ db: database.db, boss });
      const listed = await call("GET", "/contacts", { key });
      expect(listed.status).toBe(200);
      expect(listed.body.contacts).toEqual([
        expect.objectContaining({
          id: a.contactId,
          phone: "+14155550020",
          identities: [
            { kind: "phone", value: "+14155550020" },
            { kind: "phone", value: "+14155550021" },
          ],
        }),
      ]);
      const upserted = await call("PUT", "/contacts", {
        key,
        body: { phone: "+14155550021", priority: 9, blocked: false },
      });
      expect(upserted).toMatchObject({ status: 200, body: { id: a.contactId, phone: "+14155550020" } });
      const sent = await call("POST", "/messages", {
        key,
        body: { to: "+14155550021", body: "Your order is ready" },
        headers: { "idempotency-key": randomUUID() },
      });
      expect(sent).toMatchObject({ status: 202, body: { contactId: a.contactId } });
      await expect(agent.contacts.merge({ id: b.contactId, otherId: a.contactId })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(agent.contacts.merge({ id: a.contactId, otherId: a.contactId })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    } finally {
      await boss.stop({ graceful: false });
    }
  });

  it("[wwebjs] through the whatsapp-web.js engine: a LID writes first and is answered at its LID chat; their number writes too; a later message naming both (senderPn) makes one contact with one history; a LID whose number WhatsApp knows joins that contact at once", async () => {
    const fake = createFakeWwebjs({ phone: "14155550100" });
    const pipeline = await startPipeline({
      engines: {
        wwebjs: await fakeWwebjsOptions(fake.factory),
      },
    });
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    const { id: sessionId } = await admin.sessions.create({ name: "Front desk" });
    const client = await waitFor(() => Promise.resolve(fake.latest()), 15_000, "the client");
    await client.scan();
    const inSession = async () =>
      (await pipeline.db.select().from(contacts)).filter((row) => row.sessionId === sessionId);
    const reply = (chatId: string, count: number) =>
      waitFor(
        () =>
          Promise.resolve(client.sent.filter((entry) => entry.chatId === chatId).length >= count ? true : undefined),
        20_000,
        `${count} replies at ${chatId}`,
      );

    client.deliver(`${LID}@lid`, "hi, first as a LID");
    await reply(`${LID}@lid`, 1);
    client.deliver(`${PHONE.slice(1)}@c.us`, "hi, from my number");
    await reply(`${PHONE.slice(1)}@c.us`, 1);
    expect((await inSession()).map((row) => row.waId).sort()).toEqual([PHONE, `${LID}@lid`]);
    const lidContact = (await inSession()).find((row) => row.waId.endsWith("@lid"))!;

    client.deliver(`${LID}@lid`, "and now WhatsApp names my number", {
      _data: { notifyName: "Ana", senderPn: `${PHONE.slice(1)}@c.us` },
    });
    const [merged] = await waitFor(
      async () => {
        const rows = await inSession();
        return rows.length === 1 ? rows : undefined;
      },
      20_000,
      "one contact",
    );
    expect(merged).toMatchObject({ id: lidContact.id, waId: PHONE });
    await repliesOf(pipeline.db, merged!.id, 3);
    const history = await historyOf(pipeline.db, merged!.id);
    expect(history.filter((message) => message.direction === "in").map((message) => message.body)).toEqual([
      "hi, first as a LID",
      "hi, from my number",
      "and now WhatsApp names my number",
    ]);
    expect(new Set(history.map((message) => message.threadId)).size).toBe(1);
    expect(await pipeline.db.$count(events, eq(events.type, "contact.merged"))).toBe(1);
    expect(await pipeline.db.$count(auditLog, eq(auditLog.action, "merge"))).toBe(1);

    // WhatsApp knows this LID's number, which is a contact already: no second contact.
    client.deliver("14155550777@c.us", "I am Bruno");
    await reply("14155550777@c.us", 1);
    client.lidPhones.set("200000000000777@lid", "14155550777@c.us");
    client.deliver("200000000000777@lid", "Bruno again, as a LID");
    await reply("14155550777@c.us", 2);
    const bruno = (await inSession()).find((row) => row.waId === "+14155550777")!;
    expect(await identitiesOf(pipeline.db, bruno.id)).toEqual(["lid:200000000000777", "phone:+14155550777"]);
    expect(await inSession()).toHaveLength(2);
  });

  it("[send] a reply still queued in the merged-away conversation is queued again under the survivor's thread (its old job finds nothing there)", async () => {
    const { sessionId, ...database } = await usePreparedDatabase();
    const boss = createBoss(database.url, "worker");
    await boss.start();
    const target = { db: database.db, boss, sessionId };
    try {
      const older = (await deliver(target, "+14155550030", "hi")) as { contactId: string; threadId: string };
      const newer = (await deliver(target, "100000000000030@lid", "hi again")) as {
        contactId: string;
        threadId: string;
      };
      const [queued] = await database.db
        .insert(messages)
        .values({
          sessionId,
          threadId: newer.threadId,
          direction: "out",
          body: "on its way",
          source: "api",
          status: "queued",
        })
        .returning();
      await linkIdentities(database.db, boss, sessionId, { lid: "100000000000030", phone: "+14155550030" }, "engine");
      const [moved] = await database.db.select().from(messages).where(eq(messages.id, queued!.id));
      expect(moved).toMatchObject({ threadId: older.threadId, status: "queued" });
      const jobs = await database.db.execute<{ data: { messageId: string; threadId: string } }>(
        sql`select data from pgboss.job where name = ${`send.${sessionId}`}`,
      );
      expect(jobs.rows.map((row) => row.data)).toContainEqual({ messageId: queued!.id, threadId: older.threadId });
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
