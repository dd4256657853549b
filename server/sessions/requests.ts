import { sql } from "drizzle-orm";
import { z } from "zod";
import type { TDbOrTx } from "~/db/client";

/**
 * Requests from the web to the worker that runs a session, announced at once (NOTIFY) rather
 * than waiting for the worker's next lease tick: `control` (a restart, a log-out or a pairing
 * code was asked for on the session row: the worker reads the row now) and `presence` (staff
 * have a contact's conversation open: ask WhatsApp for their presence). Nothing here is stored:
 * the session row keeps what must survive (the control requests); a presence request lost with a
 * worker is asked again by the Inbox while the conversation stays open.
 */
export const SESSION_REQUESTS_CHANNEL = "switchboard_session_requests";

export const ZSessionRequest = z.discriminatedUnion("request", [
  z.object({ sessionId: z.uuid(), request: z.literal("control") }),
  z.object({ sessionId: z.uuid(), request: z.literal("presence"), to: z.string().min(1).max(100) }),
]);
export type TSessionRequest = z.infer<typeof ZSessionRequest>;

/** Announces a request to the session's worker; in a transaction, it is delivered at commit. */
export async function notifySessionRequest(db: TDbOrTx, request: TSessionRequest): Promise<void> {
  await db.execute(sql`select pg_notify(${SESSION_REQUESTS_CHANNEL}, ${JSON.stringify(request)})`);
}
