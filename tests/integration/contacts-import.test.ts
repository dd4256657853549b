import { TRPCError } from "@trpc/server";
import { and, eq, like, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, contacts, contextProfiles, events } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

const RELATIONSHIPS = ["family", "friend", "client", "colleague", "other"];
const BAD_KINDS = ["missing", "invalid", "relationship", "priority", "profile", "boolean", "duplicate"] as const;
const number = (index: number) => `+1415555${String(index).padStart(4, "0")}`;

/**
 * A contacts file of `size` rows: 3 in every 100 bad (each kind of bad in turn), a quoted note
 * across two lines (with a comma) every 50 rows, so lines and row positions part ways; rows
 * ending in 03 leave name, relationship and notes empty. Returns the file and the rejections
 * it must produce, by line.
 */
function generateFile(size: number) {
  const lines = ["phone,name,relationship,priority,tags,notes,profile,opted out"];
  const expected: { line: number; reason: RegExp }[] = [];
  const lineOf: number[] = [];
  let line = 2;
  for (let index = 0; index < size; index += 1) {
    lineOf[index] = line;
    const note = index % 50 === 10 ? `"first line of ${index}\nsecond line, with a comma"` : `note ${index}`;
    const row = {
      phone: number(index),
      name: `Person ${index}`,
      relationship: RELATIONSHIPS[index % 5]!,
      priority: String(index % 10),
      tags: `t${index % 5};bulk`,
      notes: note,
      profile: index % 10 === 0 ? "vip" : "",
      optedOut: index % 97 === 0 ? "yes" : "no",
    };
    if (index % 100 === 3) Object.assign(row, { name: "", relationship: "", notes: "" });
    if ([7, 23, 41].includes(index % 100)) {
      const kind = BAD_KINDS[(Math.floor(index / 100) + [7, 23, 41].indexOf(index % 100)) % BAD_KINDS.length]!;
      const reasons: Record<typeof kind, RegExp> = {
        missing: /^The number is missing\.$/,
        invalid: /^The number “12345” /,
        relationship: /^Relationship “cousin” is not one of/,
        priority: /^Priority “high” is not a whole number/,
        profile: /^There is no profile named “Nobody”\.$/,
        boolean: /^Opted out “maybe” is not yes or no/,
        duplicate: new RegExp(`^Same number as line ${lineOf[index - 1]}\\.$`),
      };
      if (kind === "missing") row.phone = "";
      if (kind === "invalid") row.phone = "12345";
      if (kind === "relationship") row.relationship = "cousin";
      if (kind === "priority") row.priority = "high";
      if (kind === "profile") row.profile = "Nobody";
      if (kind === "boolean") row.optedOut = "maybe";
      if (kind === "duplicate") row.phone = number(index - 1);
      expected.push({ line, reason: reasons[kind] });
    }
    const text = Object.values(row).join(",");
    lines.push(text);
    line += 1 + (text.match(/\n/g)?.length ?? 0);
  }
  return { csv: `${lines.join("\r\n")}\r\n`, expected };
}

async function setUp() {
  const database = await usePreparedDatabase();
  await updateOrgSettings(database.db, null, { defaultCountry: "US" });
  const agent = await insertUser(database.db, "agent");
  return { ...database, caller: createCaller(testContext({ db: database.db, user: agent })) };
}

const importEvents = (database: Awaited<ReturnType<typeof setUp>>) =>
  database.db
    .select({ type: events.type, count: sql<number>`count(*)::int` })
    .from(events)
    .where(like(events.type, "contact.%"))
    .groupBy(events.type)
    .orderBy(events.type);

