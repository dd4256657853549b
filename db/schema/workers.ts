import { jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";

/** One row per running worker process, refreshed every few seconds; the web reads its age. */
export const workerHeartbeats = pgTable("worker_heartbeats", {
  workerId: text().primaryKey(),
  hostname: text().notNull(),
  pid: text().notNull(),
  version: text().notNull(),
  startedAt: timestamptz().notNull(),
  beatAt: timestamptz().notNull(),
  stoppedAt: timestamptz(),
  info: jsonb().$type<Record<string, unknown>>().notNull().default({}),
});
