import { domainText, type TServerText } from "~/server/i18n/domain";
import type { TLocale } from "~/server/i18n/locales";

/** Error codes domain functions may raise; the tRPC layer maps each to the same-named code. */
export type TAppErrorCode =
  "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "TOO_MANY_REQUESTS";

/**
 * The one error type domain code throws for expected failures. The message is shown to the
 * user; `fieldErrors` point at form fields. Each is English text from the catalogue's `domain`
 * namespace or a key with values (`serverText`): `message` and `fieldErrors` are the English
 * (logs, the REST API), `localized(locale)` the person's language (the tRPC error formatter).
 */
export class AppError extends Error {
  readonly fieldErrors?: Record<string, string>;
  private readonly text: string | TServerText;
  private readonly fieldTexts?: Record<string, string | TServerText>;

  constructor(
    readonly code: TAppErrorCode,
    message: string | TServerText,
    fieldErrors?: Record<string, string | TServerText>,
  ) {
    super(domainText("en", message));
    this.name = "AppError";
    this.text = message;
    this.fieldTexts = fieldErrors;
    this.fieldErrors =
      fieldErrors &&
      Object.fromEntries(Object.entries(fieldErrors).map(([key, text]) => [key, domainText("en", text)]));
  }

  /** The message and field errors in `locale`. */
  localized(locale: TLocale): { message: string; fieldErrors?: Record<string, string> } {
    return {
      message: domainText(locale, this.text),
      fieldErrors:
        this.fieldTexts &&
        Object.fromEntries(Object.entries(this.fieldTexts).map(([key, text]) => [key, domainText(locale, text)])),
    };
  }
}

/**
 * Whether a database error is a unique-constraint violation (SQLSTATE 23505). drizzle wraps the
 * driver's error, so the code is on the error or on its cause.
 */
export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause ?? error;
  return (cause as { code?: string }).code === "23505" || (error as { code?: string }).code === "23505";
}
