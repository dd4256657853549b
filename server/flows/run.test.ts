import { describe, expect, it } from "vitest";
import { ZFlowDefinition } from "./definition";
import {
  advanceFlow,
  compileFlow,
  MAX_STEPS_PER_MOVE,
  newRunState,
  nextTimeOfDay,
  parseDate,
  parseNumber,
  validateAnswer,
  valueAtPath,
  type TFlowContext,
} from "./run";
import type { TFlowState } from "./state";

const NOW = new Date("2026-12-07T10:00:00Z");

const context: TFlowContext = {
  now: NOW,
  timeZone: "Europe/Lisbon",
  defaultCountry: "PT",
  facts: { "contact.name": "Ana" },
  fields: { plan: "gold" },
  template: { "contact.name": "Ana" },
  coerceField: (key, raw) =>
    key === "age"
      ? typeof raw === "string" && /^\d+$/.test(raw)
        ? { ok: true, value: Number(raw) }
        : { ok: false, reason: "not a number" }
      : { ok: false, reason: "unknown_field" },
  assets: new Map(),
  messageId: "00000000-0000-4000-8000-000000000001",
};

function flowOf(definition: unknown) {
  return compileFlow({
    flowId: "00000000-0000-4000-8000-0000000000f1",
    version: 3,
    name: "Test",
    definition: ZFlowDefinition.parse(definition),
  });
}

const text = (body: string) => ({
  kind: "message" as const,
  messageId: "m",
  text: body,
  content: { kind: "text" as const, text: body },
});

function start(flow: ReturnType<typeof flowOf>, vars = {}) {
  return advanceFlow(
    flow,
    newRunState(flow, "00000000-0000-4000-8000-0000000000a1", NOW, vars),
    { kind: "start" },
    context,
  );
}

describe("advanceFlow", () => {
  const menu = flowOf({
    start: "menu",
    steps: [
      {
        id: "menu",
        type: "ask",
        text: "Hi {{contact.name}}, which?",
        answer: "choice",
        choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }] },
        routes: { returns: "ret" },
        variable: "topic",
        maxAttempts: 2,
        retryText: "Pick one of these.",
        timeoutSeconds: 60,
        next: "ord",
        onInvalid: "people",
        onTimeout: "bye",
      },
      { id: "ord", type: "send", text: "Orders ({{var.topic_title}}), plan {{field.plan}}", next: null },
      {
        id: "ret",
        type: "set",
        assignments: [
          { target: "field", name: "age", value: "41" },
          { target: "variable", name: "x", value: "{{var.topic}}!" },
        ],
        next: "tagged",
      },
      { id: "tagged", type: "tag", add: ["returns"], next: "end" },
      { id: "people", type: "handoff", note: "Stuck" },
      { id: "bye", type: "send", text: "Bye", next: "end" },
      { id: "end", type: "end" },
    ],
  });

  it("asks with the options, waits with a deadline, and routes a tapped option or a number", () => {
    const first = start(menu);
    expect(first.effects.replies).toEqual([
      expect.objectContaining({
        body: expect.stringContaining("Hi Ana, which?"),
        content: expect.objectContaining({ kind: "interactive" }),
      }),
    ]);
    expect(first.state).toMatchObject({ stepId: "menu", wait: "answer", attempts: 0, token: 1 });
    expect(first.effects.deadline).toEqual(new Date(NOW.getTime() + 60_000));

    const byNumber = advanceFlow(menu, first.state!, text("1"), context);
    expect(byNumber.effects.replies.map((reply) => reply.body)).toEqual(["Orders (Orders), plan gold"]);
    expect(byNumber.state).toBeNull();
    expect(byNumber.effects.ended).toMatchObject({
      outcome: "completed",
      variables: { topic: "orders", topic_title: "Orders" },
    });

    const tapped = advanceFlow(
      menu,
      first.state!,
      {
        kind: "message",
        messageId: "m",
        text: "Returns",
        content: { kind: "button_reply", id: "returns", title: "Returns" },
      },
      context,
    );
    expect(tapped.effects.fields).toEqual({ age: 41 });
    expect(tapped.effects.tags.add).toEqual(["returns"]);
    expect(tapped.effects.ended?.variables).toMatchObject({ x: "returns!" });
  });

  it("re-asks an invalid answer with the retry text, and after the limit follows onInvalid", () => {
    const first = start(menu);
    const again = advanceFlow(menu, first.state!, text("9"), context);
    expect(again.effects.replies.map((reply) => reply.body.split("\n")[0])).toEqual([
      "Pick one of these.",
      "Hi Ana, which?",
    ]);
    expect(again.state).toMatchObject({ attempts: 1, token: 2 });
    const gaveUp = advanceFlow(menu, again.state!, text("nope"), context);
    expect(gaveUp.effects.handoff).toMatchObject({ note: "Stuck", variables: {} });
    expect(gaveUp.effects.ended?.outcome).toBe("handed_off");
  });

  it("a deadline moves an ask to onTimeout; a message while paused or waiting elsewhere is ignored", () => {
    const first = start(menu);
    const late = advanceFlow(menu, first.state!, { kind: "deadline" }, context);
    expect(late.effects.replies.map((reply) => reply.body)).toEqual(["Bye"]);
    const waiting = flowOf({
      start: "w",
      steps: [
        { id: "w", type: "wait", seconds: 30, next: "s" },
        { id: "s", type: "send", text: "Done", next: null },
      ],
    });
    const waited = start(waiting);
    expect(waited.state).toMatchObject({ wait: "delay", deadline: new Date(NOW.getTime() + 30_000).toISOString() });
    expect(advanceFlow(waiting, waited.state!, text("hello?"), context).effects.ignored).toBe(true);
    expect(advanceFlow(waiting, waited.state!, { kind: "deadline" }, context).effects.replies[0]?.body).toBe("Done");
  });

  it("an HTTP step waits for its answer, maps fields and branches on them (errors follow onError)", () => {
    const lookup = flowOf({
      start: "h",
      steps: [
        {
          id: "h",
          type: "http",
          url: "https://shop.example/o/{{var.n}}",
          map: [{ variable: "s", path: "order.status" }],
          statusVariable: "code",
          next: "b",
          onError: "err",
        },
        {
          id: "b",
          type: "branch",
          branches: [
            {
              id: "yes",
              label: "Shipped",
              conditions: { all: [{ fact: "var.s", operator: "equal", value: "shipped" }] },
              next: "ok",
            },
          ],
          otherwise: "no",
        },
        { id: "ok", type: "send", text: "Shipped", next: null },
        { id: "no", type: "send", text: "Not yet: {{var.s}}", next: null },
        { id: "err", type: "send", text: "Error {{var.code}}", next: null },
      ],
    });
    const asked = start(lookup, { n: "7" });
    expect(asked.effects.http).toEqual({ stepId: "h" });
    expect(asked.state).toMatchObject({ wait: "http", token: 1 });
    const shipped = advanceFlow(
      lookup,
      asked.state!,
      { kind: "http", status: 200, body: { order: { status: "shipped" } }, error: null },
      context,
    );
    expect(shipped.effects.replies[0]?.body).toBe("Shipped");
    // The branch taken, traced by id and by the label it had then.
    expect(shipped.effects.trace.find((entry) => entry.stepId === "b")?.detail).toEqual({
      branch: "yes",
      label: "Shipped",
    });
    const packed = advanceFlow(
      lookup,
      asked.state!,
      { kind: "http", status: 200, body: { order: { status: "packed" } }, error: null },
      context,
    );
    expect(packed.effects.replies[0]?.body).toBe("Not yet: packed");
    expect(packed.effects.trace.find((entry) => entry.stepId === "b")?.detail).toEqual({ branch: "otherwise" });
    const failed = advanceFlow(lookup, asked.state!, { kind: "http", status: 503, body: "down", error: null }, context);
    expect(failed.effects.replies[0]?.body).toBe("Error 503");
    const trace = asked.effects.trace[0]!;
    expect(trace.detail).toEqual({ request: { method: "GET", url: "https://shop.example/o/7" } });
  });

  it("a loop with no wait in it ends the run as failed instead of spinning", () => {
    const loop = flowOf({
      start: "a",
      steps: [
        { id: "a", type: "tag", add: ["x"], next: "b" },
        { id: "b", type: "tag", add: ["y"], next: "a" },
      ],
    });
    const result = start(loop);
    expect(result.state).toBeNull();
    expect(result.effects.ended?.outcome).toBe("failed");
    expect(result.effects.trace.length).toBeGreaterThanOrEqual(MAX_STEPS_PER_MOVE);
  });

  it("a state whose step is gone ends as failed", () => {
    const state: TFlowState = { ...newRunState(menu, "00000000-0000-4000-8000-0000000000a2", NOW), stepId: "gone" };
    expect(advanceFlow(menu, state, text("1"), context).effects.ended?.outcome).toBe("failed");
  });
});

