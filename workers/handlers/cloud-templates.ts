import { listTemplateSessions, syncTemplates } from "~/server/cloud/template-sync";
import type { TJobHandler } from "../runtime";

/**
 * `cloud.templates` (daily cron): syncs the templates of every number with Cloud API settings.
 * A number that fails (a revoked token, Meta down) is logged and left as it was; the others go on.
 */
export const handleCloudTemplates: TJobHandler<"cloud.templates"> = async (_payload, { db, log, cloudApi }) => {
  if (!cloudApi) {
    log.warn("template sync skipped: this worker was started without the Graph API settings");
    return;
  }
  for (const sessionId of await listTemplateSessions(db)) {
    try {
      const result = await syncTemplates(db, sessionId, cloudApi, { signal: AbortSignal.timeout(120_000) });
      log.info({ sessionId, ...result }, "templates synced");
    } catch (error) {
      log.warn({ sessionId, err: error }, "templates not synced; the stored ones stay");
    }
  }
};
