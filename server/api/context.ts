import { geminiConfig } from "~/server/ai/status";
import { webEnv } from "~/server/env";
import { getCurrentUser } from "~/server/auth/session";
import { getDb } from "~/server/db";
import type { TTRPCContext } from "./trpc";

/** Context of a tRPC request from the browser. */
export async function createTRPCContext(): Promise<TTRPCContext> {
  const env = webEnv();
  return {
    db: getDb(),
    user: await getCurrentUser(),
    gemini: geminiConfig(env),
    webhooks: {
      appSecret: env.APP_SECRET,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      rotationOverlapHours: env.WEBHOOK_ROTATION_OVERLAP_HOURS,
    },
  };
}
