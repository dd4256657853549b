import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import type { TDb } from "~/db/client";
import {
  campaignRecipients,
  campaigns,
  contacts,
  events,
  mediaAssets,
  mediaObjects,
  messages,
  waTemplates,
} from "~/db/schema";
import { importCampaignList } from "~/server/campaigns/audience";
import { saveCampaign, startCampaign } from "~/server/campaigns/campaigns";
import type { TCampaignContent } from "~/server/campaigns/content";
import { previewAudience, previewCampaignMessage } from "~/server/campaigns/preview";
import { exportCampaignRecipientsCsv, listCampaignRecipients } from "~/server/campaigns/results";
import { saveSegment } from "~/server/campaigns/segments";
import { createCaller } from "~/server/api/root";
import { createBoss } from "~/server/jobs/boss";
import { ingestInbound } from "~/server/messaging/ingest";
import { NO_CAPABILITIES } from "~/server/sessions/engine-capabilities";
import { publishEngines } from "~/server/sessions/engines";
import { WEBHOOK_DETAILS } from "~/server/webhooks/payloads";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";
import { runCampaignLoop } from "../support/campaigns";

/** Numbers of this file: +1 415 555 06xx. */
const phone = (n: number) => `+1415555${String(600 + n).padStart(4, "0")}`;

async function setUp() {
  const database = await usePreparedDatabase();
  const boss = createBoss(database.url, "web");
  await boss.start();
  onTestFinished(() => boss.stop({ graceful: false }));
  const admin = await insertUser(database.db, "admin");
  return { ...database, boss, actor: { id: admin.id, email: admin.email } };
}
type TSetUp = Awaited<ReturnType<typeof setUp>>;

/** The simulator as a worker would publish it, sending these media kinds. */
async function simulatorSends(db: TDb, media: ("image" | "document" | "audio")[], templates = false) {
  await publishEngines(
    db,
    [
      {
        kind: "simulator",
        label: "Simulator",
        description: "",
        capabilities: { ...NO_CAPABILITIES, text: true, media, templates, readReceipts: true },
        settings: [],
        controls: [],
        addable: false,
      },
    ],
    "test",
  );
}

/** A contact who wrote to us first. */
async function writer(database: TSetUp, n: number, name: string) {
  const result = await ingestInbound(database.db, database.boss, {
    sessionId: database.sessionId,
    waMessageId: `in-${randomUUID()}`,
    from: phone(n),
    pushName: name,
    type: "text",
    body: "hi",
  });
  if (result.status !== "stored") throw new Error(JSON.stringify(result));
  return result.contactId;
}

async function listCampaign(database: TSetUp, content: TCampaignContent, includeColdContacts = true) {
  return saveCampaign(database.db, database.actor, null, {
    name: `List ${randomUUID()}`,
    audience: "list",
    content,
    sessionIds: [database.sessionId],
    ratePerMinute: 600,
    includeColdContacts,
  });
}

const textOf = (reason: { key: string; values?: Record<string, string | number> }) => reason;

