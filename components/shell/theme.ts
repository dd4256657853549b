/** The colour theme a person picked (a cookie, so the server renders it without a flash). */
export const THEMES = ["system", "light", "dark"] as const;
export type TTheme = (typeof THEMES)[number];
export const THEME_COOKIE = "switchboard-theme";

export function isTheme(value: unknown): value is TTheme {
  return typeof value === "string" && (THEMES as readonly string[]).includes(value);
}
