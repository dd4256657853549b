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
