import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss, readQueueSizes } from "~/server/jobs/web-boss";
import { webLogger } from "~/server/logger";
import { getHealth, type THealth } from "./health";
import { getSupervisorHealth } from "./supervisor-state";

const log = webLogger("health");

/** The web process's view of the stack's health (used by /api/health and the Overview page). */
export function getCurrentHealth(): Promise<THealth> {
  return getHealth(getDb(), {
    heartbeatMaxAgeS: webEnv().WORKER_HEARTBEAT_MAX_AGE_S,
    readQueueSizes: async () => readQueueSizes(await getWebBoss()),
    readSupervisor: () => getSupervisorHealth(webEnv().SUPERVISOR_STATE_FILE),
    onCheckError: (check, error) => log.warn({ err: error, check }, "health check failed"),
  });
}
