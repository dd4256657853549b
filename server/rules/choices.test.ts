import { describe, expect, it } from "vitest";
import { numberedMenu, textOf, ZMessageContent, type TMessageContent } from "~/server/messages/content";
import { planActions, templateKey, type TRuleTemplate } from "./actions";
import { buildFacts, chosenOption } from "./facts";
import { slugOfTitle, ZRuleAction, type TRuleAction } from "./schema";

const MENU = [
  { id: "orders", title: "Orders" },
  { id: "returns", title: "Returns" },
  { id: "talk-to-us", title: "Talk to us" },
];

/** The first issue's message and path of a reply action that does not parse. */
function refusal(action: unknown) {
  const parsed = ZRuleAction.safeParse(action);
  if (parsed.success) throw new Error("expected a refusal");
  return parsed.error.issues.map((issue) => ({ message: issue.message, path: issue.path.join(".") }));
}

function plan(action: TRuleAction, templates?: ReadonlyMap<string, TRuleTemplate> | null) {
  return planActions(
    { outcomes: [], actions: [{ ruleId: "r1", action }], matchedAny: true },
    { template: { "contact.name": "Ana" }, defaultReply: null, ...(templates !== undefined ? { templates } : {}) },
  );
}

function parse(action: unknown): TRuleAction {
  return ZRuleAction.parse(action);
}

describe("a reply's choices (schema)", () => {
  it("gives each option without an id a slug of its title, unique within the reply", () => {
    const action = parse({
      type: "reply",
      text: "How can we help?",
      choices: {
        style: "list",
        options: [
          { title: "Talk to us" },
          { title: "Talk to us!" },
          { id: "talk-to-us-2", title: "Other" },
          { title: "Ação" },
        ],
      },
    });
    expect(action.type === "reply" && action.choices?.options.map((option) => option.id)).toEqual([
      "talk-to-us",
      "talk-to-us-3",
      "talk-to-us-2",
      "acao",
    ]);
    expect(slugOfTitle("  ¿?  ")).toBe("option");
  });

  it("holds buttons to WhatsApp's limits: 3 buttons, titles of 20", () => {
    expect(
      refusal({
        type: "reply",
        text: "Pick",
        choices: { style: "buttons", options: [{ title: "a" }, { title: "b" }, { title: "c" }, { title: "d" }] },
      }),
    ).toEqual([{ message: "At most 3 buttons", path: "choices.options" }]);
    expect(
      refusal({ type: "reply", text: "Pick", choices: { style: "buttons", options: [{ title: "x".repeat(21) }] } }),
    ).toEqual([{ message: "At most 20 characters", path: "choices.options.0.title" }]);
    // A list row may have 21–24 characters.
    expect(() =>
      parse({ type: "reply", text: "Pick", choices: { style: "list", options: [{ title: "x".repeat(24) }] } }),
    ).not.toThrow();
  });

  it("holds lists to WhatsApp's limits: 10 rows, titles of 24, descriptions of 72", () => {
    const rows = (count: number) => Array.from({ length: count }, (_, index) => ({ title: `Row ${index}` }));
    expect(refusal({ type: "reply", text: "Pick", choices: { style: "list", options: rows(11) } })).toEqual([
      { message: "At most 10 options", path: "choices.options" },
    ]);
    expect(
      refusal({ type: "reply", text: "Pick", choices: { style: "list", options: [{ title: "x".repeat(25) }] } }),
    ).toEqual([{ message: "At most 24 characters", path: "choices.options.0.title" }]);
    expect(
      refusal({
        type: "reply",
        text: "Pick",
        choices: { style: "list", options: [{ title: "x", description: "d".repeat(73) }] },
      }),
    ).toEqual([{ message: "At most 72 characters", path: "choices.options.0.description" }]);
    expect(refusal({ type: "reply", text: "Pick", choices: { style: "list", options: [] } })).toEqual([
      { message: "Add at least one option", path: "choices.options" },
    ]);
  });

  it("refuses a choice with a file, two options with one id, and a choice without its text", () => {
    expect(
      refusal({
        type: "reply",
        text: "Our menu",
        mediaAssetId: "6a0b5c0e-9a53-4a5e-9d37-0c5d3b1a3f11",
        choices: { style: "buttons", options: [{ title: "Yes" }] },
      }),
    ).toEqual([{ message: "A choice cannot carry a file", path: "choices" }]);
    expect(
      refusal({
        type: "reply",
        text: "Pick",
        choices: {
          style: "buttons",
          options: [
            { id: "same", title: "A" },
            { id: "same", title: "B" },
          ],
        },
      }),
    ).toEqual([{ message: "Two options have this id", path: "choices.options.1.id" }]);
    expect(refusal({ type: "reply", text: " ", choices: { style: "buttons", options: [{ title: "A" }] } })).toEqual([
      { message: "Enter the reply", path: "text" },
    ]);
  });
});

