import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, settings } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { insertUser, useTestDatabase, type TTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

describe("org settings", () => {
  let database: TTestDatabase;
  let admin: TSessionUser;
  beforeAll(async () => {
    database = await useTestDatabase();
    admin = await insertUser(database.db, "admin");
  });

  it("has working defaults before anything is saved", async () => {
    const settings = await createCaller(testContext({ db: database.db, user: admin })).settings.get();
    expect(settings).toMatchObject({ defaultCountry: "US", timeZone: "UTC" });
    expect(settings.businessHours.mon).toEqual([{ start: "09:00", end: "17:00" }]);
    expect(settings.businessHours.sun).toEqual([]);
  });

  it("saves a partial change, keeps every other field, and audits before and after", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    await caller.settings.update({ orgName: "Acme Dental" });
    const saved = await caller.settings.update({ defaultCountry: "de", timeZone: "Europe/Berlin" });
    expect(saved).toMatchObject({ defaultCountry: "DE", timeZone: "Europe/Berlin", orgName: "Acme Dental" });
    expect(await caller.settings.get()).toEqual(saved);
    const entries = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entity, "settings"))
      .orderBy(auditLog.at);
    expect(entries[1]).toMatchObject({
      action: "update",
      userId: admin.id,
      before: { timeZone: "UTC", orgName: "Acme Dental" },
      after: { timeZone: "Europe/Berlin", orgName: "Acme Dental" },
    });
  });

  it("reads a damaged stored value field by field, and can repair it", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    await database.db
      .update(settings)
      .set({ value: { orgName: "Acme Dental", timeZone: "Nowhere/Land", defaultCountry: "DE" } })
      .where(eq(settings.key, "org"));
    expect(await caller.settings.get()).toMatchObject({
      orgName: "Acme Dental",
      timeZone: "UTC",
      defaultCountry: "DE",
    });
    await expect(caller.settings.update({ timeZone: "America/Sao_Paulo" })).resolves.toMatchObject({
      orgName: "Acme Dental",
      timeZone: "America/Sao_Paulo",
    });
  });

  it("refuses an unknown setting", async () => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    await expect(caller.settings.update({ colour: "red" } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it.each([
    [{ timeZone: "Mars/Olympus" }, "timeZone", /Unknown time zone/],
    [{ defaultCountry: "Germany" }, "defaultCountry", /two-letter/],
    [
      {
        businessHours: {
          mon: [{ start: "17:00", end: "09:00" }],
          tue: [],
          wed: [],
          thu: [],
          fri: [],
          sat: [],
          sun: [],
        },
      },
      "businessHours.mon.0.end",
      /after the start/,
    ],
    [
      {
        businessHours: { mon: [{ start: "9am", end: "17:00" }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
      },
      "businessHours.mon.0.start",
      /HH:MM/,
    ],
  ])("refuses %j with a message on %s and changes nothing", async (patch, field, message) => {
    const caller = createCaller(testContext({ db: database.db, user: admin }));
    const before = await caller.settings.get();
    const error = await caller.settings.update(patch as never).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    const issues =
      (error as { cause?: { issues?: { path: (string | number)[]; message: string }[] } }).cause?.issues ?? [];
    expect(issues.some((issue) => issue.path.join(".") === field && message.test(issue.message))).toBe(true);
    expect(await caller.settings.get()).toEqual(before);
  });
});
