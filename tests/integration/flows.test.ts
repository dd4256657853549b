import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  contactFields,
  contacts,
  events,
  flowRuns,
  flowSteps,
  messages,
  rules,
  threadNotes,
  threads,
} from "~/db/schema";
import { runFlowDeadline } from "~/server/conversations/flow";
import { handBackIdleThreads, releaseThread, takeOver } from "~/server/conversations/state";
import { readFlowState } from "~/server/flows/state";
import { defaultWebhookConfig } from "~/server/webhooks/deliver";
import { sendAsContact } from "~/server/simulator/simulator";
import { insertUser } from "../support/database";
import { BOOKING_FLOW, MENU_FLOW, ordersFlow, publishFlowRows } from "../support/flows";
import { startOrdersServer } from "../support/orders-server";
import { publishRules, startPipeline, type TPipeline } from "../support/pipeline";
import { waitFor } from "../support/processes";

async function outbound(pipeline: TPipeline, waId: string) {
  return pipeline.db
    .select({ body: messages.body, source: messages.source, content: messages.content })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(and(eq(contacts.waId, waId), eq(messages.direction, "out")))
    .orderBy(asc(messages.seq));
}

function waitForOutbound(pipeline: TPipeline, waId: string, count: number) {
  return waitFor(
    async () => {
      const rows = await outbound(pipeline, waId);
      return rows.length >= count ? rows : undefined;
    },
    15_000,
    async () =>
      `${count} messages to ${waId}; have ${JSON.stringify((await outbound(pipeline, waId)).map((r) => r.body))}`,
  );
}

async function threadOf(pipeline: TPipeline, waId: string) {
  const [row] = await pipeline.db
    .select({ thread: threads })
    .from(threads)
    .innerJoin(contacts, eq(contacts.id, threads.contactId))
    .where(eq(contacts.waId, waId));
  return row!.thread;
}

const privateNetworks = {
  webhooks: defaultWebhookConfig("flows-test-secret-0123456789abcdef", { allowPrivate: true }),
};