describe("contacts import", () => {
  it("imports the good rows of 10,000 (3% bad), reports each bad one by line, and updates on re-import", async () => {
    const database = await setUp();
    const { caller, db, sessionId } = database;
    await db.insert(contextProfiles).values({ name: "VIP" });
    const [existing] = await db
      .insert(contacts)
      .values({
        sessionId,
        waId: number(3),
        name: "Existing",
        relationship: "friend",
        priority: 9,
        tags: ["old", "t3"],
        notes: "keep me",
      })
      .returning();
    const { csv, expected } = generateFile(10_000);
    expect(expected).toHaveLength(300);
    const fileName = "contacts.csv";

    const started = Date.now();
    const preview = await caller.contacts.importPreview({ csv, fileName });
    expect(preview).toMatchObject({
      headers: ["phone", "name", "relationship", "priority", "tags", "notes", "profile", "opted out"],
      mapping: { phone: "phone", "opted out": "optedOut", profile: "profile", tags: "tags" },
      mappingError: null,
      rows: 10_000,
      valid: 9_700,
      toCreate: 9_699,
      toUpdate: 1,
    });
    expect(preview.sample).toHaveLength(20);
    expect(preview.sample[3]).toMatchObject({ line: 5, phone: number(3), name: null, tags: ["t3", "bulk"] });
    expect(preview.sample[7]?.reason).toMatch(expected[0]!.reason);
    expect(preview.rejected.map((row) => row.line)).toEqual(expected.map((row) => row.line));
    expect(await db.$count(contacts)).toBe(1);

    const result = await caller.contacts.import({ csv, fileName });
    const firstImportMs = Date.now() - started;
    expect([result.created, result.updated, result.rejected.length]).toEqual([9_699, 1, 300]);
    expect(result.rejected.map((row) => row.line)).toEqual(expected.map((row) => row.line));
    result.rejected.forEach((row, index) => expect(row.reason, `line ${row.line}`).toMatch(expected[index]!.reason));
    // Each quoted two-line note before it moves a row one line down: row 9,941 is on line 9,943 + 199.
    expect(expected.at(-1)!.line).toBe(9_941 + 2 + 199);
    expect(result.rejectedCsv.trimEnd().split("\r\n")).toHaveLength(1 + 300);
    expect(await db.$count(contacts)).toBe(9_700);
    expect(await importEvents(database)).toEqual([
      { type: "contact.created", count: 9_699 },
      { type: "contact.updated", count: 1 },
    ]);

    // The known contact: tags merged, empty cells kept what was there, filled cells changed.
    const [merged] = await db.select().from(contacts).where(eq(contacts.id, existing!.id));
    expect(merged).toMatchObject({
      name: "Existing",
      relationship: "friend",
      notes: "keep me",
      priority: 3,
      tags: ["old", "t3", "bulk"],
      optedOut: false,
    });
    const [vip] = await db
      .select()
      .from(contacts)
      .where(eq(contacts.waId, number(10)));
    expect(vip).toMatchObject({ name: "Person 10", notes: "first line of 10\nsecond line, with a comma" });
    expect(vip!.profileId).not.toBeNull();
    const [optedOut] = await db
      .select()
      .from(contacts)
      .where(eq(contacts.waId, number(97)));
    expect(optedOut!.optedOut).toBe(true);

    // Again: nothing new, every good row updates its contact, nothing doubles.
    const again = await caller.contacts.import({ csv, fileName });
    expect([again.created, again.updated, again.rejected.length]).toEqual([0, 9_700, 300]);
    expect(await db.$count(contacts)).toBe(9_700);
    const [{ distinct } = { distinct: 0 }] = await db
      .select({ distinct: sql<number>`count(distinct ${contacts.waId})::int` })
      .from(contacts);
    expect(distinct).toBe(9_700);
    const [remerged] = await db.select().from(contacts).where(eq(contacts.id, existing!.id));
    expect(remerged!.tags).toEqual(["old", "t3", "bulk"]);
    expect(await importEvents(database)).toEqual([
      { type: "contact.created", count: 9_699 },
      { type: "contact.updated", count: 1 + 9_700 },
    ]);
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, "contact"), eq(auditLog.action, "import")))
      .orderBy(auditLog.at);
    expect(audits.map((entry) => entry.after)).toEqual([
      expect.objectContaining({ fileName, rows: 10_000, created: 9_699, updated: 1, rejected: 300 }),
      expect.objectContaining({ fileName, rows: 10_000, created: 0, updated: 9_700, rejected: 300 }),
    ]);
    // Keeps the suite quick; the whole flow (preview, two imports) is a few seconds.
    expect(firstImportMs).toBeLessThan(20_000);
  });

  it("writes nothing when the transaction fails part way", async () => {
    const database = await setUp();
    const { db, caller } = database;
    const { csv } = generateFile(6_000);
    // The last number in key order fails, after the first chunks are written.
    await db.execute(
      sql.raw(`
        create function fail_import() returns trigger language plpgsql as $$
        begin
          if new.wa_id = '${number(5_999)}' then
            raise exception 'simulated failure with % contacts written', (select count(*) from contacts);
          end if;
          return new;
        end $$;
        create trigger fail_import before insert on contacts for each row execute function fail_import();`),
    );
    const failed = await caller.contacts.import({ csv, fileName: "half.csv" }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TRPCError);
    const messages: string[] = [];
    for (let cause: unknown = failed; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
    // It failed late: the transaction had written the earlier chunks, and they are gone.
    const written = /simulated failure with (\d+) contacts written/.exec(messages.at(-1) ?? "");
    expect(Number(written?.[1])).toBeGreaterThanOrEqual(5_000);
    expect(await db.$count(contacts)).toBe(0);
    expect(await importEvents(database)).toEqual([]);
    expect(await db.$count(auditLog, eq(auditLog.action, "import"))).toBe(0);
  });

  it("refuses a file without a phone column, and lets a mapping choose one", async () => {
    const { caller, db } = await setUp();
    const csv = "Who,Cell,Groups\nAna,415 555 0100,a|b\n";
    const preview = await caller.contacts.importPreview({ csv, mapping: { Who: "name", Groups: "tags" } });
    expect(preview.mappingError).toBe("Choose the column that holds the phone number.");
    const refused = await caller.contacts
      .import({ csv, mapping: { Who: "name", Groups: "tags" } })
      .catch((error: unknown) => error);
    expect((refused as TRPCError).code).toBe("BAD_REQUEST");
    const result = await caller.contacts.import({ csv, mapping: { Who: "name", Cell: "phone", Groups: "tags" } });
    expect(result).toMatchObject({ created: 1, updated: 0, rejected: [] });
    const [ana] = await db.select().from(contacts);
    expect(ana).toMatchObject({ waId: "+14155550100", name: "Ana", tags: ["a", "b"] });
  });

  it("rejects a row that would take a known contact past 50 tags, and imports the rest", async () => {
    const { caller, db } = await setUp();
    const many = Array.from({ length: 49 }, (_, index) => `t${index}`);
    const setup = `phone,tags\n+14155550100,${many.slice(0, 48).join(";")}\n+14155550102,${many.join(";")}\n`;
    await caller.contacts.import({ csv: setup });
    // Line 2 would give the first 51 tags; line 3 is a new contact; line 4 brings the third to
    // exactly 50 (t0 it has already).
    const csv = "phone,tags\n+14155550100,x;y;z\n+14155550101,a;b\n+14155550102,t0;last\n";
    const preview = await caller.contacts.importPreview({ csv });
    expect(preview.rejected).toEqual([
      {
        line: 2,
        phone: "+14155550100",
        reason: "+14155550100 already has 48 tags; with this row's it would have 51, at most 50.",
      },
    ]);
    expect(preview.sample[0]?.reason).toContain("at most 50");
    const result = await caller.contacts.import({ csv });
    expect(result).toMatchObject({ created: 1, updated: 1, rejected: [{ line: 2 }] });
    const [untouched] = await db.select().from(contacts).where(eq(contacts.waId, "+14155550100"));
    expect(untouched?.tags).toEqual(many.slice(0, 48));
    const [full] = await db.select().from(contacts).where(eq(contacts.waId, "+14155550102"));
    expect(full?.tags).toEqual([...many, "last"]);
  });
});
