import { createTranslator } from "use-intl/core";
import { flattenMessages } from "./flatten";
import { FORMATS } from "./formats";
import type { TLocale } from "./locales";
import { MESSAGES } from "./messages";

/**
 * What domain code says to a person (`AppError` messages, a schema's own messages), in their
 * language: the `domain` namespace of the catalogue. A message with no arguments is written in
 * the code as its English text and found by it; one with arguments is a key and its values
 * (`serverText("contacts.notFound", { id })`). The English rendering stays the error's
 * `message` (logs, the REST API); the tRPC error formatter renders the caller's language.
 * tests/unit/server-messages.test.ts refuses a literal that is not in the catalogue.
 */
export type TServerText = { key: string; values?: Record<string, string | number> };

export function serverText(key: string, values?: Record<string, string | number>): TServerText {
  return values ? { key, values } : { key };
}

const ENGLISH = flattenMessages(MESSAGES.en.domain);
/** English text → key, for messages without arguments. */
export const DOMAIN_KEY_OF_ENGLISH = new Map(
  [...ENGLISH].filter(([, text]) => !/[{}]/.test(text)).map(([key, text]) => [text, key] as const),
);
export const DOMAIN_KEYS = new Set(ENGLISH.keys());

const translators = new Map<TLocale, (key: string, values?: Record<string, string | number>) => string>();
function translator(locale: TLocale) {
  let t = translators.get(locale);
  if (!t) {
    const created = createTranslator({
      locale,
      messages: MESSAGES[locale].domain,
      formats: FORMATS,
      onError: () => undefined,
    });
    t = (key, values) => created(key as never, values as never);
    translators.set(locale, t);
  }
  return t;
}

/** A server text in `locale`: a key with its values, or English text found in the catalogue (else as written). */
export function domainText(locale: TLocale, text: string | TServerText): string {
  if (typeof text !== "string") return DOMAIN_KEYS.has(text.key) ? translator(locale)(text.key, text.values) : text.key;
  const key = DOMAIN_KEY_OF_ENGLISH.get(text);
  return key ? translator(locale)(key) : text;
}
