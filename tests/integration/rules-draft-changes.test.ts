import { describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import type { TRuleInput } from "~/server/rules/schema";
import { insertUser, useTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

function rule(name: string, word: string): TRuleInput {
  return {
    name,
    conditions: { all: [{ fact: "message.text", operator: "containsWord", value: word }] },
    actions: [{ type: "reply", text: `About ${word}` }],
  };
}

async function callers() {
  const { db } = await useTestDatabase();
  const builder = createCaller(testContext({ db, user: await insertUser(db, "builder") }));
  return { builder };
}

describe("rules.draftChanges", () => {
  it("[builder] sees what publishing would change: added, removed and edited rules by name, none after publishing", async () => {
    const { builder } = await callers();
    expect(await builder.rules.draftChanges()).toEqual({
      publishedVersion: null,
      hasChanges: false,
      added: [],
      removed: [],
      edited: [],
    });

    // Before the first publish, every draft rule is new.
    const price = await builder.rules.create(rule("Price", "price"));
    const hours = await builder.rules.create(rule("Hours", "open"));
    const first = await builder.rules.draftChanges();
    expect(first.publishedVersion).toBeNull();
    expect(first.hasChanges).toBe(true);
    expect(first.added.map((added) => added.name).sort()).toEqual(["Hours", "Price"]);

    // Published: the draft is the live version, nothing differs.
    await builder.rules.publish({ note: "first" });
    expect(await builder.rules.draftChanges()).toMatchObject({
      publishedVersion: 1,
      hasChanges: false,
      added: [],
      removed: [],
      edited: [],
    });

    // One of each: a rule added, one removed, one edited (its actions).
    await builder.rules.create(rule("Refunds", "refund"));
    await builder.rules.delete({ id: hours.id });
    await builder.rules.update({
      id: price.id,
      rule: { ...rule("Price", "price"), actions: [{ type: "reply", text: "New prices" }] },
    });
    const changes = await builder.rules.draftChanges();
    expect(changes.publishedVersion).toBe(1);
    expect(changes.hasChanges).toBe(true);
    expect(changes.added.map((added) => added.name)).toEqual(["Refunds"]);
    expect(changes.removed).toEqual([{ id: hours.id, name: "Hours" }]);
    expect(changes.edited).toEqual([{ id: price.id, name: "Price", fields: ["actions"] }]);

    // Publishing again: nothing left to publish.
    await builder.rules.publish({ note: "second" });
    expect((await builder.rules.draftChanges()).hasChanges).toBe(false);
  });
});
