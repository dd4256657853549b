import { runFlowDeadline, runFlowResume } from "~/server/conversations/flow";
import { performFlowRequest } from "~/server/flows/requests";
import { loadSecrets } from "~/server/settings/secrets";
import type { TJobHandler } from "../runtime";

/** `flow.deadline`: a flow's wait reached its time (moves the flow once, if it still waits there). */
export const handleFlowDeadline: TJobHandler<"flow.deadline"> = async (payload, { db, boss, log }) => {
  const moved = await runFlowDeadline(db, boss, payload);
  log.debug({ threadId: payload.threadId, runId: payload.runId, moved }, "flow deadline");
};

/** `flow.resume`: a conversation with a paused flow was given back to the bot (the flow goes on once). */
export const handleFlowResume: TJobHandler<"flow.resume"> = async (payload, { db, boss, log }) => {
  const moved = await runFlowResume(db, boss, payload);
  log.debug({ threadId: payload.threadId, runId: payload.runId, moved }, "flow resume");
};

/** `flow.http`: a flow's HTTP step calls the business's system and the flow moves on with the answer. */
export const handleFlowHttp: TJobHandler<"flow.http"> = async (payload, { db, boss, log, webhooks }) => {
  const outcome = await performFlowRequest(db, boss, payload, {
    allowPrivate: webhooks.allowPrivate,
    loadSecrets: (names) => loadSecrets(db, names, webhooks.appSecret, log),
  });
  log.debug({ threadId: payload.threadId, runId: payload.runId, outcome }, "flow request");
};
