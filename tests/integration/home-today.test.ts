import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { waSessions } from "~/db/schema";
import { numbersDown } from "~/server/home/today";
import { publishEngines } from "~/server/sessions/engines";
import { simulatorEngine } from "~/workers/engines/simulator";
import { wwebjsEngine } from "~/workers/engines/wwebjs";
import { usePreparedDatabase } from "../support/pipeline";

describe("the home page's numbers-down banner", () => {
  it("lists the numbers staff added that are not connected, by name, and never the built-in test phone", async () => {
    const { db, sessionId } = await usePreparedDatabase();
    await publishEngines(db, [simulatorEngine.descriptor, wwebjsEngine.descriptor], "test-worker");
    // The simulator's own session is not a number staff added, whatever its status.
    await db.update(waSessions).set({ status: "disconnected" }).where(eq(waSessions.id, sessionId));
    expect(await numbersDown(db)).toEqual([]);

    const add = (name: string, status: (typeof waSessions.$inferInsert)["status"]) =>
      db.insert(waSessions).values({ name, kind: "wwebjs", status }).returning({ id: waSessions.id });
    await add("Shop front", "ready");
    const [failed] = await add("Warehouse", "failed");
    const [linking] = await add("Back office", "qr");
    expect(await numbersDown(db)).toEqual([
      { id: linking!.id, name: "Back office", status: "qr" },
      { id: failed!.id, name: "Warehouse", status: "failed" },
    ]);

    // Connected again: off the banner.
    await db.update(waSessions).set({ status: "ready" }).where(eq(waSessions.id, failed!.id));
    expect((await numbersDown(db)).map((number) => number.name)).toEqual(["Back office"]);
  });
});