describe("campaigns: an imported list", () => {
  it("matches rows by phone, makes missing contacts, keeps file order and variables, and reports each bad row", async () => {
    const database = await setUp();
    const { db } = database;
    const known = await writer(database, 1, "Ana Lima");
    const optedOut = await writer(database, 2, "Bruno Costa");
    await db.update(contacts).set({ optedOut: true, optedOutAt: new Date() }).where(eq(contacts.id, optedOut));
    const blocked = await writer(database, 3, "Carla Dias");
    await db.update(contacts).set({ blocked: true }).where(eq(contacts.id, blocked));
    const campaign = await listCampaign(database, {
      kind: "text",
      body: "Hi {{contact.firstName}}, table {{var.table}}",
    });
    const csv = [
      "Phone,Name,Table,Visit day",
      // The known contact, typed another way (normalised as contacts are).
      "(415) 555-0601,Ana,7,Friday",
      `${phone(10)},New Person,3,Monday`,
      "not a number,Nobody,1,Sunday",
      ",No Phone,2,Sunday",
      `${phone(2)},Bruno,4,Tuesday`,
      `${phone(3)},Carla,5,Wed`,
      `${phone(10)},Again,6,Thu`,
    ].join("\n");
    const result = await importCampaignList(db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv,
      fileName: "guests.csv",
    });
    expect(result).toMatchObject({ rows: 7, recipients: 2, created: 1, variables: ["table", "visit_day"] });
    expect(result.rejected.map((row) => [row.line, textOf(row.reason).key])).toEqual([
      [4, "contacts.phoneRefused.notANumber"],
      [5, "campaignResults.reason.phoneMissing"],
      [6, "campaignResults.reason.optedOut"],
      [7, "campaignResults.reason.blocked"],
      [8, "campaignResults.reason.duplicate"],
    ]);
    const rows = await db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, campaign.id))
      .orderBy(campaignRecipients.position);
    expect(rows.map((row) => [row.contactId === known, row.position, row.variables])).toEqual([
      [true, 1, { table: "7", visit_day: "Friday" }],
      [false, 2, { table: "3", visit_day: "Monday" }],
    ]);
    const [created] = await db.select().from(contacts).where(eq(contacts.id, rows[1]!.contactId));
    expect(created).toMatchObject({ waId: phone(10), name: "New Person", sessionId: database.sessionId });
    // Recorded as the contacts import records the contacts it makes (what the webhooks send).
    const [event] = await db.select().from(events).where(eq(events.contactId, created!.id));
    expect(event).toMatchObject({ type: "contact.created", payload: { by: "import", fileName: "guests.csv" } });
    expect(WEBHOOK_DETAILS["contact.created"].safeParse(event!.payload).success).toBe(true);
    const [stored] = await db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(stored!.segmentId).toBeNull();

    // Importing again replaces the list.
    const again = await importCampaignList(db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: `mobile\n${phone(10)}\n`,
    });
    expect(again).toMatchObject({ recipients: 1, created: 0, rejected: [] });
    expect(
      await db.select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, campaign.id)),
    ).toHaveLength(1);
  });

  it("refuses a file without a phone column, one too large, and a campaign that started, with clear errors", async () => {
    const database = await setUp();
    const campaign = await listCampaign(database, { kind: "text", body: "Hi" });
    const base = { campaignId: campaign.id, sessionId: database.sessionId };
    await expect(
      importCampaignList(database.db, database.actor, { ...base, csv: "name,city\nAna,Lisbon\n" }),
    ).rejects.toThrow("Choose the column that holds the phone number.");
    await expect(
      importCampaignList(database.db, database.actor, { ...base, csv: `phone\n${"+14155550600\n".repeat(50_001)}` }),
    ).rejects.toThrow("The file has more than 50,000 rows; split it into smaller files.");
    await expect(
      importCampaignList(database.db, database.actor, { ...base, csv: "x".repeat(10 * 1024 * 1024 + 1) }),
    ).rejects.toThrow("The file is larger than 10 MB");
    await importCampaignList(database.db, database.actor, { ...base, csv: `phone\n${phone(20)}\n` });
    await startCampaign(database.db, database.boss, database.actor, campaign.id);
    await expect(
      importCampaignList(database.db, database.actor, { ...base, csv: `phone\n${phone(21)}\n` }),
    ).rejects.toThrow("Only a draft or scheduled campaign can be changed.");
  });

  it("at the start keeps the list, skipping with the reason who opted out since or never wrote", async () => {
    const database = await setUp();
    const { db } = database;
    const ana = await writer(database, 30, "Ana Lima");
    const bruno = await writer(database, 31, "Bruno Costa");
    const campaign = await listCampaign(
      database,
      { kind: "text", body: "Hi {{contact.firstName}}, table {{var.table}}" },
      false,
    );
    await importCampaignList(db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: `phone,table\n${phone(30)},7\n${phone(31)},8\n${phone(32)},9\n`,
    });
    // Bruno opts out after the import; the third never wrote (cold, not chosen).
    await db.update(contacts).set({ optedOut: true, optedOutAt: new Date() }).where(eq(contacts.id, bruno));
    await startCampaign(db, database.boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);
    const rows = await db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, campaign.id))
      .orderBy(campaignRecipients.position);
    expect(rows.map((row) => [row.state, row.reason])).toEqual([
      ["queued", null],
      ["skipped", "opted_out"],
      ["skipped", "cold"],
    ]);
    const [sent] = await db.select().from(messages).where(eq(messages.id, rows[0]!.messageId!));
    expect(sent!.body).toBe("Hi Ana, table 7");
    expect(rows[0]!.contactId).toBe(ana);
    const [stored] = await db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(stored).toMatchObject({ status: "done", recipientCount: 3, doneCount: 3 });
  });

  it("a segment replaces the list when chosen instead; its preview offers whom the start would take", async () => {
    const database = await setUp();
    await writer(database, 41, "Eva Nunes");
    const campaign = await listCampaign(database, { kind: "text", body: "Hi" });
    await importCampaignList(database.db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: `phone\n${phone(40)}\n`,
    });
    const segment = await saveSegment(database.db, database.actor, null, { name: "All", filter: {} });
    await saveCampaign(database.db, database.actor, campaign.id, {
      name: "Now a segment",
      segmentId: segment.id,
      content: { kind: "text", body: "Hi" },
      sessionIds: [database.sessionId],
      ratePerMinute: 60,
    });
    expect(
      await database.db.select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, campaign.id)),
    ).toHaveLength(0);
    // The list's contact never wrote (cold contacts not chosen): only the one who wrote is offered.
    expect((await previewAudience(database.db, campaign.id)).map((row) => row.waId)).toEqual([phone(41)]);
    await expect(
      saveCampaign(database.db, database.actor, campaign.id, {
        name: "No audience",
        content: { kind: "text", body: "Hi" },
        sessionIds: [database.sessionId],
        ratePerMinute: 60,
      }),
    ).rejects.toThrow("Choose a segment");
  });
});

