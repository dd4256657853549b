import { index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamptz } from "./columns";
import { waSessions } from "./sessions";

/**
 * The simulator's phones: every message the simulator transport accepted for delivery, one row
 * per send call (so a message sent twice would show up twice). `client_ref` is our message id.
 */
export const simulatorDeliveries = pgTable(
  "simulator_deliveries",
  {
    id: id(),
    sessionId: uuid()
      .notNull()
      .references(() => waSessions.id, { onDelete: "cascade" }),
    toWaId: text().notNull(),
    waMessageId: text().notNull(),
    clientRef: text().notNull(),
    body: text().notNull(),
    at: timestamptz().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("simulator_deliveries_wa_message_id_key").on(t.waMessageId),
    index("simulator_deliveries_client_ref_idx").on(t.clientRef),
  ],
);
