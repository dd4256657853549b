import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import {
  auditLog,
  campaignRecipients,
  campaigns,
  contacts,
  flowRuns,
  flowSteps,
  flows,
  mediaObjects,
  messages,
  scheduledMessages,
  threadNotes,
  threads,
  webhooks,
} from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { ERASED_ANSWER, eraseContact, finishErasedMedia } from "~/server/data-rights/erase";
import { createApiKey } from "~/server/rest/api-keys";
import { answerOnce } from "~/server/rest/handler";
import { exportContactData, type TContactDocument } from "~/server/data-rights/export";
import { readStoredZip } from "~/server/data-rights/zip";
import { intakeMedia, mediaRefOf } from "~/server/media/intake";
import type { TMediaStore } from "~/server/media/store";
import { ingestInbound } from "~/server/messaging/ingest";
import { insertUser } from "../support/database";
import { jpegBytes } from "../support/media-fixtures";
import { startPipeline, waitForReplies, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";
import { createLogger } from "~/server/logger";
import { pruneOldMessages } from "~/server/data-rights/retention";
import { handleMessageRetention } from "~/workers/handlers/message-retention";
import type { TJobContext } from "~/workers/runtime";

const PHONE = "+14155550177";
const OTHER_PHONE = "+14155550188";
const NAME = "Zelda Quintrell";
const OTHER_NAME = "Oskar Brightwater";

async function photo(pipeline: TPipeline, from: string, pushName: string, bytes: Buffer, caption: string) {
  const stored = await intakeMedia(pipeline.db, pipeline.mediaStore, Readable.from([bytes]), { kind: "image" });
  await ingestInbound(pipeline.db, pipeline.boss, {
    sessionId: pipeline.sessionId,
    waMessageId: `in-${randomUUID()}`,
    from,
    pushName,
    type: "image",
    body: "",
    content: { kind: "image", caption, media: mediaRefOf(stored) },
  });
  return stored;
}

async function text(pipeline: TPipeline, from: string, pushName: string, body: string) {
  await ingestInbound(pipeline.db, pipeline.boss, {
    sessionId: pipeline.sessionId,
    waMessageId: `in-${randomUUID()}`,
    from,
    pushName,
    type: "text",
    body,
  });
}

async function contactIdOf(db: TDb, waId: string): Promise<string> {
  const [row] = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.waId, waId));
  if (!row) throw new Error(`no contact ${waId}`);
  return row.id;
}

/** Everything about one contact the product keeps, made through the real paths where there is one. */
async function seedContact(pipeline: TPipeline, phone: string, name: string, sharedPhoto: Buffer) {
  const { db } = pipeline;
  await text(pipeline, phone, name, `Hello, this is ${name}, order 4711 please`);
  const ownPhoto = await jpegBytes(97 + name.length, 61);
  const own = await photo(pipeline, phone, name, ownPhoto, `The broken part, says ${name}`);
  const shared = await photo(pipeline, phone, name, sharedPhoto, "Your price list");
  await waitForReplies(db, phone, 3);
  const contactId = await contactIdOf(db, phone);
  const [thread] = await db.select({ id: threads.id }).from(threads).where(eq(threads.contactId, contactId));
  const admin = await insertUser(db, "admin");
  const caller = createCaller(testContext({ db, user: admin, boss: pipeline.boss }));
  await caller.contacts.save({
    id: contactId,
    contact: { phone, name, tags: ["vip"], notes: `${name} prefers mornings`, optedIn: true },
  });
  await db
    .update(contacts)
    .set({ fields: { city: `${name}ville` }, attributes: { source: name } })
    .where(eq(contacts.id, contactId));
  await db.insert(threadNotes).values({ threadId: thread!.id, body: `Called ${name} back` });
  const [campaign] = await db
    .insert(campaigns)
    .values({
      name: `Spring ${randomUUID()}`,
      content: { kind: "text", body: "Hi {{name}}" },
      sessionIds: [pipeline.sessionId],
    })
    .returning({ id: campaigns.id });
  await db.insert(campaignRecipients).values({
    campaignId: campaign!.id,
    contactId,
    position: 1,
    variables: { name },
    state: "skipped",
    reason: "test",
  });
  const [flow] = await db
    .insert(flows)
    .values({ name: `Order flow ${randomUUID()}`, definition: {} })
    .returning({ id: flows.id });
  const [run] = await db
    .insert(flowRuns)
    .values({ flowId: flow!.id, version: 1, threadId: thread!.id, contactId, trigger: "test", variables: { name } })
    .returning({ id: flowRuns.id });
  await db
    .insert(flowSteps)
    .values({ runId: run!.id, flowId: flow!.id, version: 1, stepId: "ask", stepType: "ask", detail: { answer: name } });
  await db.insert(scheduledMessages).values({
    sessionId: pipeline.sessionId,
    contactId,
    threadId: thread!.id,
    body: `Reminder for ${name}`,
    sendAt: new Date(Date.now() + 86_400_000),
  });
  return { contactId, threadId: thread!.id, own, ownPhoto, shared, caller };
}

