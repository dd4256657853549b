import { eq } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { TDb } from "~/db/client";
import { contacts } from "~/db/schema";
import { readFlowForRequest, recordFlowResponse } from "~/server/conversations/flow";
import { templateValues } from "~/server/rules/templates";
import { loadFlowCatalogue } from "./catalogue";
import { callHttp, renderRequest, secretsUsedBy } from "./http";

export type TFlowRequestOptions = {
  allowPrivate: boolean;
  /** Reads the secrets a step uses (Settings → Secrets), by name. */
  loadSecrets: (names: readonly string[]) => Promise<Map<string, string>>;
};

/**
 * `flow.http`: the HTTP step the conversation's flow stands on, called outside any transaction
 * (it may take the step's whole timeout), then recorded with the conversation locked. A job for
 * a flow that has moved since does nothing. Returns what happened, for the log.
 */
export async function performFlowRequest(
  db: TDb,
  boss: PgBoss,
  job: { threadId: string; runId: string; token: number },
  options: TFlowRequestOptions,
): Promise<"stale" | "recorded" | "moved_meanwhile"> {
  const found = await readFlowForRequest(db, job);
  if (!found) return "stale";
  const { state } = found;
  const catalogue = await loadFlowCatalogue(db, [{ flowId: state.flowId, version: state.version }]);
  const step = catalogue.version(state.flowId, state.version)?.steps.get(state.stepId);
  if (!step || step.type !== "http") {
    const moved = await recordFlowResponse(db, boss, job, { status: 0, body: null, error: "step_missing" });
    return moved ? "recorded" : "moved_meanwhile";
  }
  const [contact] = await db
    .select({ name: contacts.name, waId: contacts.waId, relationship: contacts.relationship, fields: contacts.fields })
    .from(contacts)
    .where(eq(contacts.id, found.contactId));
  const secrets = await options.loadSecrets(secretsUsedBy(step));
  const request = renderRequest(step, {
    vars: state.vars,
    context: {
      template: contact
        ? templateValues({ name: contact.name, phone: contact.waId, relationship: contact.relationship }, null)
        : {},
      fields: contact?.fields ?? {},
    },
    secrets,
  });
  const answer = await callHttp(request, {
    timeoutMs: step.timeoutMs,
    allowPrivate: options.allowPrivate,
    idempotencyKey: `${state.runId}:${state.token}`,
  });
  const moved = await recordFlowResponse(db, boss, job, answer);
  return moved ? "recorded" : "moved_meanwhile";
}
