import { sql } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { analyticsAiCalls, analyticsResponses, contacts, threads } from "~/db/schema";

/**
 * Notes an answer to a waiting contact (call it in the transaction that queues the reply, before
 * `threads.awaiting_since` is cleared): the time from their oldest unanswered message to now.
 * Nothing when nobody was waiting.
 */
export async function recordResponse(
  tx: TDbOrTx,
  threadId: string,
  responder: "bot" | "human",
  userId: string | null = null,
) {
  await tx.execute(sql`
    insert into ${analyticsResponses} (thread_id, session_id, responder, user_id, waiting_since, responded_at, response_ms)
    select t.id, c.session_id, ${responder}, ${userId}::uuid, t.awaiting_since, now(),
      greatest(0, round(extract(epoch from (now() - t.awaiting_since)) * 1000))::int
    from ${threads} t join ${contacts} c on c.id = t.contact_id
    where t.id = ${threadId} and t.awaiting_since is not null`);
}

/** Notes an AI reply the bot sends (in its transaction): its latency and whether it was the fallback text. */
export async function recordAiCall(tx: TDbOrTx, call: { sessionId: string; latencyMs: number; fallback: boolean }) {
  await tx.insert(analyticsAiCalls).values({
    sessionId: call.sessionId,
    latencyMs: Math.max(0, Math.round(call.latencyMs)),
    fallback: call.fallback,
  });
}
