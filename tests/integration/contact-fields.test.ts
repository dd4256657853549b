import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contacts, events, orgSecrets } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { upsertContactByPhone } from "~/server/contacts/contacts";
import { exportContactsCsv } from "~/server/contacts/export";
import { setContactFieldValues } from "~/server/contacts/fields";
import { encryptSecret } from "~/server/lib/secrets";
import { loadSecrets } from "~/server/settings/secrets";
import { insertUser } from "../support/database";
import { inbound, publishRules, startPipeline, usePreparedDatabase, waitForReplies } from "../support/pipeline";
import { TEST_APP_SECRET, testContext } from "../support/trpc-context";

async function setup() {
  const database = await usePreparedDatabase();
  const admin = await insertUser(database.db, "admin");
  const agent = await insertUser(database.db, "agent");
  return {
    ...database,
    admin: createCaller(testContext({ db: database.db, user: admin })),
    agent: createCaller(testContext({ db: database.db, user: agent })),
  };
}

async function collect(generator: AsyncGenerator<string>) {
  let text = "";
  for await (const chunk of generator) text += chunk;
  return text;
}

describe("contact field definitions", () => {
  it("creates, lists in order, renames, reorders and audits; the key and type never change", async () => {
    const { admin, agent, db } = await setup();
    const plan = await admin.contactFields.create({
      key: "plan",
      label: "Plan",
      type: "choice",
      options: ["Gold", "Silver"],
    });
    const renewal = await admin.contactFields.create({ key: "renewal", label: "Renewal", type: "date" });
    expect((await agent.contactFields.list()).map((field) => field.key)).toEqual(["plan", "renewal"]);

    await admin.contactFields.update({ id: plan.id, label: "Plan tier", options: ["Gold", "Platinum"] });
    await admin.contactFields.reorder({ ids: [renewal.id, plan.id] });
    expect(await agent.contactFields.list()).toMatchObject([
      { key: "renewal", type: "date" },
      { key: "plan", label: "Plan tier", type: "choice", options: ["Gold", "Platinum"] },
    ]);
    await expect(admin.contactFields.reorder({ ids: [plan.id] })).rejects.toMatchObject({ code: "CONFLICT" });

    await expect(admin.contactFields.create({ key: "plan", label: "Again", type: "text" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(admin.contactFields.create({ key: "Bad Key", label: "x", type: "text" })).rejects.toBeInstanceOf(
      TRPCError,
    );
    await expect(admin.contactFields.create({ key: "tier", label: "Tier", type: "choice" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    // Agents read the definitions (the contact page needs them) but cannot change them.
    await expect(agent.contactFields.create({ key: "x", label: "X", type: "text" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const audited = await db.select().from(auditLog).where(eq(auditLog.entity, "contact_field"));
    expect(audited.map((entry) => entry.action).sort()).toEqual(["create", "create", "reorder", "update"]);
  });

  it("changing a choice's options keeps stored values; deleting a field removes its values from every contact", async () => {
    const { admin, agent, db, sessionId } = await setup();
    const plan = await admin.contactFields.create({ key: "plan", label: "Plan", type: "choice", options: ["Gold"] });
    await admin.contactFields.create({ key: "seats", label: "Seats", type: "number" });
    const rows = await db
      .insert(contacts)
      .values([
        { sessionId, waId: "+15550100001" },
        { sessionId, waId: "+15550100002" },
        { sessionId, waId: "+15550100003" },
      ])
      .returning({ id: contacts.id });
    for (const row of rows.slice(0, 2))
      await agent.contacts.setFields({ id: row.id, values: { plan: "gold", seats: "12,5" } });
    await admin.contactFields.update({ id: plan.id, label: "Plan", options: ["Silver"] });
    const [kept] = await db.select({ fields: contacts.fields }).from(contacts).where(eq(contacts.id, rows[0]!.id));
    expect(kept?.fields).toEqual({ plan: "Gold", seats: 12.5 });

    await admin.contactFields.delete({ id: plan.id });
    const after = await db.select({ fields: contacts.fields }).from(contacts).orderBy(contacts.waId);
    expect(after.map((row) => row.fields)).toEqual([{ seats: 12.5 }, { seats: 12.5 }, {}]);
  });

  it("sets values through coercion, reports each bad one by key, records contact.updated, and filters the list", async () => {
    const { admin, agent, db, sessionId } = await setup();
    await admin.contactFields.create({ key: "seats", label: "Seats", type: "number" });
    await admin.contactFields.create({ key: "renewal", label: "Renewal", type: "date" });
    await admin.contactFields.create({ key: "vip", label: "VIP", type: "boolean" });
    const [one, two] = await db
      .insert(contacts)
      .values([
        { sessionId, waId: "+15550100011" },
        { sessionId, waId: "+15550100012" },
      ])
      .returning({ id: contacts.id });
    await agent.contacts.setFields({ id: one!.id, values: { seats: "3", renewal: "01/02/2026", vip: "sim" } });
    await agent.contacts.setFields({ id: two!.id, values: { seats: 30, renewal: "2026-06-01", vip: false } });
    const error = await agent.contacts
      .setFields({ id: one!.id, values: { seats: "many", vip: "maybe", nope: "x" } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as { cause?: { fieldErrors?: object } }).cause?.fieldErrors).toEqual({
      seats: "Enter a number, such as 12.5.",
      vip: "Enter yes or no.",
      nope: "There is no contact field with this key.",
    });
    // Nothing of the refused change was written; clearing one value keeps the others.
    await agent.contacts.setFields({ id: one!.id, values: { vip: null } });
    const [stored] = await db.select({ fields: contacts.fields }).from(contacts).where(eq(contacts.id, one!.id));
    expect(stored?.fields).toEqual({ seats: 3, renewal: "2026-02-01" });
    expect(await db.$count(events, and(eq(events.contactId, one!.id), eq(events.type, "contact.updated")))).toBe(2);

    const ids = async (field: { key: string; op?: "eq" | "before" | "after"; value: string }) =>
      (await agent.contacts.list({ field })).contacts.map((contact) => contact.waId);
    expect(await ids({ key: "seats", value: "3" })).toEqual(["+15550100011"]);
    expect(await ids({ key: "seats", op: "after", value: "10" })).toEqual(["+15550100012"]);
    expect(await ids({ key: "renewal", op: "before", value: "2026-03-01" })).toEqual(["+15550100011"]);
    expect(await ids({ key: "vip", value: "no" })).toEqual(["+15550100012"]);
    expect(await ids({ key: "vip", value: "" })).toEqual(["+15550100011"]);
    await expect(ids({ key: "nothing", value: "1" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await agent.contacts.list({})).contacts.find((contact) => contact.id === one!.id)?.fields).toEqual({
      seats: 3,
      renewal: "2026-02-01",
    });
  });

  it("exports one column per field and imports them back, rejecting bad values per row", async () => {
    const { admin, db, sessionId } = await setup();
    await admin.contactFields.create({ key: "plan", label: "Plan", type: "choice", options: ["Gold", "Silver"] });
    await admin.contactFields.create({ key: "seats", label: "Seats", type: "number" });
    const [row] = await db.insert(contacts).values({ sessionId, waId: "+15550100021", name: "Ana" }).returning();
    await db.transaction((tx) => setContactFieldValues(tx, row!.id, { plan: "Gold", seats: 12.5 }, null));

    const csv = await collect(exportContactsCsv(db, {}));
    const [header, line] = csv.trim().split("\r\n");
    expect(header).toBe(
      "phone,name,relationship,priority,tags,opted_out,first_seen_at,last_interaction_at,field.plan,field.seats",
    );
    expect(line).toMatch(/^\+15550100021,Ana,.*,Gold,12.5$/);

    // The export read back (field values changed), plus new rows: one good, one with a bad value.
    const edited = [
      header,
      line!.replace("Gold,12.5", "Silver,"),
      '+14155550122,Bea,other,0,,false,,,silver,"1.234,5"',
      "+14155550123,Cy,other,0,,false,,,Bronze,lots",
    ].join("\r\n");
    const preview = await admin.contacts.importPreview({ csv: edited });
    expect(preview.mapping).toMatchObject({ "field.plan": "field.plan", "field.seats": "field.seats" });
    const result = await admin.contacts.import({ csv: edited });
    expect(result).toMatchObject({ created: 1, updated: 1 });
    expect(result.rejected).toEqual([
      {
        line: 4,
        phone: "+14155550123",
        reason: "Plan “Bronze”: Pick one of the options of the field. Seats “lots”: Enter a number, such as 12.5.",
      },
    ]);
    const stored = await db
      .select({ waId: contacts.waId, fields: contacts.fields })
      .from(contacts)
      .orderBy(contacts.waId);
    // An empty cell never erases (seats stays 12.5); a choice is stored as the option is spelt.
    expect(stored).toEqual([
      { waId: "+14155550122", fields: { plan: "Silver", seats: 1234.5 } },
      { waId: "+15550100021", fields: { plan: "Silver", seats: 12.5 } },
    ]);
  });

  it("[API upsert] sets field values with the contact; a bad value writes nothing", async () => {
    const { admin, db } = await setup();
    await admin.contactFields.create({ key: "seats", label: "Seats", type: "number" });
    const created = await upsertContactByPhone(db, null, {
      phone: "+14155550141",
      name: "Api",
      fields: { seats: "4" },
    });
    expect(created).toMatchObject({ created: true, contact: { fields: { seats: 4 } } });
    await expect(
      upsertContactByPhone(db, null, { phone: "+14155550142", name: "Nope", fields: { seats: "four" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", fieldErrors: { "fields.seats": "Enter a number, such as 12.5." } });
    expect(await db.$count(contacts, eq(contacts.waId, "+14155550142"))).toBe(0);
    const updated = await upsertContactByPhone(db, null, { phone: "+14155550141", fields: { seats: null } });
    expect(updated).toMatchObject({ created: false, contact: { name: "Api", fields: {} } });
  });

  it("a rule on field.<key> decides through the real pipeline", async () => {
    const pipeline = await startPipeline();
    const admin = createCaller(testContext({ db: pipeline.db, user: await insertUser(pipeline.db, "admin") }));
    await admin.contactFields.create({ key: "plan", label: "Plan", type: "choice", options: ["Gold", "Silver"] });
    await publishRules(pipeline.db, [
      {
        name: "Gold line",
        conditions: { all: [{ fact: "field.plan", operator: "equal", value: "Gold" }] },
        actions: [{ type: "reply", text: "Welcome to the Gold line." }],
      },
    ]);
    const [gold, silver] = await pipeline.db
      .insert(contacts)
      .values([
        { sessionId: pipeline.sessionId, waId: "+15550100031" },
        { sessionId: pipeline.sessionId, waId: "+15550100032" },
      ])
      .returning({ id: contacts.id });
    await pipeline.db.transaction((tx) => setContactFieldValues(tx, gold!.id, { plan: "Gold" }, null));
    await pipeline.db.transaction((tx) => setContactFieldValues(tx, silver!.id, { plan: "Silver" }, null));
    await inbound(pipeline, "+15550100031", "hello");
    await inbound(pipeline, "+15550100032", "hello");
    const [toGold] = await waitForReplies(pipeline.db, "+15550100031", 1);
    const [toSilver] = await waitForReplies(pipeline.db, "+15550100032", 1);
    expect(toGold?.body).toBe("Welcome to the Gold line.");
    expect(toSilver?.body).not.toBe("Welcome to the Gold line.");
  });

  it("a rule may test field.<key> but not an unknown fact", async () => {
    const { admin } = await setup();
    await expect(
      admin.rules.create({
        name: "Field",
        conditions: { all: [{ fact: "field.plan", operator: "equal", value: "Gold" }] },
        actions: [{ type: "reply", text: "ok" }],
      }),
    ).resolves.toMatchObject({ name: "Field" });
    await expect(
      admin.rules.create({
        name: "Nope",
        conditions: { all: [{ fact: "fields.plan", operator: "equal", value: "Gold" }] },
        actions: [{ type: "reply", text: "ok" }],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("org secrets", () => {
  const VALUE = "sk_live_very-secret-token-123";

  it("are encrypted at rest, listed without their value, audited without it, and loadSecrets round-trips", async () => {
    const { admin, agent, db } = await setup();
    const saved = await admin.settings.setSecret({ name: "ORDERS_TOKEN", value: VALUE });
    expect(saved).toMatchObject({ name: "ORDERS_TOKEN" });
    expect(JSON.stringify(saved)).not.toContain(VALUE);
    await admin.settings.setSecret({ name: "ORDERS_TOKEN", value: `${VALUE}-2` });
    await admin.settings.setSecret({ name: "OTHER", value: "x" });

    const [row] = await db.select().from(orgSecrets).where(eq(orgSecrets.name, "ORDERS_TOKEN"));
    expect(row!.value.includes(Buffer.from(VALUE))).toBe(false);
    expect(row!.value.toString("latin1")).not.toContain("very-secret");

    const listed = await admin.settings.secrets();
    expect(listed.map((secret) => secret.name)).toEqual(["ORDERS_TOKEN", "OTHER"]);
    expect(JSON.stringify(listed)).not.toContain("very-secret");
    const audit = await db.select().from(auditLog).where(eq(auditLog.entity, "org_secret"));
    expect(audit.map((entry) => entry.action)).toEqual(["create", "update", "create"]);
    expect(JSON.stringify(audit)).not.toContain("very-secret");

    const loaded = await loadSecrets(db, ["ORDERS_TOKEN", "MISSING", "other"], TEST_APP_SECRET);
    expect([...loaded]).toEqual([["ORDERS_TOKEN", `${VALUE}-2`]]);

    await expect(agent.settings.setSecret({ name: "X", value: "y" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.settings.setSecret({ name: "lower", value: "y" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(admin.settings.setSecret({ name: "BIG", value: "x".repeat(8_193) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await admin.settings.deleteSecret({ name: "OTHER" });
    await expect(admin.settings.deleteSecret({ name: "OTHER" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await admin.settings.secrets()).map((secret) => secret.name)).toEqual(["ORDERS_TOKEN"]);
  });

  it("leaves out a value that does not decrypt, and logs its name at warn, never the value", async () => {
    const { db } = await setup();
    await db.insert(orgSecrets).values([
      { name: "FOREIGN", value: encryptSecret("from-another-install", "o".repeat(32), "org-secrets") },
      { name: "GOOD", value: encryptSecret("fine", TEST_APP_SECRET, "org-secrets") },
    ]);
    const warnings: unknown[][] = [];
    const log = { warn: (...args: unknown[]) => void warnings.push(args) } as unknown as Parameters<
      typeof loadSecrets
    >[3];
    const loaded = await loadSecrets(db, ["FOREIGN", "GOOD"], TEST_APP_SECRET, log);
    expect([...loaded]).toEqual([["GOOD", "fine"]]);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).toContain("FOREIGN");
    expect(JSON.stringify(warnings)).not.toContain("from-another-install");
    expect(await db.$count(orgSecrets, sql`true`)).toBe(2);
  });
});