describe("flows in the pipeline", () => {
  it("a keyword starts the flow; a numbered answer, a number and the order system's answer lead to the shipped reply", async () => {
    const orders = await startOrdersServer({ "1042": "shipped" });
    const pipeline = await startPipeline({}, privateNetworks);
    const flowId = await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const phone = "+14155550301";

    await sendAsContact(pipeline.db, pipeline.boss, { phone, name: "Ana", body: "Orders" });
    const [menu] = await waitForOutbound(pipeline, phone, 1);
    expect(menu).toMatchObject({ source: "flow", body: "Which do you need?\n\n1. Orders\n2. Returns\n3. Talk to us" });
    expect(menu?.content).toMatchObject({ kind: "interactive", style: "buttons" });

    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "1" });
    expect((await waitForOutbound(pipeline, phone, 2))[1]?.body).toBe("Your order number?");

    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "1042" });
    const replies = await waitForOutbound(pipeline, phone, 3);
    expect(replies[2]?.body).toBe("Order 1042 (Lamp) has shipped.");
    expect(orders.requests).toHaveLength(1);
    expect(orders.requests[0]).toMatchObject({ method: "GET", path: "/orders/1042" });
    expect(orders.requests[0]!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}:\d+$/);

    const thread = await threadOf(pipeline, phone);
    expect(thread.flow).toBeNull();
    const [run] = await pipeline.db.select().from(flowRuns).where(eq(flowRuns.threadId, thread.id));
    expect(run).toMatchObject({ flowId, version: 1, trigger: "keyword", outcome: "completed", lastStepId: "done" });
    expect(run?.variables).toMatchObject({
      topic: "orders",
      topic_title: "Orders",
      order: 1042,
      order_status: "shipped",
      http_status: 200,
    });
    const trace = await pipeline.db
      .select({ stepId: flowSteps.stepId, detail: flowSteps.detail })
      .from(flowSteps)
      .where(eq(flowSteps.runId, run!.id))
      .orderBy(asc(flowSteps.id));
    expect(trace.map((entry) => entry.stepId)).toEqual([
      "menu",
      "menu",
      "order",
      "order",
      "lookup",
      "lookup",
      "check",
      "shipped-reply",
      "done",
    ]);
    expect(trace.find((entry) => entry.stepId === "lookup" && "status" in entry.detail)?.detail).toMatchObject({
      status: 200,
      mapped: { order_status: "shipped", first_item: "Lamp" },
    });
    // While the flow held the conversation no rule ran, and the next "1" is the rules' again.
    const fired = await pipeline.db.select().from(events).where(eq(events.type, "rule.fired"));
    expect(fired).toHaveLength(0);
  });

  it("an answer that fails validation is asked again, and after the limit the flow hands off with what it collected", async () => {
    const orders = await startOrdersServer({});
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const phone = "+14155550302";

    await sendAsContact(pipeline.db, pipeline.boss, { phone, name: "Bo", body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    await sendAsContact(pipeline.db, pipeline.boss, {
      phone,
      content: { kind: "button_reply", id: "orders", title: "Orders" },
    });
    await waitForOutbound(pipeline, phone, 2);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "my order" });
    const retried = await waitForOutbound(pipeline, phone, 4);
    expect(retried.slice(2).map((reply) => reply.body)).toEqual(["That is not an order number.", "Your order number?"]);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "still not" });

    const thread = await waitFor(
      async () => {
        const found = await threadOf(pipeline, phone);
        return found.mode === "human" ? found : undefined;
      },
      15_000,
      "the hand-off",
    );
    expect(thread.flow).toBeNull();
    expect((await outbound(pipeline, phone)).length).toBe(4);
    const [handoff] = await pipeline.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.type, "thread.handoff"), eq(events.threadId, thread.id)));
    expect(handoff?.payload).toMatchObject({
      by: "flow",
      note: "From the orders flow\n\ntopic: orders\ntopic_title: Orders",
      flow: { variables: { topic: "orders", topic_title: "Orders" } },
    });
    // The agent reads it in the conversation's notes (written by Switchboard).
    expect(
      await pipeline.db
        .select({ body: threadNotes.body, author: threadNotes.authorUserId })
        .from(threadNotes)
        .where(eq(threadNotes.threadId, thread.id)),
    ).toEqual([{ body: "From the orders flow\n\ntopic: orders\ntopic_title: Orders", author: null }]);
    const [run] = await pipeline.db.select().from(flowRuns).where(eq(flowRuns.threadId, thread.id));
    expect(run?.outcome).toBe("handed_off");
  });

  it("a rule's start_flow action starts the flow after the rule's reply; the flow then takes the answers", async () => {
    const pipeline = await startPipeline();
    // A rule may not start a flow that does not exist or was never published.
    await expect(
      publishRules(pipeline.db, [
        {
          name: "Lost",
          conditions: { all: [{ fact: "message.text", operator: "equal", value: "x" }] },
          actions: [{ type: "start_flow", flowId: randomUUID() }],
        },
      ]),
    ).rejects.toThrow("The rule “Lost” starts a flow that is not published or no longer exists");
    await pipeline.db.delete(rules).where(eq(rules.name, "Lost"));
    const flowId = await publishFlowRows(pipeline.db, {
      ...MENU_FLOW,
      triggers: { keywords: [], firstMessage: false },
    });
    await publishRules(pipeline.db, [
      {
        name: "Help",
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "help" }] },
        actions: [
          { type: "reply", text: "Happy to help." },
          { type: "start_flow", flowId },
        ],
      },
      {
        name: "Two",
        conditions: { all: [{ fact: "message.text", operator: "equal", value: "2" }] },
        actions: [{ type: "reply", text: "A rule answered 2" }],
      },
    ]);
    const phone = "+14155550306";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "help please" });
    const first = await waitForOutbound(pipeline, phone, 2);
    expect(first.map((reply) => [reply.source, reply.body.split("\n")[0]])).toEqual([
      ["rule", "Happy to help."],
      ["flow", "Which do you need?"],
    ]);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "2" });
    expect((await waitForOutbound(pipeline, phone, 3))[2]?.body).toBe("Returns: 30 days, free (Returns).");
    const [run] = await pipeline.db.select().from(flowRuns);
    expect(run).toMatchObject({ flowId, trigger: "rule", outcome: "completed" });
  });

  it("a set step writes contact fields as their types say, and a cleared field loses its key", async () => {
    const pipeline = await startPipeline();
    await pipeline.db.insert(contactFields).values([
      { key: "seats", label: "Seats", type: "number" },
      { key: "plan", label: "Plan", type: "text" },
    ]);
    await publishFlowRows(pipeline.db, {
      name: "Seats",
      triggers: { keywords: ["seats"], firstMessage: false },
      definition: {
        start: "ask",
        steps: [
          { id: "ask", type: "ask", text: "How many seats?", answer: "number", variable: "n", next: "set" },
          {
            id: "set",
            type: "set",
            assignments: [
              { target: "field", name: "seats", value: "{{var.n}}" },
              { target: "field", name: "plan", value: "" },
            ],
            next: "done",
          },
          { id: "done", type: "send", text: "Saved.", next: null },
        ],
      },
    });
    const phone = "+14155550307";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "seats" });
    await waitForOutbound(pipeline, phone, 1);
    await pipeline.db
      .update(contacts)
      .set({ fields: { plan: "gold", other: "kept" } })
      .where(eq(contacts.waId, phone));
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "12,5" });
    await waitForOutbound(pipeline, phone, 2);
    const [contact] = await pipeline.db
      .select({ fields: contacts.fields })
      .from(contacts)
      .where(eq(contacts.waId, phone));
    expect(contact?.fields).toEqual({ seats: 12.5, other: "kept" });
  });

  it("a stop word ends the flow; the contact is answered by rules again", async () => {
    const orders = await startOrdersServer({});
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const phone = "+14155550303";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "Cancel" });
    await waitFor(
      async () => {
        const [run] = await pipeline.db.select().from(flowRuns);
        return run?.outcome === "stopped" ? run : undefined;
      },
      15_000,
      "the run stopped",
    );
    expect((await threadOf(pipeline, phone)).flow).toBeNull();
  });

  it("an opt-out keyword ends the flow as well as opting the contact out", async () => {
    const orders = await startOrdersServer({});
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const phone = "+14155550304";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "STOP" });
    await waitFor(
      async () => {
        const [found] = await pipeline.db.select().from(flowRuns);
        return found?.outcome === "stopped" ? found : undefined;
      },
      15_000,
      "the run stopped",
    );
    expect((await threadOf(pipeline, phone)).flow).toBeNull();
  });

  it("a person taking the conversation over pauses the flow; releasing it resumes at the same question", async () => {
    const orders = await startOrdersServer({ "7": "shipped" });
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const agent = await insertUser(pipeline.db, "agent");
    const phone = "+14155550304";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    const { id: threadId } = await threadOf(pipeline, phone);

    await takeOver(pipeline.db, agent, threadId);
    expect(readFlowState((await threadOf(pipeline, phone)).flow)).toMatchObject({ paused: true, stepId: "menu" });
    // The person's conversation: the contact's "1" is theirs, the flow does not move.
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "1" });
    await waitFor(
      async () => {
        const [row] = await pipeline.db
          .select({ n: sql<number>`count(*) filter (where processed_at is not null)::int` })
          .from(messages)
          .where(and(eq(messages.threadId, threadId), eq(messages.direction, "in")));
        return (row?.n ?? 0) >= 2 ? true : undefined;
      },
      15_000,
      "the second message decided",
    );
    expect(await outbound(pipeline, phone)).toHaveLength(1);

    // Given back to the bot: the flow goes on at the same question, asked again.
    await releaseThread(pipeline.db, pipeline.boss, agent, threadId);
    expect(readFlowState((await threadOf(pipeline, phone)).flow)).toMatchObject({ paused: false, stepId: "menu" });
    const asked = await waitForOutbound(pipeline, phone, 2);
    expect(asked[1]?.body).toBe(asked[0]?.body);
    expect(asked[1]?.body).toMatch(/^Which do you need\?/);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "Orders" });
    expect((await waitForOutbound(pipeline, phone, 3))[2]?.body).toBe("Your order number?");
  });

  it("the idle handback gives the conversation back and its paused flow asks its question again", async () => {
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow("http://127.0.0.1:9/unused"));
    const agent = await insertUser(pipeline.db, "agent");
    const phone = "+14155550306";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    const { id: threadId } = await threadOf(pipeline, phone);
    await takeOver(pipeline.db, agent, threadId);
    expect(await handBackIdleThreads(pipeline.db, pipeline.boss, 30, new Date(Date.now() + 31 * 60_000))).toEqual([
      threadId,
    ]);
    const asked = await waitForOutbound(pipeline, phone, 2);
    expect(asked[1]?.body).toBe(asked[0]?.body);
    expect(readFlowState((await threadOf(pipeline, phone)).flow)).toMatchObject({ paused: false, stepId: "menu" });
  });

  it("an HTTP answer that comes while a person has the conversation is not said; releasing it asks the system again", async () => {
    let answer = () => {};
    const held = new Promise<void>((resolve) => (answer = resolve));
    let holding = true;
    const orders = await startOrdersServer({ "7": "shipped" }, { hold: () => (holding ? held : Promise.resolve()) });
    const pipeline = await startPipeline({}, privateNetworks);
    await publishFlowRows(pipeline.db, ordersFlow(orders.url));
    const agent = await insertUser(pipeline.db, "agent");
    const phone = "+14155550307";
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "orders" });
    await waitForOutbound(pipeline, phone, 1);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "Orders" });
    await waitForOutbound(pipeline, phone, 2);
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "7" });
    await waitFor(() => Promise.resolve(orders.requests.length === 1 ? true : undefined), 15_000, "the lookup out");
    const { id: threadId } = await threadOf(pipeline, phone);

    // Taken over while the lookup is out; then the system answers: nothing is said.
    await takeOver(pipeline.db, agent, threadId);
    holding = false;
    answer();
    await waitFor(
      async () => {
        const { rows } = await pipeline.db.execute<{ state: string }>(
          sql`select state::text from pgboss.job where name = 'flow.http'`,
        );
        return rows.length === 1 && rows[0]!.state === "completed" ? true : undefined;
      },
      15_000,
      "the lookup's job done",
    );
    expect(await outbound(pipeline, phone)).toHaveLength(2);
    expect(readFlowState((await threadOf(pipeline, phone)).flow)).toMatchObject({
      paused: true,
      stepId: "lookup",
      wait: "http",
    });

    // Released: the system is asked again (a new request) and the flow goes on with its answer.
    await releaseThread(pipeline.db, pipeline.boss, agent, threadId);
    expect((await waitForOutbound(pipeline, phone, 3))[2]?.body).toBe("Order 7 (Lamp) has shipped.");
    expect(orders.requests).toHaveLength(2);
    expect(new Set(orders.requests.map((request) => request.headers["idempotency-key"])).size).toBe(2);
  });
});

