"use server";

import { cookies } from "next/headers";
import { isLocale } from "~/server/i18n/locales";
import { LOCALE_COOKIE } from "~/server/i18n/request";

/**
 * The sign-in page's language picker (nobody is signed in yet): a cookie the request config
 * reads. Any value but one of our languages clears it (back to the browser's).
 */
export async function setSignInLocale(value: string): Promise<void> {
  const jar = await cookies();
  if (isLocale(value)) {
    jar.set(LOCALE_COOKIE, value, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax", httpOnly: true });
  } else {
    jar.delete(LOCALE_COOKIE);
  }
}
