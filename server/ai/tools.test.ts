import { describe, expect, it } from "vitest";
import { domainText } from "~/server/i18n/domain";
import { findUnstorableText } from "~/server/lib/storable-text";
import {
  argumentsProblem,
  parametersProblem,
  renderToolRequest,
  toolRunner,
  ZToolInput,
  type TToolParameters,
} from "./tools";

const ORDER: TToolParameters = {
  type: "object",
  properties: {
    order: { type: "string", description: "The order number" },
    count: { type: "integer" },
    express: { type: "boolean" },
    size: { type: "string", enum: ["s", "m", "l"] },
  },
  required: ["order"],
};

const problem = (value: unknown) => {
  const found = parametersProblem(value);
  return found === null ? null : domainText("en", found);
};

describe("a tool's parameters schema", () => {
  it("accepts an object of simple properties with descriptions, enums and required", () => {
    expect(problem(ORDER)).toBeNull();
    expect(problem({ type: "object", properties: {} })).toBeNull();
    expect(problem({ type: "object" })).toBeNull();
  });

  it("refuses anything else with a message naming the parameter", () => {
    expect(problem([])).toMatch(/JSON schema object/);
    expect(problem({ type: "string" })).toMatch(/"type": "object"/);
    expect(problem({ type: "object", properties: { a: { type: "object" } } })).toBe(
      'Parameter "a": the type must be string, number, integer or boolean.',
    );
    expect(problem({ type: "object", properties: { a: { type: "array", items: { type: "string" } } } })).toMatch(
      /Parameter "a"/,
    );
    expect(problem({ type: "object", properties: { a: { type: "string", pattern: "x" } } })).toBe(
      'Parameter "a": only type, description and enum are allowed, not "pattern".',
    );
    expect(problem({ type: "object", properties: { "a-b": { type: "string" } } })).toMatch(/Parameter "a-b"/);
    expect(problem({ type: "object", properties: { a: { type: "integer", enum: ["x"] } } })).toMatch(/enum/);
    expect(problem({ type: "object", properties: {}, required: ["a"] })).toBe(
      '"required" names "a", which is not a parameter.',
    );
    expect(problem({ type: "object", properties: {}, additionalProperties: false })).toMatch(/additionalProperties/);
    expect(problem({ type: "object", properties: { a: "string" } })).toMatch(/Parameter "a"/);
  });
});

describe("the model's arguments", () => {
  it("pass when they fit the schema", () => {
    expect(argumentsProblem(ORDER, { order: "1234" })).toBeNull();
    expect(argumentsProblem(ORDER, { order: "1", count: 2, express: true, size: "m" })).toBeNull();
  });

  it("are refused when missing, unknown, of another type or outside the enum", () => {
    expect(argumentsProblem(ORDER, {})).toBe('missing required parameter "order"');
    expect(argumentsProblem(ORDER, { order: 1234 })).toBe('parameter "order": expected a string');
    expect(argumentsProblem(ORDER, { order: "1", count: 1.5 })).toBe('parameter "count": expected an integer');
    expect(argumentsProblem(ORDER, { order: "1", express: "yes" })).toBe('parameter "express": expected true or false');
    expect(argumentsProblem(ORDER, { order: "1", size: "xl" })).toMatch(/must be one of "s", "m", "l"/);
    expect(argumentsProblem(ORDER, { order: "1", shell: "rm" })).toBe('unknown parameter "shell"');
    expect(argumentsProblem(ORDER, ["1234"])).toBe("the arguments must be an object");
  });
});

describe("a tool's request", () => {
  const tool = {
    method: "POST" as const,
    url: "https://shop.example/orders/{{args.order}}?q={{args.q}}",
    headers: [{ name: "Authorization", value: "Bearer {{secrets.SHOP_TOKEN}}" }],
    body: '{"order": "{{args.order}}", "express": {{args.express}}}',
  };

  it("fills arguments (percent-encoded in the URL) and secrets", () => {
    const request = renderToolRequest(
      tool,
      { order: "12/34", q: "a b&c", express: true },
      new Map([["SHOP_TOKEN", "s3cret"]]),
    );
    expect(request.url).toBe("https://shop.example/orders/12%2F34?q=a%20b%26c");
    expect(request.headers).toEqual({ Authorization: "Bearer s3cret", "Content-Type": "application/json" });
    expect(request.body).toBe('{"order": "12/34", "express": true}');
  });

  it("masks secrets when shown, and sends no body with GET", () => {
    const request = renderToolRequest({ ...tool, method: "GET" }, { order: "1" }, null);
    expect(request.headers.Authorization).toBe("Bearer ••••");
    expect(request.body).toBeNull();
  });

  it("refuses placeholders that are neither parameters nor secrets", () => {
    const parsed = ZToolInput.safeParse({
      name: "order_status",
      description: "Looks up an order",
      parameters: ORDER,
      url: "https://shop.example/orders/{{args.nope}}/{{contact.name}}",
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
      '"args.nope" is not one of this tool\'s parameters (args.NAME) or a secret (secrets.NAME).',
      '"contact.name" is not one of this tool\'s parameters (args.NAME) or a secret (secrets.NAME).',
    ]);
    expect(ZToolInput.safeParse({ name: "Order", description: "x", url: "https://a.example" }).success).toBe(false);
    expect(
      ZToolInput.safeParse({ name: "order_status", description: "x", url: "https://a.example", timeoutMs: 50 }).success,
    ).toBe(false);
    // The built-in hand-off's name is taken.
    expect(
      ZToolInput.safeParse({ name: "hand_off_to_person", description: "x", url: "https://a.example" }).error?.issues[0]
        ?.message,
    ).toBe("hand_off_to_person is the built-in hand-off; choose another name");
  });
});

describe("a call as the trace stores it", () => {
  it("holds no NUL, no broken UTF-16 and no megabyte from the model", async () => {
    const runner = toolRunner([], { allowPrivate: false, loadSecrets: () => Promise.resolve(new Map()) }, "k");
    const { record } = await runner.run(
      { name: "nope\u0000\ud800", args: { a: "x\u0000y\udc00", big: "z".repeat(100_000) } },
      Date.now() + 1_000,
    );
    expect(findUnstorableText(record)).toBeNull();
    expect(record.tool).toBe("nope\ufffd");
    expect(JSON.stringify(record.args).length).toBeLessThan(2_200);
    expect(record.error).toMatch(/^unknown_tool/);
  });
});
