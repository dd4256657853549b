import { eq } from "drizzle-orm";
import type { TDb } from "~/db/client";
import { flows, flowVersions } from "~/db/schema";
import { ZFlowInput, type TFlowInput } from "~/server/flows/definition";

/**
 * Stores and publishes a flow as publishing does (a draft row, version n+1 with its snapshot,
 * the draft pointing at it), for tests of the pipeline that do not test the editor.
 */
export async function publishFlowRows(db: TDb, input: TFlowInput, existingId?: string): Promise<string> {
  const flow = ZFlowInput.parse(input);
  const values = {
    name: flow.name,
    description: flow.description,
    enabled: flow.enabled,
    definition: flow.definition as unknown as Record<string, unknown>,
    triggers: flow.triggers as unknown as Record<string, unknown>,
  };
  const id = existingId ?? (await db.insert(flows).values(values).returning({ id: flows.id }))[0]!.id;
  const [current] = await db.select({ version: flows.publishedVersion }).from(flows).where(eq(flows.id, id));
  const version = (current?.version ?? 0) + 1;
  await db.insert(flowVersions).values({ flowId: id, version, ...values, name: flow.name });
  await db
    .update(flows)
    .set({ ...values, publishedVersion: version })
    .where(eq(flows.id, id));
  return id;
}

/**
 * A small menu flow ("track" starts it): three options, "Returns" routed to its own answer; the
 * same definition on every engine (buttons where the engine has them, a numbered menu elsewhere).
 */
export const MENU_FLOW: TFlowInput = {
  name: "Help menu",
  triggers: { keywords: ["track"], firstMessage: false },
  definition: {
    start: "menu",
    steps: [
      {
        id: "menu",
        type: "ask",
        text: "Which do you need?",
        answer: "choice",
        choices: { style: "buttons", options: [{ title: "Orders" }, { title: "Returns" }, { title: "Talk to us" }] },
        routes: { returns: "returns" },
        variable: "topic",
        next: "orders",
        onInvalid: "orders",
      },
      { id: "orders", type: "send", text: "Orders ship within 2 days.", next: null },
      { id: "returns", type: "send", text: "Returns: 30 days, free ({{var.topic_title}}).", next: null },
    ],
  },
};

/**
 * "orders" → "Which do you need?" (greeting the contact by name with `greet`) → the order number → the order system → shipped: say so; else hand off. */
export function ordersFlow(
  ordersUrl: string,
  options: { style?: "buttons" | "list"; greet?: boolean } = {},
): TFlowInput {
  const style = options.style ?? "buttons";
  return {
    name: options.greet ? `Orders ${Math.random()}` : "Orders",
    triggers: { keywords: ["orders"], firstMessage: false },
    definition: {
      start: "menu",
      steps: [
        {
          id: "menu",
          type: "ask",
          text: options.greet ? "Which do you need, {{contact.firstName}}?" : "Which do you need?",
          answer: "choice",
          choices: { style, options: [{ title: "Orders" }, { title: "Returns" }, { title: "Talk to us" }] },
          routes: { returns: "returns", "talk-to-us": "people" },
          variable: "topic",
          next: "order",
        },
        {
          id: "order",
          type: "ask",
          text: "Your order number?",
          answer: "number",
          variable: "order",
          retryText: "That is not an order number.",
          maxAttempts: 2,
          next: "lookup",
          onInvalid: "people",
        },
        {
          id: "lookup",
          type: "http",
          method: "GET",
          url: `${ordersUrl}/orders/{{var.order}}`,
          map: [
            { variable: "order_status", path: "status" },
            { variable: "first_item", path: "items.0.name" },
          ],
          statusVariable: "http_status",
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
              next: "shipped-reply",
            },
          ],
          otherwise: "people",
        },
        {
          id: "shipped-reply",
          type: "send",
          text: "Order {{var.order}} ({{var.first_item}}) has shipped.",
          next: "done",
        },
        { id: "returns", type: "send", text: "Returns are free within 30 days.", next: "done" },
        { id: "people", type: "handoff", note: "From the orders flow" },
        { id: "done", type: "end" },
      ],
    },
  };
}

export const BOOKING_TIMEOUT_S = 120;
export const BOOKING_QUESTION = "Which day?";
export const BOOKING_REMINDER = "Still there? Which day?";

/** "book" → "Which day?" (2 minutes) → "Still there? Which day?" (10 more minutes) → a person. */
export const BOOKING_FLOW: TFlowInput = {
  name: "Booking",
  triggers: { keywords: ["book"], firstMessage: false },
  definition: {
    start: "when",
    steps: [
      {
        id: "when",
        type: "ask",
        text: BOOKING_QUESTION,
        answer: "date",
        variable: "day",
        timeoutSeconds: BOOKING_TIMEOUT_S,
        next: "ok",
        onTimeout: "remind",
      },
      {
        id: "remind",
        type: "ask",
        text: BOOKING_REMINDER,
        answer: "date",
        variable: "day",
        timeoutSeconds: 600,
        next: "ok",
        onTimeout: "people",
      },
      { id: "ok", type: "send", text: "Booked for {{var.day}}.", next: null },
      { id: "people", type: "handoff", note: "No answer to the booking question" },
    ],
  },
};
