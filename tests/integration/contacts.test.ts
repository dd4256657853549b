import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { contacts, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { exportContactsCsv } from "~/server/contacts/export";
import { updateOrgSettings } from "~/server/settings/settings";
import { insertUser } from "../support/database";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

describe("contacts", () => {
  it("stores numbers as E.164 in the default country, and refuses a bad or taken one with the reason", async () => {
    const database = await usePreparedDatabase();
    await updateOrgSettings(database.db, null, { defaultCountry: "BR" });
    const caller = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "agent") }));
    const ana = await caller.contacts.save({
      id: null,
      contact: { phone: "(11) 98765-4321", name: "Ana", tags: ["vip", "vip"] },
    });
    expect(ana).toMatchObject({ waId: "+5511987654321", tags: ["vip"] });
    const bad = await caller.contacts.save({ id: null, contact: { phone: "12" } }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(TRPCError);
    expect((bad as TRPCError).message).toMatch(/^The number “12” /);
    const taken = await caller.contacts
      .save({ id: null, contact: { phone: "+55 11 98765 4321" } })
      .catch((error: unknown) => error);
    expect((taken as TRPCError).code).toBe("CONFLICT");
    expect(await database.db.$count(contacts)).toBe(1);
  });

  it("pages by keyset without gaps or repeats, in every sort, with filters", async () => {
    const database = await usePreparedDatabase();
    const caller = createCaller(testContext({ db: database.db, user: await insertUser(database.db, "manager") }));
    const [session] = await database.db.select({ id: waSessions.id }).from(waSessions).limit(1);
    const base = Date.parse("2026-11-01T00:00:00Z");
    await database.db.insert(contacts).values(
      Array.from({ length: 57 }, (_, index) => ({
        sessionId: session!.id,
        waId: `+1555200${String(index).padStart(4, "0")}`,
        name: index % 5 === 0 ? null : `Person ${String(index % 13).padStart(2, "0")}`,
        relationship: index % 3 === 0 ? ("client" as const) : ("other" as const),
        tags: index % 4 === 0 ? ["lead"] : [],
        // Some never heard from; some share a time, so the id breaks the tie.
        lastInteractionAt: index % 7 === 0 ? null : new Date(base + (index % 10) * 60_000),
        firstSeenAt: new Date(base + (index % 9) * 1000),
      })),
    );
    for (const sort of ["recent", "name", "newest"] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await caller.contacts.list({ sort, limit: 10, cursor });
        seen.push(...page.contacts.map((contact) => contact.id));
        cursor = page.next ?? undefined;
      } while (cursor);
      expect([sort, seen.length]).toEqual([sort, 57]);
      expect(new Set(seen).size).toBe(57);
    }
    const leads = await caller.contacts.list({ tag: "lead", relationship: "client", limit: 200 });
    expect(leads.contacts.every((contact) => contact.tags.includes("lead") && contact.relationship === "client")).toBe(
      true,
    );
    expect(leads.contacts).toHaveLength(5);
    const search = await caller.contacts.list({ search: "Person 03", limit: 200 });
    expect(search.contacts.length).toBeGreaterThan(0);
    expect(search.contacts.every((contact) => contact.name === "Person 03")).toBe(true);
    const recent = await caller.contacts.list({ sort: "recent", limit: 200 });
    expect(recent.contacts.at(-1)?.lastInteractionAt).toBeNull();

    // The export holds exactly what the list shows with the same filters, every page of it.
    let csv = "";
    for await (const chunk of exportContactsCsv(database.db, { tag: "lead" })) csv += chunk;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("phone,name,relationship,priority,tags,opted_out,first_seen_at,last_interaction_at");
    expect(lines).toHaveLength(1 + 15);
    expect(lines.slice(1).every((line) => line.includes(",lead,"))).toBe(true);
  });
});
