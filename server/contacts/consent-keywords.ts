import type { TLocale } from "~/server/i18n/locales";

/**
 * Client-safe: the opt-out keywords and their matcher (no database), shared by the settings
 * schema, the Settings form and `message.process` (through server/contacts/consent.ts).
 */

/** The opt-out keywords of each language the bot speaks (the org setting's default is all of them). */
export const DEFAULT_OPT_OUT_KEYWORDS: Record<TLocale, readonly string[]> = {
  en: ["STOP", "UNSUBSCRIBE"],
  es: ["BAJA", "PARAR", "CANCELAR"],
  "pt-BR": ["SAIR", "PARAR", "CANCELAR"],
};

/** Every language's default keywords, once each, in the order of LOCALES. */
export function defaultOptOutKeywords(): string[] {
  return [...new Set((["en", "es", "pt-BR"] as const).flatMap((locale) => DEFAULT_OPT_OUT_KEYWORDS[locale]))];
}

/** At most this many characters are compared: a keyword is a word, not a paragraph. */
const MAX_KEYWORD_MESSAGE = 200;

/**
 * A text as keywords are compared: without case, accents (`BAJA` = `bája`), surrounding
 * punctuation, symbols or spaces (`Stop!`, ` stop `, `"stop."`), inner spaces collapsed.
 */
export function normalizeConsentText(text: string): string {
  return text
    .slice(0, MAX_KEYWORD_MESSAGE)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "")
    .replace(/\s+/g, " ");
}

/**
 * The keyword a whole message is, or null: "STOP", "stop!", " Stop " match the keyword `STOP`;
 * "stop it please" and "stopping" do not (a keyword is the whole message, never a part of it).
 * A message longer than any keyword could be is not read further.
 */
export function matchOptOutKeyword(text: string | null | undefined, keywords: readonly string[]): string | null {
  if (!text || text.length > MAX_KEYWORD_MESSAGE) return null;
  const said = normalizeConsentText(text);
  if (said === "") return null;
  return keywords.find((keyword) => normalizeConsentText(keyword) === said) ?? null;
}
