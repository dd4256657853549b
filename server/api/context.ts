import { geminiConfig } from "~/server/ai/status";
import { clientAddress } from "~/server/auth/client-address";
import { getCurrentSession } from "~/server/auth/session";
import { getDb } from "~/server/db";
import { webEnv } from "~/server/env";
import { isLocale, negotiateLocale, type TLocale } from "~/server/i18n/locales";
import { LOCALE_COOKIE } from "~/server/i18n/request";
import { getWebBoss } from "~/server/jobs/web-boss";
import type { TTRPCContext } from "./trpc";

/**
 * Context of a tRPC request from the browser: the one place a context is built outside tests
 * (which use `testContext()`). The user is null while signed out; an admin who must set up
 * two-factor sign-in first is passed with `session.needsTwoFactorEnrolment`, which every
 * procedure but the set-up refuses.
 */
/** The caller's language, in the order the pages use (server/i18n/request.ts): choice, cookie, browser. */
function requestLocale(chosen: TLocale | null | undefined, headers: Headers | undefined): TLocale {
  if (chosen) return chosen;
  const cookie = headers
    ?.get("cookie")
    ?.split(";")
    .map((part) => part.trim().split("="))
    .find(([name]) => name === LOCALE_COOKIE)?.[1];
  if (isLocale(cookie)) return cookie;
  return negotiateLocale(headers?.get("accept-language"));
}

export async function createTRPCContext(opts?: { req?: Request }): Promise<TTRPCContext> {
  const env = webEnv();
  const current = await getCurrentSession();
  return {
    db: getDb(),
    boss: getWebBoss,
    user: current?.user ?? null,
    locale: requestLocale(current?.locale, opts?.req?.headers),
    session: current ? { id: current.sessionId, needsTwoFactorEnrolment: current.needsTwoFactorEnrolment } : null,
    clientIp: clientAddress(opts?.req?.headers.get("x-forwarded-for") ?? undefined, env.TRUSTED_PROXY_HOPS),
    appSecret: env.APP_SECRET,
    gemini: geminiConfig(env),
    webhooks: {
      appSecret: env.APP_SECRET,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
      rotationOverlapHours: env.WEBHOOK_ROTATION_OVERLAP_HOURS,
    },
    cloudApi: {
      baseUrl: env.CLOUD_API_BASE_URL,
      publicOrigin: env.NEXTAUTH_URL ? new URL(env.NEXTAUTH_URL).origin : null,
    },
  };
}
