import { type CountryCode, parsePhoneNumberWithError, ParseError } from "libphonenumber-js/max";

const REASONS: Record<string, string> = {
  INVALID_COUNTRY: "has no country code; start with + and the country code, or set the default country in Settings",
  NOT_A_NUMBER: "is not a phone number",
  TOO_SHORT: "is too short",
  TOO_LONG: "is too long",
  INVALID_LENGTH: "has the wrong number of digits",
};

/**
 * A typed number as E.164 (`+5511987654321`), read in `defaultCountry` when it has no country
 * code; or the reason it is not a valid number, in words a person can act on.
 */
export function toE164(
  input: string,
  defaultCountry: string,
): { ok: true; e164: string } | { ok: false; reason: string } {
  const text = input.trim();
  try {
    const number = parsePhoneNumberWithError(text, defaultCountry.toUpperCase() as CountryCode);
    if (!number.isValid())
      return {
        ok: false,
        reason: `“${text}” is not a valid number for ${number.country ?? `+${number.countryCallingCode}`}`,
      };
    return { ok: true, e164: number.number };
  } catch (error) {
    const code = error instanceof ParseError ? error.message : "NOT_A_NUMBER";
    return { ok: false, reason: `“${text}” ${REASONS[code] ?? "is not a phone number"}` };
  }
}