describe("campaigns: media content and the preview", () => {
  async function libraryFile(db: TDb, kind: "image" | "audio") {
    const sha256 = randomUUID().replaceAll("-", "").padEnd(64, "a");
    const mimeType = kind === "image" ? "image/jpeg" : "audio/mpeg";
    await db.insert(mediaObjects).values({ sha256, size: 2048, mimeType, category: kind });
    const [asset] = await db
      .insert(mediaAssets)
      .values({ name: `File ${sha256.slice(0, 6)}`, sha256, kind, mimeType, size: 2048, fileName: "menu.jpg" })
      .returning();
    return { assetId: asset!.id, sha256 };
  }

  it("sends a library file with its caption personalised; an engine that cannot send the kind skips, with the reason", async () => {
    const database = await setUp();
    const { db } = database;
    await simulatorSends(db, ["image"]);
    const image = await libraryFile(db, "image");
    const audio = await libraryFile(db, "audio");
    await writer(database, 50, "Ana Lima");
    const withImage = await listCampaign(database, {
      kind: "media",
      assetId: image.assetId,
      caption: "For {{contact.firstName}}",
    });
    const withAudio = await listCampaign(database, { kind: "media", assetId: audio.assetId, caption: "" });
    for (const campaign of [withImage, withAudio]) {
      await importCampaignList(db, database.actor, {
        campaignId: campaign.id,
        sessionId: database.sessionId,
        csv: `phone\n${phone(50)}\n`,
      });
      await startCampaign(db, database.boss, database.actor, campaign.id);
      await runCampaignLoop(database, campaign.id);
    }
    const [imageRow] = await db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, withImage.id));
    const [sent] = await db.select().from(messages).where(eq(messages.id, imageRow!.messageId!));
    expect(sent!.content).toMatchObject({ kind: "image", caption: "For Ana", media: { sha256: image.sha256 } });
    const [audioRow] = await db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, withAudio.id));
    expect(audioRow).toMatchObject({ state: "skipped", reason: "media_unavailable", messageId: null });
  });

  it("the preview for a real contact is exactly the message the send makes", async () => {
    const database = await setUp();
    const { db } = database;
    await simulatorSends(db, ["image"]);
    const image = await libraryFile(db, "image");
    await writer(database, 60, "Ana Lima");
    await writer(database, 61, "Bruno Costa");
    const campaign = await listCampaign(database, {
      kind: "media",
      assetId: image.assetId,
      caption: "Hi {{contact.firstName | there}}, table {{var.table}} on {{var.day | Friday}}",
    });
    await importCampaignList(db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: `name,phone,table,day\nAna,${phone(60)},7,\nBruno,${phone(61)},8,Monday\n`,
    });
    const audience = await previewAudience(db, campaign.id);
    expect(audience.map((row) => row.waId)).toEqual([phone(60), phone(61)]);
    const previews = await Promise.all(
      audience.map((row) => previewCampaignMessage(db, { campaignId: campaign.id, contactId: row.contactId })),
    );
    expect(previews.map((preview) => preview.text)).toEqual([
      "Hi Ana, table 7 on Friday",
      "Hi Bruno, table 8 on Monday",
    ]);
    // The content being edited previews too, before it is saved.
    const edited = await previewCampaignMessage(db, {
      campaignId: campaign.id,
      contactId: audience[0]!.contactId,
      content: { kind: "text", body: "Table {{var.table}}" },
    });
    expect(edited).toMatchObject({ text: "Table 7", skip: null });
    await startCampaign(db, database.boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);
    const { rows } = await db.execute<{ contact_id: string; content: unknown }>(sql`
      select r.contact_id, m.content from ${campaignRecipients} r join ${messages} m on m.id = r.message_id
      where r.campaign_id = ${campaign.id} order by r.position`);
    expect(rows.map((row) => row.content)).toEqual(previews.map((preview) => preview.message));
  });
});

