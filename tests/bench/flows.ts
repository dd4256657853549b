import { eq } from "drizzle-orm";
import { flows } from "~/db/schema";
import { getSimulatorSessionId, updateSessionSettings } from "~/server/sessions/sessions";
import { updateOrgSettings } from "~/server/settings/settings";
import { createInboundIngestor } from "~/server/messaging/ingest";
import { ZFlowDefinition, type TFlowInput } from "~/server/flows/definition";
import { advanceFlow, compileFlow, newRunState, type TFlowContext } from "~/server/flows/run";
import { publishFlowRows } from "../support/flows";
import { waitFor } from "../support/processes";
import { withBenchDatabase } from "./database";
import {
  ingestMany,
  publishBenchRules,
  startBoss,
  startWorker,
  stopWorker,
  waitAllSent,
  type TContext,
} from "./pipeline";
import { note, percentile, report } from "./report";

const BENCH = "flows";

/**
 * A 100-step flow: an ask, then 97 branch steps of 6 branches each (condition trees over the
 * flow's variables, a contact field and the rules' facts, none matching until the last step),
 * then a reply and an end. One move from the answer runs every branch step.
 */
function hundredStepFlow() {
  const steps: unknown[] = [
    { id: "ask", type: "ask", text: "Your order?", answer: "text", variable: "order", next: "b0" },
  ];
  for (let index = 0; index < 97; index += 1) {
    steps.push({
      id: `b${index}`,
      type: "branch",
      branches: Array.from({ length: 6 }, (_, branch) => ({
        id: `x${branch}`,
        conditions: {
          any: [
            { fact: "var.order", operator: "equal", value: `order-${index}-${branch}` },
            {
              all: [
                { fact: "field.plan", operator: "equal", value: "platinum" },
                { fact: "message.text", operator: "containsWord", value: `w${branch}` },
                { fact: "contact.priority", operator: "greaterThan", value: 5 },
              ],
            },
            { not: { fact: "contact.tags", operator: "contains", value: "customer" } },
          ],
        },
        next: "reply",
      })),
      otherwise: index === 96 ? "reply" : `b${index + 1}`,
    });
  }
  steps.push({ id: "reply", type: "send", text: "Thanks for {{var.order}}", next: "end" });
  steps.push({ id: "end", type: "end" });
  return compileFlow({
    flowId: "00000000-0000-4000-8000-000000000100",
    version: 1,
    name: "100 steps",
    definition: ZFlowDefinition.parse({ start: "ask", steps }),
  });
}

function evaluationBench() {
  const flow = hundredStepFlow();
  const context: TFlowContext = {
    now: new Date(),
    timeZone: "Europe/Lisbon",
    defaultCountry: "PT",
    facts: { "message.text": "order 1234 please", "contact.priority": 1, "contact.tags": ["customer"] },
    fields: { plan: "gold" },
    template: {},
    coerceField: () => ({ ok: false, reason: "unknown_field" }),
    assets: new Map(),
    messageId: null,
  };
  const asked = advanceFlow(
    flow,
    newRunState(flow, "00000000-0000-4000-8000-000000000200", context.now),
    { kind: "start" },
    context,
  );
  const input = {
    kind: "message" as const,
    messageId: "m",
    text: "1234",
    content: { kind: "text" as const, text: "1234" },
  };
  const branchSteps = 97;
  const perStep: number[] = [];
  const perMove: number[] = [];
  for (let round = 0; round < 3_000; round += 1) {
    const started = performance.now();
    const moved = advanceFlow(flow, asked.state!, input, context);
    const elapsed = performance.now() - started;
    if (moved.effects.replies.length !== 1) throw new Error("the 100-step flow did not reach its reply");
    if (round >= 500) {
      perMove.push(elapsed);
      perStep.push(elapsed / branchSteps);
    }
  }
  perStep.sort((a, b) => a - b);
  perMove.sort((a, b) => a - b);
  report(BENCH, "flow_step_eval_p95_ms", percentile(perStep, 95), { branches_per_step: 6, steps: 100 });
  report(BENCH, "flow_move_100_steps_p95_ms", percentile(perMove, 95), { branch_steps: branchSteps });
}

