import { replyWithAi } from "~/server/ai/ai-reply";
import type { TJobHandler } from "../runtime";

/** `ai.reply`: the model (or the fallback) answers one inbound message. */
export const handleAiReply: TJobHandler<"ai.reply"> = async (payload, { db, boss, log, ai }) => {
  const outcome = await replyWithAi(db, boss, ai, payload);
  log.debug({ messageId: payload.messageId, outcome }, "ai reply");
};
