import { describe, expect, it } from "vitest";
import { createCaller } from "~/server/api/root";
import { getChecklist } from "~/server/home/checklist";
import { insertUser } from "../support/database";
import { inbound, startPipeline, waitForReplies } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

describe("the getting-started checklist", () => {
  it("starts with nothing done on a first start and ticks each step from what the organisation did", async () => {
    const pipeline = await startPipeline();
    const admin = await insertUser(pipeline.db, "admin");
    const caller = createCaller(testContext({ db: pipeline.db, user: admin, boss: pipeline.boss }));
    const done = async () =>
      Object.fromEntries((await getChecklist(pipeline.db)).steps.map((step) => [step.step, step.done]));

    expect(await done()).toEqual({ reply: false, rule: false, agent: false, hours: false, apiKey: false });

    // A rule is published: the rule step, not yet the reply.
    await caller.rules.create({
      name: "Hello",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "hello" }] },
      actions: [{ type: "reply", text: "Hi there!" }],
    });
    await caller.rules.publish({});
    expect(await done()).toMatchObject({ rule: true, reply: false });

    // Someone writes (as the Simulator does) and the bot answers: the reply step.
    await inbound(pipeline, "+15550009001", "hello");
    await waitForReplies(pipeline.db, "+15550009001", 1);
    expect(await done()).toMatchObject({ reply: true });

    // A disabled agent does not count; an enabled one does.
    await insertUser(pipeline.db, "agent", { disabled: true });
    expect(await done()).toMatchObject({ agent: false });
    await insertUser(pipeline.db, "agent");
    expect(await done()).toMatchObject({ agent: true });

    await caller.settings.update({ timeZone: "America/Sao_Paulo" });
    expect(await done()).toMatchObject({ hours: true });

    expect((await getChecklist(pipeline.db)).done).toBe(false);
    await caller.apiKeys.create({ name: "CRM", scopes: ["read"] });
    const checklist = await getChecklist(pipeline.db);
    expect(checklist.steps.map((step) => [step.step, step.done, step.href])).toEqual([
      ["reply", true, "/simulator"],
      ["rule", true, "/rules"],
      ["agent", true, "/users"],
      ["hours", true, "/settings"],
      ["apiKey", true, "/api-keys"],
    ]);
    expect(checklist.done).toBe(true);
  });
});