describe("campaigns: the template picker", () => {
  it("offers a number's approved templates only, and previews a template for a contact as it is sent", async () => {
    const database = await setUp();
    const { db } = database;
    await simulatorSends(db, [], true);
    await db.insert(waTemplates).values([
      {
        sessionId: database.sessionId,
        name: "table_ready",
        language: "en_US",
        status: "APPROVED",
        components: [
          { type: "HEADER", format: "TEXT", text: "Table {{1}}" },
          { type: "BODY", text: "Hi {{1}}, your table {{2}} is ready." },
        ] as never,
      },
      {
        sessionId: database.sessionId,
        name: "not_yet",
        language: "en_US",
        status: "PENDING",
        components: [{ type: "BODY", text: "Soon" }] as never,
      },
    ]);
    const admin = await insertUser(db, "admin");
    const caller = createCaller(testContext({ db, user: admin, boss: database.boss }));
    const templates = await caller.campaigns.templates({ sessionId: database.sessionId });
    expect(
      templates.map((template) => [template.name, template.shape.header?.variables, template.shape.body.variables]),
    ).toEqual([["table_ready", 1, 2]]);
    await writer(database, 80, "Ana Lima");
    const campaign = await listCampaign(database, {
      kind: "template",
      name: "table_ready",
      language: "en_US",
      values: { header: ["{{var.table}}"], body: ["{{contact.firstName}}", "{{var.table}}"], buttons: {} },
    });
    await caller.campaigns.importList({
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: `phone,table\n${phone(80)},12\n`,
    });
    const [first] = await caller.campaigns.previewAudience({ id: campaign.id });
    const preview = await caller.campaigns.preview({ campaignId: campaign.id, contactId: first!.contactId });
    expect(preview.message).toMatchObject({ kind: "template", name: "table_ready" });
    expect(preview.text).toContain("Hi Ana, your table 12 is ready.");
    await startCampaign(db, database.boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);
    const [row] = await db.select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, campaign.id));
    const [sent] = await db.select().from(messages).where(eq(messages.id, row!.messageId!));
    expect(sent!.content).toEqual(preview.message);
  });
});

