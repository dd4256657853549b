import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { contacts, flowRuns, threads } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { sendAsContact } from "~/server/simulator/simulator";
import { defaultWebhookConfig } from "~/server/webhooks/deliver";
import { insertUser } from "../support/database";
import { publishFlowRows } from "../support/flows";
import { startOrdersServer } from "../support/orders-server";
import { startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";
import { testContext } from "../support/trpc-context";

const privateNetworks = {
  webhooks: defaultWebhookConfig("flows-test-secret-0123456789abcdef", { allowPrivate: true }),
};

async function threadIdOf(pipeline: TPipeline, waId: string) {
  const [row] = await pipeline.db
    .select({ id: threads.id })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row?.id;
}

describe("the conversation's flow in the Inbox (flowRuns.ofConversation)", () => {
  it("shows the active flow with what it waits for and what it collected, then every run's steps with answers, branches and HTTP calls", async () => {
    const orders = await startOrdersServer({ "1042": "processing" });
    const pipeline = await startPipeline({}, privateNetworks);
    const flowId = await publishFlowRows(pipeline.db, {
      name: "Orders",
      triggers: { keywords: ["orders"], firstMessage: false },
      definition: {
        start: "menu",
        steps: [
          {
            id: "menu",
            type: "ask",
            text: "Which do you need?",
            answer: "choice",
            choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }] },
            variable: "topic",
            next: "order",
          },
          { id: "order", type: "ask", text: "Your order number?", answer: "number", variable: "order", next: "lookup" },
          {
            id: "lookup",
            type: "http",
            url: `${orders.url}/orders/{{var.order}}`,
            map: [{ variable: "order_status", path: "status" }],
            next: "check",
            onError: "people",
          },
          {
            id: "check",
            type: "branch",
            branches: [
              {
                id: "shipped",
                conditions: { all: [{ fact: "var.order_status", operator: "equal", value: "shipped" }] },
                next: "done",
              },
            ],
            otherwise: "people",
          },
          { id: "people", type: "handoff", note: "Order not shipped" },
          { id: "done", type: "end" },
        ],
      },
    });
    const agent = await insertUser(pipeline.db, "agent");
    const caller = createCaller(testContext({ db: pipeline.db, user: agent }));
    const phone = "+14155550401";

    await sendAsContact(pipeline.db, pipeline.boss, { phone, name: "Ana", body: "orders" });
    const threadId = await waitFor(() => threadIdOf(pipeline, phone), 15_000, "the thread");
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "1" });
    const waiting = await waitFor(
      async () => {
        const flows = await caller.flowRuns.ofConversation({ threadId });
        return flows.active?.stepId === "order" ? flows : undefined;
      },
      15_000,
      "the flow at the order number",
    );
    expect(waiting.active).toMatchObject({
      flowId,
      name: "Orders",
      version: 1,
      wait: "answer",
      paused: false,
      variables: { topic: "orders", topic_title: "Orders" },
      deadline: null,
    });
    expect(waiting.runs).toHaveLength(1);
    expect(waiting.runs[0]).toMatchObject({ name: "Orders", trigger: "keyword", outcome: null, endedAt: null });
    expect(waiting.runs[0]!.variables).toEqual({ topic: "orders", topic_title: "Orders" });

    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "1042" });
    const handedOff = await waitFor(
      async () => {
        const flows = await caller.flowRuns.ofConversation({ threadId });
        return flows.runs[0]?.outcome ? flows : undefined;
      },
      15_000,
      "the hand-off",
    );
    expect(handedOff.active).toBeNull();
    const [run] = handedOff.runs;
    expect(run).toMatchObject({ outcome: "handed_off", lastStepId: "people", version: 1 });
    expect(run!.variables).toMatchObject({ topic: "orders", order: 1042, order_status: "processing" });
    expect(run!.steps.map((step) => [step.stepId, step.detail])).toEqual([
      ["menu", { asked: true }],
      ["menu", { answer: "orders", title: "Orders" }],
      ["order", { asked: true }],
      ["order", { answer: 1042 }],
      ["lookup", { request: { method: "GET", url: `${orders.url}/orders/1042` } }],
      [
        "lookup",
        {
          status: 200,
          mapped: { order_status: "processing" },
          response: { order: "1042", status: "processing", items: [{ name: "Lamp" }] },
        },
      ],
      ["check", { branch: "otherwise" }],
      ["people", { variables: expect.objectContaining({ order: 1042, order_status: "processing" }) }],
    ]);

    // A later run (the API started one): the newest comes first.
    await pipeline.db.insert(flowRuns).values({
      flowId,
      version: 1,
      threadId,
      trigger: "api",
      startedAt: new Date(Date.now() + 60_000),
    });
    const both = await caller.flowRuns.ofConversation({ threadId });
    expect(both.runs.map((entry) => [entry.trigger, entry.outcome])).toEqual([
      ["api", null],
      ["keyword", "handed_off"],
    ]);
    expect(both.runs[0]!.steps).toEqual([]);
  });

  it("a conversation without flows has none; an unknown one is not found", async () => {
    const pipeline = await startPipeline();
    const agent = await insertUser(pipeline.db, "manager");
    const caller = createCaller(testContext({ db: pipeline.db, user: agent }));
    const phone = "+14155550402";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "hello" });
    const threadId = await waitFor(() => threadIdOf(pipeline, phone), 15_000, "the thread");
    await expect(caller.flowRuns.ofConversation({ threadId })).resolves.toEqual({ active: null, runs: [] });
    await expect(
      caller.flowRuns.ofConversation({ threadId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
