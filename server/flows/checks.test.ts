import { describe, expect, it } from "vitest";
import { checkFlow, hasBlockingProblems, localizeProblem, type TFlowCheckContext } from "./checks";
import { ZFlowDefinition, type TFlowDefinition } from "./definition";

const OTHER_FLOW = "6f1d7a52-2d57-4c1e-9a55-0a0c3d7c1a01";
const FILE = "6f1d7a52-2d57-4c1e-9a55-0a0c3d7c1a02";
const CONTEXT: TFlowCheckContext = {
  flowIds: new Set([OTHER_FLOW]),
  fieldKeys: new Set(["city"]),
  assetIds: new Set([FILE]),
};

function flow(start: string | null, steps: unknown[]): TFlowDefinition {
  return ZFlowDefinition.parse({ start, steps });
}

/** The problems' codes with their steps and severities, to compare in one go. */
function found(definition: TFlowDefinition, context = CONTEXT) {
  return checkFlow(definition, context).map((problem) => `${problem.severity}:${problem.code}:${problem.stepId}`);
}

const end = { id: "end", type: "end" };

describe("checkFlow", () => {
  it("finds nothing in a sound flow", () => {
    const definition = flow("ask", [
      {
        id: "ask",
        type: "ask",
        text: "Your order number?",
        answer: "number",
        variable: "order",
        timeoutSeconds: 600,
        next: "say",
        onInvalid: "end",
        onTimeout: "end",
      },
      { id: "say", type: "send", text: "Order {{var.order}}", next: "end" },
      end,
    ]);
    expect(found(definition)).toEqual([]);
  });

  it("reports a flow without a start step as an error", () => {
    expect(found(flow(null, [end]))).toEqual(["error:noStart:null"]);
  });

  it("warns about steps the start cannot reach", () => {
    expect(found(flow("end", [end, { id: "lost", type: "send", text: "hi", next: "end" }]))).toEqual([
      "warning:unreachable:lost",
    ]);
  });

  it("reports a non-terminal step that leads nowhere as an error, and terminal steps not at all", () => {
    const definition = flow("say", [
      { id: "say", type: "send", text: "hi", next: "tag" },
      { id: "tag", type: "tag", add: ["lead"], next: null },
      { id: "hand", type: "handoff" },
    ]);
    expect(found(definition)).toEqual(["error:deadEnd:tag", "warning:unreachable:hand"]);
  });

  it("warns that an ask without onInvalid or onTimeout ends the flow there, and that one without timeout waits for ever", () => {
    const base = { id: "ask", type: "ask", text: "Name?", answer: "text", variable: "name", next: "end" };
    expect(found(flow("ask", [{ ...base, onInvalid: "end" }, end]))).toEqual(["warning:waitsForEver:ask"]);
    expect(found(flow("ask", [{ ...base, timeoutSeconds: 60, onTimeout: "end" }, end]))).toEqual([
      "warning:invalidEnds:ask",
    ]);
    expect(found(flow("ask", [{ ...base, onInvalid: "end", timeoutSeconds: 60 }, end]))).toEqual([
      "warning:timeoutEnds:ask",
    ]);
    expect(checkFlow(flow("ask", [{ ...base, timeoutSeconds: 60, onTimeout: "end" }, end]), CONTEXT)[0]!.message).toBe(
      "After 3 answers that are not valid, “ask” ends the flow.",
    );
  });

  it("reports a menu option with no route and no next, naming the option", () => {
    const menu = {
      id: "menu",
      type: "ask",
      title: "Menu",
      text: "Which?",
      answer: "choice",
      choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }, { title: "Talk to us" }] },
      routes: { orders: "end", returns: "end" },
      variable: "topic",
      timeoutSeconds: 60,
      onInvalid: "end",
      onTimeout: "end",
    };
    const problems = checkFlow(flow("menu", [menu, end]), CONTEXT);
    expect(problems.map((problem) => `${problem.code}:${problem.values.option}`)).toEqual([
      "optionLeadsNowhere:Talk to us",
    ]);
    expect(problems[0]!.message).toBe("Menu option “Talk to us” of “Menu” leads nowhere.");
    // A `next` catches the options without their own route.
    expect(found(flow("menu", [{ ...menu, next: "end" }, end]))).toEqual([]);
  });

  it("warns about a branch step without otherwise, and reports a branch leading nowhere", () => {
    const branch = {
      id: "check",
      type: "branch",
      branches: [
        {
          id: "ok",
          label: "Found",
          conditions: { all: [{ fact: "message.text", operator: "equal", value: "x" }] },
          next: "end",
        },
        { id: "ko", conditions: { all: [{ fact: "message.text", operator: "equal", value: "y" }] }, next: null },
      ],
    };
    expect(found(flow("check", [branch, end]))).toEqual(["error:branchDeadEnd:check", "warning:noOtherwise:check"]);
    expect(found(flow("check", [{ ...branch, branches: [branch.branches[0]], otherwise: "end" }, end]))).toEqual([]);
  });

  it("warns about a variable used where some path has not set it", () => {
    const definition = flow("ask", [
      {
        id: "ask",
        type: "ask",
        text: "Order?",
        answer: "number",
        variable: "order",
        timeoutSeconds: 60,
        next: "lookup",
        onInvalid: "say",
        onTimeout: "say",
      },
      // Reached with `order` set (after an answer) and without (after invalid answers): not set on every path.
      { id: "say", type: "send", text: "About {{var.order}}", next: "end" },
      {
        id: "lookup",
        type: "http",
        url: "https://shop.example/orders/{{var.order}}",
        map: [{ variable: "status", path: "status" }],
        next: "report",
        onError: "report",
      },
      // `status` comes only from a 2xx answer: the error path leaves it unset.
      {
        id: "report",
        type: "branch",
        branches: [
          { id: "found", conditions: { all: [{ fact: "var.status", operator: "equal", value: "sent" }] }, next: "end" },
        ],
        otherwise: "end",
      },
      end,
    ]);
    expect(
      checkFlow(definition, CONTEXT)
        .filter((problem) => problem.code === "usedBeforeSet")
        .map((problem) => `${problem.stepId}:${problem.values.variable}`),
    ).toEqual(["say:order", "report:status"]);
  });

  it("takes a variable set on every path into a loop as set", () => {
    const definition = flow("set", [
      {
        id: "set",
        type: "set",
        assignments: [{ target: "variable", name: "count", value: "0" }],
        next: "say",
      },
      { id: "say", type: "send", text: "{{var.count}}", next: "again" },
      { id: "again", type: "set", assignments: [{ target: "variable", name: "count", value: "1" }], next: "say" },
    ]);
    expect(found(definition)).toEqual([]);
  });

  it("reports a go-to-flow step to a missing flow", () => {
    expect(found(flow("go", [{ id: "go", type: "goto_flow", flowId: OTHER_FLOW }]))).toEqual([]);
    expect(
      found(flow("go", [{ id: "go", type: "goto_flow", flowId: "6f1d7a52-2d57-4c1e-9a55-0a0c3d7c1a09" }])),
    ).toEqual(["error:missingFlow:go"]);
  });

  it("reports a set step writing a contact field that does not exist", () => {
    const set = (name: string) =>
      flow("set", [{ id: "set", type: "set", assignments: [{ target: "field", name, value: "x" }], next: "end" }, end]);
    expect(found(set("city"))).toEqual([]);
    expect(found(set("shoe_size"))).toEqual(["error:unknownField:set"]);
  });

  it("reports a send step whose file is gone", () => {
    const send = (mediaAssetId: string) =>
      flow("send", [{ id: "send", type: "send", text: "", mediaAssetId, next: "end" }, end]);
    expect(found(send(FILE))).toEqual([]);
    expect(found(send("6f1d7a52-2d57-4c1e-9a55-0a0c3d7c1a08"))).toEqual(["error:missingFile:send"]);
  });

  it("blocks publishing on errors only, and speaks the reader's language", () => {
    const problems = checkFlow(flow(null, [end]), CONTEXT);
    expect(hasBlockingProblems(problems)).toBe(true);
    expect(hasBlockingProblems(checkFlow(flow("end", [end, { id: "x", type: "end" }]), CONTEXT))).toBe(false);
    expect(localizeProblem(problems[0]!, "es").message).toBe(
      "El flujo no tiene paso inicial: marca el paso con el que empieza.",
    );
  });
});
