import type { TDbOrTx } from "~/db/client";
import { analyticsAiCalls } from "~/db/schema";

/** Notes an AI reply the bot sends (in its transaction): its latency and whether it was the fallback text. */
export async function recordAiCall(tx: TDbOrTx, call: { sessionId: string; latencyMs: number; fallback: boolean }) {
  await tx.insert(analyticsAiCalls).values({
    sessionId: call.sessionId,
    latencyMs: Math.max(0, Math.round(call.latencyMs)),
    fallback: call.fallback,
  });
}
