import { beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { recordAudit } from "~/server/audit/audit";
import type { TSessionUser } from "~/server/auth/roles";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

describe("audit log", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;
  let agent: TSessionUser;

  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin", { email: "admin@audit.test" });
    agent = await insertUser(database.db, "agent", { email: "agent@audit.test" });
    // One transaction: every row gets the same now(), so paging must tell them apart by id.
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 7; i += 1) {
        await recordAudit(tx, admin, {
          action: "update",
          entity: "rule",
          entityId: `rule-${i}`,
          before: { n: i },
          after: { n: i + 1 },
        });
      }
    });
    await recordAudit(database.db, agent, {
      action: "update",
      entity: "contact",
      entityId: "contact-1",
      after: { tags: ["vip"] },
    });
    await recordAudit(database.db, admin, {
      action: "create",
      entity: "webhook",
      entityId: "hook-1",
      after: { url: "https://x.test", secret: "s3cr3t", nested: { password: "p" } },
    });
  });

  it("lists newest first and pages with a cursor without gaps or repeats", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    const first = await caller.audit.list({ limit: 4 });
    const second = await caller.audit.list({ limit: 4, cursor: first.nextCursor! });
    const third = await caller.audit.list({ limit: 4, cursor: second.nextCursor! });
    const ids = [...first.items, ...second.items, ...third.items].map((item) => item.id);
    expect(new Set(ids).size).toBe(9);
    expect(third.nextCursor).toBeNull();
    expect(first.items[0]?.entity).toBe("webhook");
  });

  it("filters by entity, action, search and date", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    expect((await caller.audit.list({ entity: "rule" })).items).toHaveLength(7);
    expect((await caller.audit.list({ action: "create" })).items.map((item) => item.entityId)).toEqual(["hook-1"]);
    expect((await caller.audit.list({ search: "agent@audit" })).items.map((item) => item.entityId)).toEqual([
      "contact-1",
    ]);
    // Search reaches into the snapshots too: a webhook found by its URL.
    expect((await caller.audit.list({ search: "https://x.test" })).items.map((item) => item.entityId)).toEqual([
      "hook-1",
    ]);
    expect((await caller.audit.list({ from: new Date(Date.now() + 60_000) })).items).toHaveLength(0);
  });

  it("never stores secrets", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    const [hook] = (await caller.audit.list({ entity: "webhook" })).items;
    expect(hook?.after).toEqual({ url: "https://x.test", secret: "[redacted]", nested: { password: "[redacted]" } });
  });

  it("[agent] sees only their own changes; [manager] sees all", async () => {
    const mine = await createCaller(testContext({ db: database.db, user: agent })).audit.list({});
    expect(mine.items.map((item) => item.entityId)).toEqual(["contact-1"]);
    const manager = await insertUser(database.db, "manager");
    expect((await createCaller(testContext({ db: database.db, user: manager })).audit.list({})).items).toHaveLength(9);
  });
});