describe("campaigns: results", () => {
  it("lists recipients page by page (keyset), filters by status, and exports every one as injection-safe CSV", async () => {
    const database = await setUp();
    const { db } = database;
    const ids: string[] = [];
    for (let n = 70; n < 75; n++)
      ids.push(await writer(database, n, n === 70 ? '=HYPERLINK("http://x")' : `Person ${n}`));
    const campaign = await listCampaign(database, { kind: "text", body: "Hi {{var.note}}" });
    await importCampaignList(db, database.actor, {
      campaignId: campaign.id,
      sessionId: database.sessionId,
      csv: ["phone,note", ...[70, 71, 72, 73, 74].map((n) => `${phone(n)},${n === 72 ? "" : "x"}`)].join("\n"),
    });
    await db.update(contacts).set({ optedOut: true, optedOutAt: new Date() }).where(eq(contacts.id, ids[4]!));
    await startCampaign(db, database.boss, database.actor, campaign.id);
    await runCampaignLoop(database, campaign.id);
    // Message 2 is delivered, message 1 failed; contact 2 replied.
    const recipients = await db
      .select()
      .from(campaignRecipients)
      .where(eq(campaignRecipients.campaignId, campaign.id))
      .orderBy(campaignRecipients.position);
    await db.update(messages).set({ status: "failed" }).where(eq(messages.id, recipients[0]!.messageId!));
    await db.update(messages).set({ status: "delivered" }).where(eq(messages.id, recipients[1]!.messageId!));
    await ingestInbound(db, database.boss, {
      sessionId: database.sessionId,
      waMessageId: `in-${randomUUID()}`,
      from: phone(71),
      pushName: "Person 71",
      type: "text",
      body: "thanks",
    });

    const first = await listCampaignRecipients(db, { campaignId: campaign.id, limit: 2 });
    expect(first.recipients.map((row) => row.position)).toEqual([1, 2]);
    expect(first.nextCursor).toBe(2);
    const second = await listCampaignRecipients(db, { campaignId: campaign.id, limit: 2, cursor: first.nextCursor });
    expect(second.recipients.map((row) => row.position)).toEqual([3, 4]);
    const last = await listCampaignRecipients(db, { campaignId: campaign.id, limit: 2, cursor: second.nextCursor });
    expect(last).toMatchObject({
      recipients: [{ position: 5, state: "skipped", reason: "opted_out" }],
      nextCursor: null,
    });
    const positions = async (status: "failed" | "delivered" | "replied" | "skipped") =>
      (await listCampaignRecipients(db, { campaignId: campaign.id, status })).recipients.map((row) => row.position);
    expect(await positions("failed")).toEqual([1]);
    expect(await positions("delivered")).toEqual([2]);
    expect(await positions("replied")).toEqual([2]);
    expect(await positions("skipped")).toEqual([5]);
    await expect(listCampaignRecipients(db, { campaignId: campaign.id, cursor: -1 })).rejects.toThrow();

    let csv = "";
    for await (const chunk of exportCampaignRecipientsCsv(db, campaign.id)) csv += chunk;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("position,name,phone,number,state,message_status,replied,skipped_reason,opted_out,queued_at");
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^1,"'=HYPERLINK\(""http:\/\/x""\)",\+14155550670,[^,]*,queued,failed,no,,no,/);
    expect(lines[2]).toMatch(/^2,Person 71,\+14155550671,[^,]*,queued,delivered,yes,,no,/);
    expect(lines[5]).toMatch(/^5,Person 74,\+14155550674,[^,]*,skipped,,no,opted_out,no,/);
  });
});
