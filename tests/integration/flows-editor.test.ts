import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { contacts, threads, waSessions } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TFlowInput } from "~/server/flows/definition";
import { insertUser, useTestDatabase } from "../support/database";
import { testContext } from "../support/trpc-context";

const ask = {
  id: "ask",
  type: "ask",
  title: "Order number",
  text: "Your order number?",
  answer: "number",
  variable: "order",
  timeoutSeconds: 600,
  next: "thanks",
  onInvalid: "bye",
  onTimeout: "bye",
} as const;

function draft(name: string, keywords: string[] = []): TFlowInput {
  return {
    name,
    triggers: { keywords, firstMessage: false },
    definition: {
      start: "ask",
      steps: [
        ask,
        { id: "thanks", type: "send", text: "Looking up {{var.order}}", next: "bye" },
        { id: "bye", type: "end" },
      ],
    },
  };
}

async function setup() {
  const { db } = await useTestDatabase();
  const builder = createCaller(testContext({ db, user: await insertUser(db, "builder") }));
  const agent = createCaller(testContext({ db, user: await insertUser(db, "agent") }));
  return { db, builder, agent };
}

async function failure(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("flows: drafts, publishing, versions", () => {
  it("[builder] publishes only a flow without errors; versions count up and the list shows them", async () => {
    const { builder } = await setup();
    const flow = await builder.flows.create({
      ...draft("Orders"),
      definition: {
        start: "ask",
        steps: [
          { ...ask, next: null },
          { id: "bye", type: "end" },
        ],
      },
    });
    // A dead end blocks publishing, naming the step.
    const blocked = await failure(builder.flows.publish({ id: flow.id, note: "first" }));
    expect(blocked.code).toBe("BAD_REQUEST");
    expect(blocked.message).toContain("“Order number” leads nowhere");
    expect((await builder.flows.versions({ id: flow.id })).length).toBe(0);

    await builder.flows.update({ id: flow.id, flow: draft("Orders") });
    const published = await builder.flows.publish({ id: flow.id, note: "first" });
    expect(published.version).toBe(1);
    expect(published.warnings).toEqual([]);
    const second = await builder.flows.publish({ id: flow.id, note: "again" });
    expect(second.version).toBe(2);

    const versions = await builder.flows.versions({ id: flow.id });
    expect(versions.map((version) => [version.version, version.note, version.steps])).toEqual([
      [2, "again", 3],
      [1, "first", 3],
    ]);
    const [listed] = await builder.flows.list();
    expect(listed).toMatchObject({ id: flow.id, publishedVersion: 2, hasDraftChanges: false, activeRuns: 0 });
  });

  it("[builder] returns warnings with the version, in the caller's language", async () => {
    const { db } = await setup();
    const spanish = createCaller(testContext({ db, user: await insertUser(db, "builder"), locale: "es" }));
    const flow = await spanish.flows.create({
      ...draft("Warned"),
      definition: {
        start: "ask",
        steps: [
          { ...ask, timeoutSeconds: null, next: "bye" },
          { id: "bye", type: "end" },
        ],
      },
    });
    const { warnings } = await spanish.flows.publish({ id: flow.id, note: "" });
    expect(warnings.map((warning) => [warning.code, warning.message])).toEqual([
      ["waitsForEver", "«Order number» espera una respuesta para siempre: ponle un tiempo límite."],
    ]);
  });

  it("[builder] cannot publish a keyword another enabled published flow starts on; a disabled one does not count", async () => {
    const { builder } = await setup();
    const first = await builder.flows.create(draft("Orders", ["Track order"]));
    await builder.flows.publish({ id: first.id, note: "" });
    const second = await builder.flows.create(draft("Returns", ["returns", "TRACK  ÓRDER"]));
    const clash = await failure(builder.flows.publish({ id: second.id, note: "" }));
    expect(clash.code).toBe("CONFLICT");
    expect(clash.message).toBe("The keyword “TRACK  ÓRDER” already starts the flow “Orders”.");

    await builder.flows.setEnabled({ id: first.id, enabled: false });
    expect((await builder.flows.publish({ id: second.id, note: "" })).version).toBe(1);
    // Turning the first back on would now start two flows on one keyword.
    const enabling = await failure(builder.flows.setEnabled({ id: first.id, enabled: true }));
    expect(enabling.message).toContain("already starts the flow “Returns”");
  });

  it("[builder] cannot delete a flow a conversation is in; can once it left", async () => {
    const { db, builder } = await setup();
    const flow = await builder.flows.create(draft("Busy"));
    const [session] = await db.insert(waSessions).values({ name: "N", kind: "simulator", status: "ready" }).returning();
    const [contact] = await db.insert(contacts).values({ sessionId: session!.id, waId: "34600000001" }).returning();
    const [thread] = await db
      .insert(threads)
      .values({ contactId: contact!.id, flow: { flowId: flow.id, stepId: "ask" } })
      .returning();
    expect((await builder.flows.get({ id: flow.id })).activeRuns).toBe(1);
    const refused = await failure(builder.flows.delete({ id: flow.id }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toBe("1 conversation is in this flow now: it cannot be deleted until they leave it.");

    const { eq } = await import("drizzle-orm");
    await db.update(threads).set({ flow: null }).where(eq(threads.id, thread!.id));
    await builder.flows.delete({ id: flow.id });
    expect(await builder.flows.list()).toEqual([]);
  });

  it("[builder] sees what changed between versions and the draft, and restores a version into the draft without publishing", async () => {
    const { builder } = await setup();
    const flow = await builder.flows.create(draft("Orders", ["orders"]));
    await builder.flows.publish({ id: flow.id, note: "" });
    const edited = draft("Orders", ["orders", "my order"]);
    edited.definition.steps = [
      { ...ask, text: "Which order?", position: { x: 300, y: 10 } },
      { id: "bye", type: "end" },
      { id: "human", type: "handoff", note: "" },
    ];
    edited.definition.steps[0] = { ...ask, text: "Which order?", next: "human", position: { x: 300, y: 10 } };
    await builder.flows.update({ id: flow.id, flow: edited });

    const diff = await builder.flows.diff({ id: flow.id, from: 1, to: null });
    expect(diff.added.map((step) => step.id)).toEqual(["human"]);
    expect(diff.removed.map((step) => step.id)).toEqual(["thanks"]);
    // Moving the step on the canvas is not a change; its text and where it leads are.
    expect(diff.changed).toEqual([{ id: "ask", title: "Order number", type: "ask", fields: ["text", "next"] }]);
    expect(diff.triggers).toEqual({ keywordsAdded: ["my order"], keywordsRemoved: [], firstMessageChanged: false });
    expect(diff.hasChanges).toBe(true);
    expect((await builder.flows.diff({ id: flow.id, from: 0, to: 1 })).added.length).toBe(3);

    await builder.flows.publish({ id: flow.id, note: "" });
    const restored = await builder.flows.restore({ id: flow.id, version: 1 });
    expect(restored.definition.steps.map((step) => step.id)).toEqual(["ask", "thanks", "bye"]);
    expect(restored.triggers.keywords).toEqual(["orders"]);
    expect(restored.publishedVersion).toBe(2);
    expect((await builder.flows.diff({ id: flow.id, from: 1, to: null })).hasChanges).toBe(false);
    expect((await builder.flows.list())[0]!.hasDraftChanges).toBe(true);
    await expect(builder.flows.restore({ id: flow.id, version: 9 })).rejects.toThrow("This flow has no version 9.");
  });

  it("[builder] exports a flow and imports it back as a new flow under a free name; refuses a document that is not a flow", async () => {
    const { builder } = await setup();
    const flow = await builder.flows.create(draft("Orders", ["orders"]));
    const document = await builder.flows.export({ id: flow.id });
    expect(document).toMatchObject({ format: "switchboard.flow", version: 1, name: "Orders" });

    const copy = await builder.flows.import({ document: JSON.parse(JSON.stringify(document)) as unknown });
    expect(copy.name).toBe("Orders (2)");
    expect(copy.id).not.toBe(flow.id);
    expect(copy.definition).toEqual(flow.definition);
    expect((await builder.flows.import({ document })).name).toBe("Orders (3)");
    expect((await builder.flows.duplicate({ id: flow.id })).name).toBe("Orders (4)");

    const wrong = await failure(builder.flows.import({ document: { format: "switchboard.rules", version: 1 } }));
    expect(wrong.code).toBe("BAD_REQUEST");
    expect(wrong.message).toBe("The file is not a valid flow; nothing was imported.");
    const broken = await failure(
      builder.flows.import({
        document: { ...document, definition: { start: "nowhere", steps: [] } },
      }),
    );
    expect(broken.message).toBe("The file is not a valid flow; nothing was imported.");
    expect((await builder.flows.list()).length).toBe(4);
  });

  it("[agent] reads flows but cannot change them", async () => {
    const { builder, agent } = await setup();
    const flow = await builder.flows.create(draft("Orders"));
    expect((await agent.flows.list()).length).toBe(1);
    expect((await failure(agent.flows.publish({ id: flow.id, note: "" }))).code).toBe("FORBIDDEN");
  });

  it("[builder] gets a clear error for a name another flow has", async () => {
    const { builder } = await setup();
    await builder.flows.create(draft("Orders"));
    const clash = await failure(builder.flows.create(draft("ORDERS")));
    expect(clash.code).toBe("CONFLICT");
    expect(clash.message).toBe("A flow with this name already exists.");
  });
});
