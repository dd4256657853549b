import { cookies } from "next/headers";
import { isTheme, THEME_COOKIE, type TTheme } from "./theme";

/** The theme this request's cookie asks for ("system" when none or junk). */
export async function requestTheme(): Promise<TTheme> {
  const value = (await cookies()).get(THEME_COOKIE)?.value;
  return isTheme(value) ? value : "system";
}
