import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { cache } from "react";
import { getCurrentSession } from "~/server/auth/session";
import { getDb } from "~/server/db";
import { webLogger } from "~/server/logger";
import { getOrgSettings } from "~/server/settings/settings";
import { DEFAULT_LOCALE, isLocale, negotiateLocale, type TLocale } from "./locales";
import { MESSAGES } from "./messages";
import { FORMATS } from "./formats";

/** The cookie the sign-in page's language picker sets (before anyone is signed in). */
export const LOCALE_COOKIE = "switchboard-locale";

/**
 * The language of this request: the signed-in user's choice, else the sign-in page's picker
 * (a cookie), else the browser's `Accept-Language`, else English.
 */
export const requestLocale = cache(async (): Promise<TLocale> => {
  const session = await getCurrentSession().catch(() => null);
  if (session?.locale) return session.locale;
  const cookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(cookie)) return cookie;
  return negotiateLocale((await headers()).get("accept-language"));
});

/**
 * Dates and times show in the organisation's time zone (Settings), on the server and in the
 * browser alike, the zone the analytics count days in; UTC if the settings cannot be read.
 */
const requestTimeZone = cache(async (): Promise<string> => {
  try {
    return (await getOrgSettings(getDb())).timeZone;
  } catch (error) {
    webLogger("i18n").warn({ err: error }, "could not read the time zone; dates show in UTC");
    return "UTC";
  }
});

export default getRequestConfig(async () => {
  const locale = (await requestLocale()) ?? DEFAULT_LOCALE;
  return { locale, messages: MESSAGES[locale], timeZone: await requestTimeZone(), formats: FORMATS };
});
