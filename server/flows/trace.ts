import { desc, eq, sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { flowRuns, flows, flowSteps, threads, type TFlowRunOutcome } from "~/db/schema";
import { AppError } from "~/server/errors";
import { readFlowState, type TFlowValue, type TFlowWait } from "./state";

/**
 * A conversation's flows for the Inbox: the flow running now (from the conversation's state:
 * what it waits for, the variables collected, so the agent who got a hand-off sees them) and
 * the last runs with every step they took (answers, branches, HTTP calls), newest first.
 */

/** Runs of a conversation the Inbox shows. */
export const TRACE_RUNS = 10;
/** Steps of a run it shows at most (the last ones). */
export const TRACE_STEPS_PER_RUN = 300;

export type TConversationFlowStep = {
  id: number;
  stepId: string;
  stepType: string;
  detail: Record<string, unknown>;
  at: Date;
};

export type TConversationFlowRun = {
  id: string;
  flowId: string;
  /** The flow's name now (null: the flow was deleted since). */
  name: string | null;
  version: number;
  trigger: string;
  outcome: TFlowRunOutcome | null;
  startedAt: Date;
  endedAt: Date | null;
  lastStepId: string | null;
  variables: Record<string, unknown>;
  steps: TConversationFlowStep[];
};

export type TConversationFlows = {
  active: {
    runId: string;
    flowId: string;
    name: string;
    version: number;
    stepId: string;
    wait: TFlowWait;
    paused: boolean;
    variables: Record<string, TFlowValue>;
    deadline: string | null;
    startedAt: string;
  } | null;
  runs: TConversationFlowRun[];
};

export async function conversationFlows(db: TDbOrTx, threadId: string): Promise<TConversationFlows> {
  const [thread] = await db.select({ flow: threads.flow }).from(threads).where(eq(threads.id, threadId));
  if (!thread) throw new AppError("NOT_FOUND", "This conversation no longer exists.");
  const state = readFlowState(thread.flow);
  const runs = await db
    .select({
      id: flowRuns.id,
      flowId: flowRuns.flowId,
      name: flows.name,
      version: flowRuns.version,
      trigger: flowRuns.trigger,
      outcome: flowRuns.outcome,
      startedAt: flowRuns.startedAt,
      endedAt: flowRuns.endedAt,
      lastStepId: flowRuns.lastStepId,
      variables: flowRuns.variables,
    })
    .from(flowRuns)
    .leftJoin(flows, eq(flows.id, flowRuns.flowId))
    .where(eq(flowRuns.threadId, threadId))
    .orderBy(desc(flowRuns.startedAt), desc(flowRuns.id))
    .limit(TRACE_RUNS);
  // The last steps of each run (a long conversation in a loop may have taken thousands).
  const steps =
    runs.length === 0
      ? []
      : (
          await db.execute<{
            id: number;
            run_id: string;
            step_id: string;
            step_type: string;
            detail: Record<string, unknown>;
            at: string;
          }>(sql`
            select id, run_id, step_id, step_type, detail, at from (
              select s.*, row_number() over (partition by s.run_id order by s.id desc) as n
              from ${flowSteps} s
              where s.run_id in (${sql.join(
                runs.map((run) => sql`${run.id}::uuid`),
                sql`, `,
              )})
            ) recent
            where n <= ${TRACE_STEPS_PER_RUN}
            order by run_id, id`)
        ).rows.map((row) => ({
          id: Number(row.id),
          runId: row.run_id,
          stepId: row.step_id,
          stepType: row.step_type,
          detail: row.detail,
          at: new Date(row.at),
        }));
  const byRun = new Map<string, TConversationFlowStep[]>();
  for (const { runId, ...step } of steps) {
    const list = byRun.get(runId) ?? [];
    list.push(step);
    byRun.set(runId, list);
  }
  return {
    active: state
      ? {
          runId: state.runId,
          flowId: state.flowId,
          name: state.name,
          version: state.version,
          stepId: state.stepId,
          wait: state.wait,
          paused: state.paused,
          variables: state.vars,
          deadline: state.deadline,
          startedAt: state.startedAt,
        }
      : null,
    runs: runs.map((run) => ({
      ...run,
      // The active run's variables live in the conversation until it ends.
      variables: state && state.runId === run.id ? state.vars : run.variables,
      steps: byRun.get(run.id) ?? [],
    })),
  };
}
