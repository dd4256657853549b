import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { simulatorDeliveries } from "~/db/schema";
import { enqueue } from "~/server/jobs/boss";
import type { TSessionSettings } from "~/server/sessions/settings";
import type { TTransport } from "./types";

/**
 * The simulator: an in-database phone. Sends land in `simulator_deliveries` (one row per send
 * call, so a double send would show); the phone then acknowledges delivery and reading through
 * `simulator.ack` jobs. Messages typed in the Simulator page arrive as `simulator.inbound`
 * jobs (see workers/handlers/messages.ts), which is this transport's inbound side.
 */
export function createSimulatorTransport(options: {
  db: TDb;
  boss: PgBoss;
  sessionId: string;
  settings: () => TSessionSettings["simulator"];
}): TTransport {
  const { db, boss, sessionId } = options;
  return {
    kind: "simulator",
    start: async (handlers) => handlers.onStatus({ status: "ready", phone: "+10000000000" }),
    stop: () => Promise.resolve(),
    async send(message) {
      const waMessageId = `sim-${randomUUID()}`;
      await db.insert(simulatorDeliveries).values({
        sessionId,
        toWaId: message.to,
        waMessageId,
        clientRef: message.clientRef,
        body: message.body,
      });
      const { acks, deliveredAfterMs, readAfterMs } = options.settings();
      if (!acks) return { waMessageId };
      const now = Date.now();
      await enqueue(
        boss,
        "simulator.ack",
        { sessionId, waMessageId, status: "delivered" },
        { startAfter: new Date(now + deliveredAfterMs) },
      );
      await enqueue(
        boss,
        "simulator.ack",
        { sessionId, waMessageId, status: "read" },
        { startAfter: new Date(now + Math.max(readAfterMs, deliveredAfterMs)) },
      );
      return { waMessageId };
    },
    async findSent(clientRef) {
      const [row] = await db
        .select({ waMessageId: simulatorDeliveries.waMessageId })
        .from(simulatorDeliveries)
        .where(and(eq(simulatorDeliveries.sessionId, sessionId), eq(simulatorDeliveries.clientRef, clientRef)))
        .limit(1);
      return row?.waMessageId ?? null;
    },
  };
}