describe("answers", () => {
  const ask = (answer: string) =>
    ZFlowDefinition.parse({
      start: "q",
      steps: [{ id: "q", type: "ask", text: "?", answer, variable: "v", next: null }],
    }).steps[0] as never;
  it.each([
    ["number", "12,5", 12.5],
    ["number", "1.234,5", 1234.5],
    ["number", "1,234", 1234],
    ["email", "Ana@Example.COM", "ana@example.com"],
    ["phone", "912 345 678", "+351912345678"],
    ["date", "24/12/2026", "2026-12-24"],
    ["text", "  hello ", "hello"],
  ])("%s: %s → %s", (answer, given, value) => {
    expect(validateAnswer(ask(answer), { text: given, content: { kind: "text", text: given } }, context)).toMatchObject(
      { ok: true, value },
    );
  });
  it.each([
    ["number", "twelve"],
    ["number", "1.2.3"],
    ["email", "ana@"],
    ["phone", "abc"],
    ["date", "31/02/2026"],
    ["text", "   "],
    ["media", "a photo"],
  ])("%s refuses %s", (answer, given) => {
    expect(validateAnswer(ask(answer), { text: given, content: { kind: "text", text: given } }, context).ok).toBe(
      false,
    );
  });
  it("parses numbers and dates strictly", () => {
    expect(parseNumber("\u0000")).toBeNull();
    expect(parseNumber("-3")).toBe(-3);
    expect(parseDate("12/24/2026", "US")).toBe("2026-12-24");
    expect(parseDate("2026-02-30", "PT")).toBeNull();
  });
  it("reads paths in a JSON answer without walking the prototype", () => {
    expect(valueAtPath({ a: [{ b: 1 }] }, "a.0.b")).toBe(1);
    expect(valueAtPath({ a: 1 }, "constructor")).toBeNull();
    expect(valueAtPath({ a: { b: [1] } }, "a")).toBe('{"b":[1]}');
  });
  it("finds the next time of day in the org's zone", () => {
    // 10:00 UTC is 10:00 in Lisbon in December: 09:00 is tomorrow, 11:30 today.
    expect(nextTimeOfDay(NOW, "11:30", "Europe/Lisbon").toISOString()).toBe("2026-12-07T11:30:00.000Z");
    expect(nextTimeOfDay(NOW, "09:00", "Europe/Lisbon").toISOString()).toBe("2026-12-08T09:00:00.000Z");
    expect(nextTimeOfDay(NOW, "09:00", "America/Sao_Paulo").toISOString()).toBe("2026-12-07T12:00:00.000Z");
  });
});
