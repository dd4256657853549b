import { and, eq, isNull } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { flowRuns, type TFlowRunOutcome } from "~/db/schema";

/** Ends a run that something outside the flow stopped (a person closed the conversation…). */
export async function endFlowRun(tx: TDbOrTx, runId: string, outcome: TFlowRunOutcome): Promise<void> {
  await tx
    .update(flowRuns)
    .set({ outcome, endedAt: new Date() })
    .where(and(eq(flowRuns.id, runId), isNull(flowRuns.endedAt)));
}
