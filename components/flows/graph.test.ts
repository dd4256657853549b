import { describe, expect, it } from "vitest";
import { ZFlowDefinition, type TStepOf } from "~/server/flows/definition";
import { addStep, connect, handlesOf, removeSteps, renameOptions } from "./graph";

const definition = ZFlowDefinition.parse({
  start: "menu",
  steps: [
    {
      id: "menu",
      type: "ask",
      text: "Which?",
      answer: "choice",
      choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }] },
      routes: { orders: "check" },
      variable: "topic",
      timeoutSeconds: 60,
      onTimeout: "bye",
    },
    {
      id: "check",
      type: "branch",
      branches: [
        { id: "b1", conditions: { all: [{ fact: "var.topic", operator: "equal", value: "x" }] }, next: "bye" },
      ],
      otherwise: "bye",
    },
    { id: "bye", type: "end" },
  ],
});

describe("the canvas's graph edits", () => {
  it("gives a step a handle for every way out, connected or not", () => {
    expect(handlesOf(definition.steps[0]!).map((handle) => [handle.key, handle.target])).toEqual([
      ["route:orders", "check"],
      ["route:returns", null],
      ["next", null],
      ["onInvalid", null],
      ["onTimeout", "bye"],
    ]);
    expect(handlesOf(definition.steps[1]!).map((handle) => handle.key)).toEqual(["branch:b1", "otherwise"]);
    expect(handlesOf(definition.steps[2]!)).toEqual([]);
  });

  it("connects and disconnects menu routes, branches and plain transitions", () => {
    let next = connect(definition, "menu", "route:returns", "bye");
    next = connect(next, "check", "branch:b1", null);
    next = connect(next, "menu", "onInvalid", "bye");
    next = connect(next, "menu", "route:orders", null);
    const menu = next.steps[0] as TStepOf<"ask">;
    expect(menu.routes).toEqual({ returns: "bye" });
    expect(menu.onInvalid).toBe("bye");
    expect((next.steps[1] as TStepOf<"branch">).branches[0]!.next).toBeNull();
    expect(ZFlowDefinition.safeParse(next).success).toBe(true);
  });

  it("removes a step with every transition into it, and the start when it was the start", () => {
    const next = removeSteps(definition, new Set(["bye"]));
    expect(next.steps.map((step) => step.id)).toEqual(["menu", "check"]);
    expect(ZFlowDefinition.safeParse(next).success).toBe(true);
    expect(removeSteps(definition, new Set(["menu"])).start).toBeNull();
  });

  it("adds steps under free ids; the first step of an empty flow is its start", () => {
    const first = addStep({ start: null, steps: [] }, "send", { x: 0, y: 0 });
    expect(first.definition.start).toBe(first.id);
    const second = addStep(first.definition, "send", { x: 0, y: 0 });
    expect(second.id).not.toBe(first.id);
    expect(second.definition.start).toBe(first.id);
  });

  it("keeps a menu option's route when its title (and so its id) changes", () => {
    const renamed = renameOptions(definition.steps[0] as TStepOf<"ask">, ["My orders", "Returns"], "buttons");
    expect(renamed.choices?.options.map((option) => option.id)).toEqual(["my-orders", "returns"]);
    expect(renamed.routes).toEqual({ "my-orders": "check" });
  });
});