/** Every text, json, uuid and array column of every table in the public schema that holds `needle`. */
async function tablesHolding(db: TDb, needle: string): Promise<string[]> {
  const { rows: columns } = await db.execute<{ table_name: string; column_name: string }>(sql`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and (c.data_type in ('text', 'character varying', 'json', 'jsonb', 'uuid', 'ARRAY', 'USER-DEFINED'))
    order by 1, 2`);
  expect(columns.length).toBeGreaterThan(100);
  const found: string[] = [];
  for (const column of columns) {
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(column.table_name)}
          where ${sql.identifier(column.column_name)}::text ilike ${`%${needle}%`}`,
    );
    if ((rows[0]?.n ?? 0) > 0) found.push(`${column.table_name}.${column.column_name}`);
  }
  return found;
}

async function collect(chunks: AsyncGenerator<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

describe("data rights: a contact's export and erasure", () => {
  it("[export] holds their messages both ways, captions, fields, consent, campaign, flow run, scheduled message and the media files themselves", async () => {
    const pipeline = await startPipeline();
    const sharedPhoto = await jpegBytes(50, 50);
    const seeded = await seedContact(pipeline, PHONE, NAME, sharedPhoto);
    const admin = await insertUser(pipeline.db, "admin");

    const { filename, chunks } = await exportContactData(pipeline.db, pipeline.mediaStore, admin, {
      contactId: seeded.contactId,
    });
    expect(filename).toMatch(new RegExp(`^contact-${seeded.contactId}-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    const files = readStoredZip(await collect(chunks));
    const document = JSON.parse(files.get("contact.json")!.toString("utf8")) as TContactDocument;

    expect(document.contact).toMatchObject({
      id: seeded.contactId,
      wa_id: PHONE,
      name: NAME,
      fields: { city: `${NAME}ville` },
    });
    expect(document.identities.map((row) => row.value)).toContain(PHONE);
    expect(document.consent.optedInAt).not.toBeNull();
    const all = document.conversations.flatMap((conversation) => conversation.messages);
    expect(all.filter((m) => m.direction === "in").map((m) => m.body)).toContain(
      `Hello, this is ${NAME}, order 4711 please`,
    );
    expect(all.filter((m) => m.direction === "out").length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(all)).toContain(`The broken part, says ${NAME}`);
    expect(document.conversations[0]?.notes.map((note) => note.body)).toEqual([`Called ${NAME} back`]);
    expect(document.campaigns).toEqual([
      expect.objectContaining({ contact_id: seeded.contactId, variables: { name: NAME } }),
    ]);
    expect(document.flowRuns[0]?.steps[0]).toMatchObject({ detail: { answer: NAME } });
    expect(document.scheduledMessages.map((row) => row.body)).toEqual([`Reminder for ${NAME}`]);
    expect(document.events.length).toBeGreaterThan(0);
    expect(document.auditEntries.map((row) => row.action)).toContain("update");

    // The media files themselves, byte for byte.
    expect(files.get(`media/${seeded.own.sha256}`)).toEqual(seeded.ownPhoto);
    expect(files.get(`media/${seeded.shared.sha256}`)).toEqual(sharedPhoto);
    expect(
      createHash("sha256")
        .update(files.get(`media/${seeded.own.sha256}`)!)
        .digest("hex"),
    ).toBe(seeded.own.sha256);
    expect(document.media.map((file) => file.file).sort()).toEqual(
      [`media/${seeded.own.sha256}`, `media/${seeded.shared.sha256}`].sort(),
    );
    // The export itself is audited, with no personal data.
    const [exported] = await pipeline.db.select().from(auditLog).where(eq(auditLog.action, "export"));
    expect(exported).toMatchObject({ entity: "contact", entityId: seeded.contactId, userId: admin.id, after: null });
  });

  it("[erase] leaves nothing of them in any table or in the media store; another contact's data and a shared file stay", async () => {
    const pipeline = await startPipeline();
    const store: TMediaStore = pipeline.mediaStore;
    const sharedPhoto = await jpegBytes(52, 52);
    const erased = await seedContact(pipeline, PHONE, NAME, sharedPhoto);
    const kept = await seedContact(pipeline, OTHER_PHONE, OTHER_NAME, sharedPhoto);
    expect(erased.shared.sha256).toBe(kept.shared.sha256);
    // A webhook, so their events made deliveries (pending: no dispatcher runs here).
    await pipeline.db.insert(webhooks).values({ url: "https://example.com/hook", secret: Buffer.from("x") });
    await text(pipeline, PHONE, NAME, `One more from ${NAME}`);
    await waitForReplies(pipeline.db, PHONE, 4);
    const [ownRow] = await pipeline.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, erased.own.sha256));
    const ownThumb = ownRow?.thumbSha256;
    expect(ownThumb).toBeTruthy();
    const needles = [erased.contactId, PHONE.slice(2), NAME, "Quintrell", erased.own.sha256, ownThumb!];
    for (const needle of needles) expect(await tablesHolding(pipeline.db, needle)).not.toEqual([]);
    const otherMessagesBefore = await pipeline.db.select().from(messages).where(eq(messages.threadId, kept.threadId));

    const admin = await insertUser(pipeline.db, "admin");
    const erasure = await eraseContact(pipeline.db, admin, { contactId: erased.contactId }, { store });
    expect(erasure.counts).toMatchObject({ conversations: 1, mediaFiles: 1, mediaFilesKept: 1, campaignRecipients: 1 });
    expect(erasure.counts.messages).toBeGreaterThanOrEqual(8);

    // Every table: nothing holds their id, phone, name or their own file's hash — but the
    // erasure's audit row, which keeps the contact id (an opaque reference) and counts.
    const [audit] = await pipeline.db.select().from(auditLog).where(eq(auditLog.action, "erase"));
    expect(audit).toMatchObject({ entity: "contact", entityId: erased.contactId, userId: admin.id });
    expect(JSON.stringify(audit?.after)).not.toMatch(/Quintrell|4155550177/);
    const holdingId = await tablesHolding(pipeline.db, erased.contactId);
    expect(holdingId).toEqual(["audit_log.entity_id"]);
    const { rows: idRows } = await pipeline.db.execute<{ action: string }>(
      sql`select action from audit_log where entity_id = ${erased.contactId} order by action`,
    );
    expect(idRows.map((row) => row.action)).toEqual(["erase", "update"]);
    const { rows: redacted } = await pipeline.db.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where entity_id = ${erased.contactId} and (before is not null or (after is not null and action <> 'erase'))`,
    );
    expect(redacted[0]?.n).toBe(0);
    for (const needle of needles.slice(1))
      expect([needle, await tablesHolding(pipeline.db, needle)]).toEqual([needle, []]);

    // The media store: their own file and its thumbnail are gone; the file the other contact sent too stays.
    expect(await store.has(erased.own.sha256)).toBe(false);
    expect(await store.has(ownThumb!)).toBe(false);
    expect(await store.has(erased.shared.sha256)).toBe(true);

    // The other contact: untouched.
    expect(await tablesHolding(pipeline.db, OTHER_NAME)).toContain("contacts.name");
    const otherMessagesAfter = await pipeline.db.select().from(messages).where(eq(messages.threadId, kept.threadId));
    expect(otherMessagesAfter.map((m) => m.id).sort()).toEqual(otherMessagesBefore.map((m) => m.id).sort());
    const otherExport = await exportContactData(pipeline.db, store, admin, { contactId: kept.contactId });
    const otherFiles = readStoredZip(await collect(otherExport.chunks));
    expect(otherFiles.get(`media/${kept.shared.sha256}`)).toEqual(sharedPhoto);
    expect(otherFiles.get(`media/${kept.own.sha256}`)).toEqual(kept.ownPhoto);
  });

  it("[erase] an unknown contact, a second erasure and a bad id are clear errors that change nothing", async () => {
    const pipeline = await startPipeline();
    const seeded = await seedContact(pipeline, PHONE, NAME, await jpegBytes(40, 40));
    const admin = await insertUser(pipeline.db, "admin");
    const caller = createCaller(testContext({ db: pipeline.db, user: admin, boss: pipeline.boss }));
    const before = await pipeline.db.select({ n: sql<number>`count(*)::int` }).from(messages);

    await expect(caller.dataRights.erase({ contactId: randomUUID(), confirm: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "This contact does not exist (or was erased already).",
    });
    await expect(caller.dataRights.erase({ contactId: "nope", confirm: "x" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      caller.dataRights.erase({ contactId: seeded.contactId, confirm: "Someone Else" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await pipeline.db.select({ n: sql<number>`count(*)::int` }).from(messages)).toEqual(before);

    await caller.dataRights.erase({ contactId: seeded.contactId, confirm: ` ${NAME.toLowerCase()} ` });
    // The worker removes the files (the `media.erased` job committed with the erasure).
    await waitFor(
      async () => ((await pipeline.mediaStore.has(seeded.own.sha256)) ? undefined : true),
      15_000,
      () => "the erased file to leave the store",
    );
    await expect(caller.dataRights.erase({ contactId: seeded.contactId, confirm: NAME })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      exportContactData(pipeline.db, pipeline.mediaStore, admin, { contactId: seeded.contactId }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("[erase] a crash after the commit leaves only marked files, which the next sweep removes", async () => {
    const pipeline = await startPipeline();
    const seeded = await seedContact(pipeline, PHONE, NAME, await jpegBytes(44, 44));
    // No store given: as if the process died right after the commit.
    await eraseContact(pipeline.db, null, { contactId: seeded.contactId }, { store: null });
    const [marked] = await pipeline.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, seeded.own.sha256));
    expect(marked).toMatchObject({ deletedReason: "erased" });
    expect(await pipeline.mediaStore.has(seeded.own.sha256)).toBe(true);
    expect(await finishErasedMedia(pipeline.db, pipeline.mediaStore)).toBe(2);
    expect(await pipeline.mediaStore.has(seeded.own.sha256)).toBe(false);
    expect(await pipeline.db.select().from(mediaObjects).where(eq(mediaObjects.sha256, seeded.own.sha256))).toEqual([]);
  });

  it("[retention] off by default; set, it deletes messages older than its days (with their events and files) and keeps newer ones", async () => {
    const pipeline = await startPipeline();
    const { db } = pipeline;
    const seeded = await seedContact(pipeline, PHONE, NAME, await jpegBytes(46, 46));
    const admin = await insertUser(db, "admin");
    const caller = createCaller(testContext({ db, user: admin, boss: pipeline.boss }));
    const run = () =>
      handleMessageRetention({}, {
        db,
        log: createLogger("test", "silent"),
        mediaStore: pipeline.mediaStore,
      } as unknown as TJobContext);
    const all = () => db.select().from(messages).where(eq(messages.threadId, seeded.threadId));
    const before = await all();
    // Age the photo message and everything before it by 40 days; the rest stays recent.
    const photoMessage = before.find((m) => JSON.stringify(m.content).includes(seeded.own.sha256))!;
    const old = before.filter((m) => m.seq <= photoMessage.seq);
    await db.execute(sql`update messages set created_at = now() - interval '40 days'
      where id = any(${`{${old.map((m) => m.id).join(",")}}`}::uuid[])`);

    await run();
    expect(await all()).toHaveLength(before.length);

    await expect(caller.settings.update({ messageRetentionDays: 3 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await caller.settings.update({ messageRetentionDays: 30 });
    await run();
    const after = await all();
    expect(after.map((m) => m.id).sort()).toEqual(
      before
        .filter((m) => !old.some((o) => o.id === m.id))
        .map((m) => m.id)
        .sort(),
    );
    expect(after.length).toBeGreaterThan(0);
    const { rows: oldEvents } = await db.execute(
      sql`select 1 from events where message_id = any(${`{${old.map((m) => m.id).join(",")}}`}::uuid[])`,
    );
    expect(oldEvents).toEqual([]);
    expect(await pipeline.mediaStore.has(seeded.own.sha256)).toBe(false);
    expect(await db.select().from(mediaObjects).where(eq(mediaObjects.sha256, seeded.own.sha256))).toEqual([]);
    // The contact and their conversation stay.
    expect(await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, seeded.contactId))).toHaveLength(
      1,
    );
  });

  it("[erase] takes the messages ingest rejected from them (number, name, text) and keeps another sender's; retention ages them out", async () => {
    const pipeline = await startPipeline();
    const { db } = pipeline;
    await text(pipeline, PHONE, NAME, "hi");
    await waitForReplies(db, PHONE, 1);
    // Malformed (no message id): kept as `message.rejected` events with the raw message, no contact.
    const rejectedFrom = (from: string, body: string) =>
      ingestInbound(db, pipeline.boss, {
        sessionId: pipeline.sessionId,
        waMessageId: "",
        from,
        pushName: NAME,
        type: "text",
        body,
      });
    await rejectedFrom(PHONE, "my card is REJECTEDSECRET");
    await rejectedFrom(`${PHONE.slice(1)}@c.us`, "again REJECTEDSECRET2");
    await rejectedFrom(OTHER_PHONE, "someone else KEPTSECRET");
    const rejected = async () =>
      (
        await db.execute<{ body: string }>(
          sql`select payload->'message'->>'body' as body from events where type = 'message.rejected' order by at`,
        )
      ).rows.map((row) => row.body);
    expect(await rejected()).toHaveLength(3);
    // Jobs carrying their raw inbound message: a finished one (pg-boss keeps it a week) and one
    // still waiting (never taken from under a worker).
    const inbound = { from: `${PHONE.slice(1)}@c.us`, pushName: NAME, body: "JOBSECRET" };
    const finished = await pipeline.boss.send("simulator.inbound", inbound, { startAfter: 3600 });
    const waiting = await pipeline.boss.send("simulator.inbound", inbound, { startAfter: 3600 });
    await db.execute(sql`update pgboss.job set state = 'completed', completed_on = now() where id = ${finished}`);
    const jobs = async () =>
      (await db.execute<{ id: string }>(sql`select id from pgboss.job where data::text like '%JOBSECRET%'`)).rows.map(
        (row) => row.id,
      );
    expect(await jobs()).toHaveLength(2);
    const admin = await insertUser(db, "admin");
    const erasure = await eraseContact(db, admin, { contactId: await contactIdOf(db, PHONE) }, { store: null });
    expect(await rejected()).toEqual(["someone else KEPTSECRET"]);
    expect(await jobs()).toEqual([waiting]);
    expect(erasure.counts.jobs).toBe(1);
    expect(erasure.counts.events).toBeGreaterThanOrEqual(2);

    // Message retention removes rejected messages older than its days, and only those.
    await rejectedFrom(OTHER_PHONE, "recent RECENTSECRET");
    await db.execute(sql`update events set at = now() - interval '40 days'
      where type = 'message.rejected' and payload->'message'->>'body' = 'someone else KEPTSECRET'`);
    await pruneOldMessages(db, null, { olderThanDays: 30 });
    expect(await rejected()).toEqual(["recent RECENTSECRET"]);
  });

  it("[erase] a stored REST/MCP answer naming them becomes a 410 tombstone: a retry with its key is not run again", async () => {
    const pipeline = await startPipeline();
    const { db } = pipeline;
    await text(pipeline, PHONE, NAME, "hi");
    await waitForReplies(db, PHONE, 1);
    const contactId = await contactIdOf(db, PHONE);
    const admin = await insertUser(db, "admin");
    const apiKey = await createApiKey(db, admin, { name: "crm", scopes: ["read", "write"] });
    const claim = { keyId: apiKey.id, key: `k-${randomUUID()}`, fingerprint: "POST /api/v1/contacts\nbody" };
    let runs = 0;
    const create = () => {
      runs += 1;
      return Promise.resolve({ status: 201, body: { id: contactId, phone: PHONE, name: NAME } });
    };
    expect((await answerOnce(db, claim, create)).replayed).toBe(false);
    const erasure = await eraseContact(db, admin, { contactId }, { store: null });
    expect(erasure.counts.apiResponses).toBe(1);
    const retry = await answerOnce(db, claim, create);
    expect(runs).toBe(1);
    expect(retry).toEqual({ replayed: true, sameRequest: true, response: ERASED_ANSWER });
    expect(retry.response.status).toBe(410);
    expect(JSON.stringify(retry.response)).not.toMatch(new RegExp(`${PHONE.slice(2)}|Quintrell|${contactId}`));
  });

  it("[erase] a file the store fails to remove stays marked for the next sweep; the others are removed all the same", async () => {
    const pipeline = await startPipeline();
    const { db } = pipeline;
    const seeded = await seedContact(pipeline, PHONE, NAME, await jpegBytes(45, 45));
    await eraseContact(db, null, { contactId: seeded.contactId }, { store: null });
    const marked = async () =>
      (
        await db
          .select({ sha256: mediaObjects.sha256 })
          .from(mediaObjects)
          .where(eq(mediaObjects.deletedReason, "erased"))
          .orderBy(mediaObjects.sha256)
      ).map((row) => row.sha256);
    const before = await marked();
    expect(before).toHaveLength(2);
    const broken = before[0]!;
    const failing = Object.create(pipeline.mediaStore) as TMediaStore;
    failing.delete = (sha256: string) =>
      sha256 === broken ? Promise.reject(new Error("disk says no")) : pipeline.mediaStore.delete(sha256);
    // Batches of one: the failing file comes first and must not block the one after it.
    await expect(finishErasedMedia(db, failing, 1)).rejects.toThrow("disk says no");
    expect(await marked()).toEqual([broken]);
    expect(await pipeline.mediaStore.has(before[1]!)).toBe(false);
    expect(await pipeline.mediaStore.has(broken)).toBe(true);
    expect(await finishErasedMedia(db, pipeline.mediaStore)).toBe(1);
    expect(await marked()).toEqual([]);
  });
});
