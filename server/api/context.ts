import { geminiConfig } from "~/server/ai/status";
import { clientAddress } from "~/server/auth/client-address";
import { getCurrentSession } from "~/server/auth/session";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { getWebBoss } from "~/server/jobs/web-boss";
import type { TTRPCContext } from "./trpc";

/**
 * Context of a tRPC request from the browser: the one place a context is built outside tests
 * (which use `testContext()`). The user is null while signed out; an admin who must set up
 * two-factor sign-in first is passed with `session.needsTwoFactorEnrolment`, which every
 * procedure but the set-up refuses.
 */
export async function createTRPCContext(opts?: { req?: Request }): Promise<TTRPCContext> {
  const env = webEnv();
  const current = await getCurrentSession();
  return {
    db: getDb(),
    boss: getWebBoss,
    user: current?.user ?? null,
    session: current ? { id: current.sessionId, needsTwoFactorEnrolment: current.needsTwoFactorEnrolment } : null,
    clientIp: clientAddress(opts?.req?.headers.get("x-forwarded-for") ?? undefined, env.TRUSTED_PROXY_HOPS),
    appSecret: env.APP_SECRET,
    gemini: geminiConfig(env),
    webhooks: {
      appSecret: env.APP_SECRET,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      rotationOverlapHours: env.WEBHOOK_ROTATION_OVERLAP_HOURS,
    },
  };
}