describe("a flow's deadline", () => {
  it("is a job scheduled for the deadline that moves the flow once, even when it runs twice or crashed before committing", async () => {
    const pipeline = await startPipeline();
    await publishFlowRows(pipeline.db, BOOKING_FLOW);
    const phone = "+14155550305";
    const before = Date.now();
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "book" });
    await waitForOutbound(pipeline, phone, 1);
    const thread = await threadOf(pipeline, phone);
    const state = readFlowState(thread.flow)!;
    expect(state).toMatchObject({ stepId: "when", wait: "answer" });
    const deadline = new Date(state.deadline!).getTime();
    expect(deadline - before).toBeGreaterThanOrEqual(119_000);
    expect(deadline - before).toBeLessThan(140_000);

    // The job waits in pg-boss for that time, keyed by run and token.
    const jobs = await pipeline.db.execute<{ data: { runId: string; token: number }; start_after: Date }>(
      sql`select data, start_after from pgboss.job where name = 'flow.deadline'`,
    );
    expect(jobs.rows).toHaveLength(1);
    const job = { threadId: thread.id, runId: jobs.rows[0]!.data.runId, token: jobs.rows[0]!.data.token };
    expect(job).toMatchObject({ runId: state.runId, token: state.token });
    expect(Math.abs(new Date(jobs.rows[0]!.start_after).getTime() - deadline)).toBeLessThan(1_000);

    // A worker killed inside the move (after deciding, before committing): nothing happened.
    await expect(
      runFlowDeadline(pipeline.db, pipeline.boss, job, {
        beforeCommit: () => Promise.reject(new Error("SIGKILL")),
      }),
    ).rejects.toThrow("SIGKILL");
    expect(await outbound(pipeline, phone)).toHaveLength(1);
    // pg-boss runs it again: one reminder; and again (a duplicate): nothing more.
    expect(await runFlowDeadline(pipeline.db, pipeline.boss, job)).toBe(true);
    expect(await runFlowDeadline(pipeline.db, pipeline.boss, job)).toBe(false);
    const sent = await outbound(pipeline, phone);
    expect(sent.map((reply) => reply.body)).toEqual(["Which day?", "Still there? Which day?"]);
    // The reminder waits in turn (10 minutes), under a new token.
    expect(readFlowState((await threadOf(pipeline, phone)).flow)).toMatchObject({
      stepId: "remind",
      wait: "answer",
      token: state.token + 1,
    });

    // Answered before the deadline instead: the deadline job finds the flow moved on.
    await sendAsContact(pipeline.db, pipeline.boss, { phone, body: "2026-12-24" });
    expect((await waitForOutbound(pipeline, phone, 3))[2]?.body).toBe("Booked for 2026-12-24.");
  });
});
