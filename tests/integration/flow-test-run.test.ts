import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { TDb } from "~/db/client";
import { contactFields, contacts, flowRuns, flows, flowSteps, messages } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import type { TSessionUser } from "~/server/auth/roles";
import { ZFlowInput, type TFlowInput } from "~/server/flows/definition";
import type { TFlowTestInput, TFlowTestResult } from "~/server/flows/test-run";
import { setSecret } from "~/server/settings/secrets";
import { insertUser } from "../support/database";
import { ordersFlow, publishFlowRows } from "../support/flows";
import { startOrdersServer } from "../support/orders-server";
import { usePreparedDatabase } from "../support/pipeline";
import { TEST_APP_SECRET, testContext } from "../support/trpc-context";

/** Stores a flow's draft only (never published). */
async function saveDraft(db: TDb, input: TFlowInput): Promise<string> {
  const flow = ZFlowInput.parse(input);
  const [row] = await db
    .insert(flows)
    .values({
      name: flow.name,
      definition: flow.definition,
      triggers: flow.triggers,
    })
    .returning({ id: flows.id });
  return row!.id;
}

describe("the flow test panel (flowRuns.test)", () => {
  let db: TDb;
  let sessionId: string;
  let builder: TSessionUser;
  const caller = (allowPrivate = true) =>
    createCaller(
      testContext({
        db,
        user: builder,
        webhooks: { appSecret: "x".repeat(32), allowPrivate, rotationOverlapHours: 24 },
      }),
    );
  /** Runs a sequence of inputs, each with the state (and fields) the previous one returned. */
  async function run(
    base: Omit<TFlowTestInput, "input" | "state">,
    inputs: TFlowTestInput["input"][],
    allowPrivate = true,
  ) {
    const results: TFlowTestResult[] = [];
    let state: TFlowTestResult["state"] = null;
    let fields: TFlowTestResult["fields"] = {};
    for (const input of inputs) {
      const result = await caller(allowPrivate).flowRuns.test({ ...base, state, fields, input });
      results.push(result);
      state = result.state;
      fields = { ...fields, ...result.fields };
    }
    return results;
  }

  beforeAll(async () => {
    ({ db, sessionId } = await usePreparedDatabase());
    builder = await insertUser(db, "builder");
  });

  it("runs the draft with a numbered menu: answered by number, then the order system is called at once", async () => {
    const orders = await startOrdersServer({ "1042": "shipped" });
    const flowId = await saveDraft(db, ordersFlow(orders.url, { greet: true }));
    const [started, chosen, answered] = await run({ flowId, buttons: false }, [
      { kind: "start" },
      { kind: "message", text: "1" },
      { kind: "message", text: "1042" },
    ]);

    expect(started!.replies).toEqual([
      { kind: "text", stepId: "menu", text: "Which do you need, Test?\n\n1. Orders\n2. Returns\n3. Talk to us" },
    ]);
    expect(started).toMatchObject({ waiting: "answer", stepId: "menu", ended: null });
    expect(chosen!.replies).toEqual([{ kind: "text", stepId: "order", text: "Your order number?" }]);
    expect(chosen!.variables).toMatchObject({ topic: "orders", topic_title: "Orders" });

    expect(orders.requests).toHaveLength(1);
    expect(orders.requests[0]).toMatchObject({ method: "GET", path: "/orders/1042" });
    expect(answered!.replies).toEqual([
      { kind: "text", stepId: "shipped-reply", text: "Order 1042 (Lamp) has shipped." },
    ]);
    expect(answered).toMatchObject({
      waiting: "ended",
      state: null,
      ended: { outcome: "completed", stepId: "done" },
      variables: { order: 1042, order_status: "shipped", first_item: "Lamp", http_status: 200 },
    });
    expect(answered!.trace.map((entry) => entry.stepId)).toEqual([
      "order",
      "lookup",
      "lookup",
      "check",
      "shipped-reply",
      "done",
    ]);
    expect(answered!.trace.find((entry) => "status" in entry.detail)?.detail).toMatchObject({
      status: 200,
      mapped: { order_status: "shipped", first_item: "Lamp" },
    });
    expect(answered!.trace.find((entry) => entry.stepId === "check")?.detail).toEqual({ branch: "shipped" });

    // Nothing was written: no run, no step, no message.
    expect((await db.select({ n: count() }).from(flowRuns))[0]!.n).toBe(0);
    expect((await db.select({ n: count() }).from(flowSteps))[0]!.n).toBe(0);
    expect((await db.select({ n: count() }).from(messages))[0]!.n).toBe(0);
  });

  it("with buttons the choice comes as options, and tapping one follows its route", async () => {
    const flowId = await saveDraft(db, ordersFlow("http://127.0.0.1:9", { greet: true }));
    const [started, tapped] = await run({ flowId, buttons: true }, [
      { kind: "start" },
      { kind: "choose", optionId: "returns" },
    ]);
    expect(started!.replies).toEqual([
      {
        kind: "choice",
        stepId: "menu",
        text: "Which do you need, Test?",
        style: "buttons",
        options: [
          { id: "orders", title: "Orders" },
          { id: "returns", title: "Returns" },
          { id: "talk-to-us", title: "Talk to us" },
        ],
      },
    ]);
    expect(tapped!.replies).toEqual([{ kind: "text", stepId: "returns", text: "Returns are free within 30 days." }]);
    expect(tapped).toMatchObject({
      waiting: "ended",
      ended: { outcome: "completed" },
      variables: { topic: "returns", topic_title: "Returns" },
    });
  });

  it("an answer that fails validation is asked again, and after the limit the flow hands off with what it collected", async () => {
    const flowId = await saveDraft(db, ordersFlow("http://127.0.0.1:9", { greet: true, style: "list" }));
    const [, , first, second] = await run({ flowId, buttons: true }, [
      { kind: "start" },
      { kind: "choose", optionId: "orders" },
      { kind: "message", text: "my order" },
      { kind: "message", text: "still not" },
    ]);
    expect(first!.replies.map((reply) => reply.kind === "text" && reply.text)).toEqual([
      "That is not an order number.",
      "Your order number?",
    ]);
    expect(first!.trace[0]?.detail).toMatchObject({ invalid: "my order", attempt: 1, reason: "not_a_number" });
    expect(second).toMatchObject({
      waiting: "ended",
      ended: { outcome: "handed_off", stepId: "people" },
      handoff: { note: "From the orders flow", variables: { topic: "orders", topic_title: "Orders" } },
    });
  });

  it("an HTTP step to a private address is refused without WEBHOOK_ALLOW_PRIVATE_NETWORKS, and the flow takes onError", async () => {
    const orders = await startOrdersServer({ "7": "shipped" });
    const flowId = await saveDraft(db, ordersFlow(orders.url, { greet: true }));
    const results = await run(
      { flowId },
      [{ kind: "start" }, { kind: "message", text: "Orders" }, { kind: "message", text: "7" }],
      false,
    );
    expect(orders.requests).toHaveLength(0);
    const last = results.at(-1)!;
    expect(last.trace.find((entry) => "status" in entry.detail)?.detail).toMatchObject({ status: 0 });
    expect(String(last.trace.find((entry) => "status" in entry.detail)?.detail.error)).toMatch(/^refused_address/);
    expect(last.ended).toMatchObject({ outcome: "handed_off", stepId: "people" });
  });

  it("'Skip the wait' moves a wait step and an ask's timeout on", async () => {
    const flowId = await saveDraft(db, {
      name: "Waits",
      definition: {
        start: "pause",
        steps: [
          { id: "pause", type: "wait", mode: "delay", seconds: 120, next: "ask" },
          {
            id: "ask",
            type: "ask",
            text: "Still there?",
            answer: "text",
            variable: "reply",
            timeoutSeconds: 3_600,
            next: "done",
            onTimeout: "remind",
          },
          { id: "remind", type: "send", text: "We will be here.", next: "done" },
          { id: "done", type: "end" },
        ],
      },
    });
    const [waiting, asked, timedOut] = await run({ flowId }, [
      { kind: "start" },
      { kind: "deadline" },
      { kind: "deadline" },
    ]);
    expect(waiting).toMatchObject({ waiting: "delay", stepId: "pause", replies: [] });
    expect(Date.parse(waiting!.deadline!) - Date.now()).toBeGreaterThan(100_000);
    expect(asked).toMatchObject({ waiting: "answer", stepId: "ask" });
    expect(asked!.replies).toEqual([{ kind: "text", stepId: "ask", text: "Still there?" }]);
    expect(timedOut!.replies).toEqual([{ kind: "text", stepId: "remind", text: "We will be here." }]);
    expect(timedOut!.trace[0]).toMatchObject({ stepId: "ask", detail: { timedOut: true } });
    expect(timedOut!.ended).toMatchObject({ outcome: "completed" });
  });

  it("runs as a real contact: their name and fields in templates and conditions; a field set is kept for the next input, not saved", async () => {
    await db.insert(contactFields).values({ key: "plan", label: "Plan", type: "text" });
    const [contact] = await db
      .insert(contacts)
      .values({ sessionId, waId: "+14155550777", name: "Maria Lopez", fields: { plan: "gold" } })
      .returning();
    const flowId = await saveDraft(db, {
      name: "Plans",
      definition: {
        start: "check",
        steps: [
          {
            id: "check",
            type: "branch",
            branches: [
              {
                id: "gold",
                conditions: { all: [{ fact: "field.plan", operator: "equal", value: "gold" }] },
                next: "hello",
              },
            ],
            otherwise: "done",
          },
          { id: "hello", type: "send", text: "Hello {{contact.firstName}}, {{field.plan}} member.", next: "set" },
          {
            id: "set",
            type: "set",
            assignments: [{ target: "field", name: "plan", value: "platinum" }],
            next: "ask",
          },
          {
            id: "ask",
            type: "ask",
            text: "Your plan is {{field.plan}}. Anything else?",
            answer: "text",
            variable: "more",
            next: "again",
          },
          { id: "again", type: "send", text: "Noted on your {{field.plan}} plan.", next: "done" },
          { id: "done", type: "end" },
        ],
      },
    });
    const [started, answered] = await run({ flowId, contactId: contact!.id }, [
      { kind: "start" },
      { kind: "message", text: "no" },
    ]);
    expect(started!.replies.map((reply) => reply.kind === "text" && reply.text)).toEqual([
      "Hello Maria, gold member.",
      "Your plan is platinum. Anything else?",
    ]);
    expect(started!.fields).toEqual({ plan: "platinum" });
    expect(answered!.replies).toEqual([{ kind: "text", stepId: "again", text: "Noted on your platinum plan." }]);
    const [stored] = await db.select({ fields: contacts.fields }).from(contacts).where(eq(contacts.id, contact!.id));
    expect(stored!.fields).toEqual({ plan: "gold" });

    // The sample contact is not gold: the branch goes the other way.
    const [sample] = await run({ flowId }, [{ kind: "start" }]);
    expect(sample).toMatchObject({ replies: [], ended: { outcome: "completed" } });
  });

  it("an HTTP step's {{secrets.NAME}} comes from Settings → Secrets, and the trace masks it", async () => {
    const orders = await startOrdersServer({ "5": "shipped" });
    await setSecret(db, builder, TEST_APP_SECRET, { name: "SHOP_TOKEN", value: "s3cret" });
    const flowId = await saveDraft(db, {
      name: "Secret lookup",
      definition: {
        start: "lookup",
        steps: [
          {
            id: "lookup",
            type: "http",
            url: `${orders.url}/orders/5?token={{secrets.SHOP_TOKEN}}`,
            headers: [{ name: "Authorization", value: "Bearer {{secrets.SHOP_TOKEN}}" }],
            next: null,
          },
        ],
      },
    });
    const [result] = await run({ flowId }, [{ kind: "start" }]);
    expect(orders.requests[0]!.headers.authorization).toBe("Bearer s3cret");
    expect(orders.requests[0]!.path).toBe("/orders/5?token=s3cret");
    expect(result!.trace[0]!.detail).toEqual({ request: { method: "GET", url: `${orders.url}/orders/5?token=••••` } });
  });

  it("tests the draft, not the published version", async () => {
    const flowId = await publishFlowRows(db, {
      name: "Greeting",
      definition: { start: "hi", steps: [{ id: "hi", type: "send", text: "Published hello", next: null }] },
    });
    await db
      .update(flows)
      .set({ definition: { start: "hi", steps: [{ id: "hi", type: "send", text: "Draft hello", next: null }] } })
      .where(eq(flows.id, flowId));
    const [result] = await run({ flowId }, [{ kind: "start" }]);
    expect(result!.replies).toEqual([{ kind: "text", stepId: "hi", text: "Draft hello" }]);
  });

  it("a broken draft, a draft with no start, or a move before the start is refused with a clear message", async () => {
    const broken = (
      await db
        .insert(flows)
        .values({
          name: "Broken",
          definition: { start: "a", steps: [{ id: "a", type: "send", text: "x", next: "nowhere" }] },
        })
        .returning({ id: flows.id })
    )[0]!.id;
    await expect(caller().flowRuns.test({ flowId: broken, input: { kind: "start" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The draft has a problem at step a: fix it in the editor before testing.",
    });
    const empty = await saveDraft(db, { name: "Empty", definition: { start: null, steps: [] } });
    await expect(caller().flowRuns.test({ flowId: empty, input: { kind: "start" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "The flow has no start step yet.",
    });
    const flowId = await saveDraft(db, ordersFlow("http://127.0.0.1:9", { greet: true }));
    await expect(caller().flowRuns.test({ flowId, input: { kind: "message", text: "hi" } })).rejects.toBeInstanceOf(
      TRPCError,
    );
    const [started] = await run({ flowId }, [{ kind: "start" }]);
    const other = await saveDraft(db, ordersFlow("http://127.0.0.1:9", { greet: true }));
    await expect(
      caller().flowRuns.test({ flowId: other, state: started!.state, input: { kind: "message", text: "1" } }),
    ).rejects.toMatchObject({ message: "This test belongs to another flow: start it again." });
  });
});