describe("a reply's choices (planActions)", () => {
  it("becomes an interactive content whose text stand-in is the numbered menu", () => {
    const effects = plan(
      parse({
        type: "reply",
        text: "Hi {{contact.name}}, what do you need?",
        choices: { style: "buttons", options: MENU.map(({ title }) => ({ title })) },
      }),
    );
    const reply = effects.replies[0]!;
    expect(reply.content).toEqual({
      kind: "interactive",
      style: "buttons",
      body: "Hi Ana, what do you need?",
      options: MENU,
    });
    expect(ZMessageContent.safeParse(reply.content).success).toBe(true);
    expect(reply.body).toBe("Hi Ana, what do you need?\n\n1. Orders\n2. Returns\n3. Talk to us");
    expect(reply.body).toBe(textOf(reply.content!));
  });

  it("gives a list its button label (a default when none) and keeps row descriptions", () => {
    const [reply] = plan(
      parse({
        type: "reply",
        text: "Pick a day",
        choices: { style: "list", options: [{ id: "tue", title: "Tuesday", description: "9:00–17:00" }] },
      }),
    ).replies;
    expect(reply?.content).toMatchObject({
      style: "list",
      button: "Options",
      options: [{ id: "tue", title: "Tuesday", description: "9:00–17:00" }],
    });
    expect(ZMessageContent.safeParse(reply?.content).success).toBe(true);
  });
});

describe("answering a choice", () => {
  const offered = MENU;
  const answer = (body: string, content?: TMessageContent, choice: typeof MENU | null = offered) =>
    chosenOption({ body, ...(content ? { content } : {}), offeredChoice: choice });

  it("understands the number or the title of an option", () => {
    expect(answer("2")).toEqual({ id: "returns", title: "Returns" });
    expect(answer(" 2. ")).toEqual({ id: "returns", title: "Returns" });
    expect(answer("3)")).toEqual({ id: "talk-to-us", title: "Talk to us" });
    expect(answer("talk  TO us")).toEqual({ id: "talk-to-us", title: "Talk to us" });
  });

  it("chooses nothing out of range, for other words, other kinds, or without a choice offered", () => {
    expect(answer("9")).toBeNull();
    expect(answer("0")).toBeNull();
    expect(answer("2 please")).toBeNull();
    expect(answer("[Photo]", { kind: "image" })).toBeNull();
    expect(answer("2", undefined, null)).toBeNull();
  });

  it("takes a tapped button or list row as it came, choice offered or not", () => {
    expect(answer("Returns", { kind: "button_reply", id: "returns", title: "Returns" }, null)).toEqual({
      id: "returns",
      title: "Returns",
    });
    expect(answer("Tuesday", { kind: "list_reply", id: "tue", title: "Tuesday" })).toEqual({
      id: "tue",
      title: "Tuesday",
    });
  });

  it("fills message.replyId and message.replyTitle", () => {
    const facts = buildFacts({
      message: {
        body: "2",
        type: "text",
        hasMedia: false,
        isFirst: false,
        sentiment: "neutral",
        offeredChoice: offered,
      },
      contact: {
        name: null,
        relationship: "other",
        priority: 0,
        tags: [],
        profileName: null,
        optedOut: false,
        firstSeenAt: new Date(),
        messageCount: 2,
      },
      thread: { mode: "bot", messageCount: 3, lastBotReplyAt: null, topics: [], sentiment: "neutral" },
      now: new Date(),
      timeZone: "UTC",
      businessHours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    });
    expect(facts["message.replyId"]).toBe("returns");
    expect(facts["message.replyTitle"]).toBe("Returns");
  });

  it("reads the menu it was sent: the numbered menu's numbers are the options' order", () => {
    const menu = numberedMenu({ kind: "interactive", style: "buttons", body: "Pick", options: offered });
    expect(menu).toBe("Pick\n\n1. Orders\n2. Returns\n3. Talk to us");
  });
});

describe("send_template", () => {
  const ORDER_UPDATE: TRuleTemplate = {
    name: "order_update",
    language: "en_US",
    status: "APPROVED",
    components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} is on its way." }],
  };
  const action = parse({
    type: "send_template",
    name: "order_update",
    language: "en_US",
    values: { body: ["{{contact.name}}", "#1042"] },
  });

  it("builds the template with the values rendered for the contact", () => {
    const effects = plan(action, new Map([[templateKey("order_update", "en_US"), ORDER_UPDATE]]));
    expect(effects.skipped).toEqual([]);
    expect(effects.replies[0]).toMatchObject({
      body: "Hi Ana, your order #1042 is on its way.",
      content: {
        kind: "template",
        name: "order_update",
        language: "en_US",
        components: [{ type: "body", params: ["Ana", "#1042"] }],
      },
    });
  });

  it("is skipped, saying why, on a number that cannot send templates, lacks the template, or refuses the values", () => {
    expect(plan(action, null)).toMatchObject({
      replies: [],
      skipped: [{ ruleId: "r1", reason: "no_templates", template: "order_update (en_US)" }],
    });
    expect(plan(action, new Map()).skipped).toMatchObject([{ reason: "no_template" }]);
    const missing = parse({ ...action, values: { body: ["{{contact.name}}"] } });
    expect(plan(missing, new Map([[templateKey("order_update", "en_US"), ORDER_UPDATE]])).skipped).toMatchObject([
      { reason: "invalid", detail: expect.stringContaining("{{2}}") },
    ]);
  });

  it("refuses values with unknown variables", () => {
    expect(
      ZRuleAction.safeParse({ type: "send_template", name: "x", language: "en", values: { body: ["{{nope}}"] } })
        .success,
    ).toBe(false);
  });
});