/** A flow every message moves: it asks, the answer is stored, and it asks again (one reply per message). */
const LOOP_FLOW: TFlowInput = {
  name: "Benchmark loop",
  triggers: { keywords: [], firstMessage: true },
  definition: {
    start: "ask",
    steps: [
      {
        id: "ask",
        type: "ask",
        text: "Thanks {{contact.firstName | there}}, got it.",
        answer: "text",
        variable: "last",
        next: "count",
      },
      {
        id: "count",
        type: "set",
        assignments: [{ target: "variable", name: "previous", value: "{{var.last}}" }],
        next: "ask",
      },
    ],
  },
};

async function throughput(context: TContext, count: number, firstNumber: number): Promise<number> {
  const worker = startWorker(context.url);
  await waitFor(
    async () =>
      (await context.pool.query("select 1 from worker_heartbeats where stopped_at is null limit 1")).rowCount === 1,
    60_000,
    "the worker",
  );
  const since = new Date();
  const started = Date.now();
  await ingestMany(context, count, undefined, firstNumber);
  const last = await waitAllSent(context, since, count, 600_000);
  await stopWorker(worker);
  return count / ((last.getTime() - started) / 1000);
}

export async function runFlowsBench() {
  evaluationBench();
  await withBenchDatabase(async ({ url, db, pool }) => {
    const sessionId = await getSimulatorSessionId(db);
    await updateSessionSettings(db, null, sessionId, { pacing: { enabled: false }, simulator: { acks: false } });
    await publishBenchRules(db);
    await updateOrgSettings(db, null, { replyCapLimit: 1_000, replyCapMinutes: 1 });
    const boss = await startBoss(url);
    const context: TContext = { url, db, pool, sessionId, boss, ingestor: createInboundIngestor(db, boss) };
    const count = Number(process.env.BENCH_FLOW_MESSAGES ?? 4_000);
    note(`warm-up: 1,000 messages, rules only`);
    await throughput(context, 1_000, 2_000_000);
    // Rules and flows take turns, each with new contacts, in the order rules, flows, flows, rules,
    // twice (ABBA ABBA): each run is slower than the one before it (the tables and pg-boss's
    // queues grow), so a fixed order would charge that growth to whichever goes second; and one
    // turn of a few seconds varies by ±15 % on this machine, so four of each are averaged. The flow is enabled
    // only for its own turns (its first-message trigger then starts it for every new contact,
    // and each later message moves it).
    const flowId = await publishFlowRows(db, { ...LOOP_FLOW, enabled: false });
    const totals = { rules: 0, flows: 0 };
    const order = ["rules", "flows", "flows", "rules", "rules", "flows", "flows", "rules"] as const;
    for (const [turn, kind] of order.entries()) {
      const firstNumber = (kind === "rules" ? 3_000_000 : 4_000_000) + turn * 100_000;
      if (kind === "flows") await db.update(flows).set({ enabled: true }).where(eq(flows.id, flowId));
      const rate = await throughput(context, count, firstNumber);
      if (kind === "flows") await db.update(flows).set({ enabled: false }).where(eq(flows.id, flowId));
      note(
        `turn ${turn + 1}: ${kind === "rules" ? "rules only" : "every message moving a flow"} ${rate.toFixed(0)} messages/s`,
      );
      totals[kind] += rate;
    }
    report(BENCH, "rules_only_msgs_per_s", totals.rules / 4, { messages: count, turns: 4 });
    report(BENCH, "flows_msgs_per_s", totals.flows / 4, { messages: count, turns: 4 });
    report(BENCH, "flows_vs_rules_throughput", totals.flows / totals.rules);
    await boss.stop({ graceful: false });
  });
}
