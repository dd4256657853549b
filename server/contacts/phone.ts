import { sql } from "drizzle-orm";
import {
  type CountryCode,
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import type { TDbOrTx } from "~/db/client";
import { contactIdentities } from "~/db/schema";
import { domainText, serverText, type TServerText } from "~/server/i18n/domain";
import { AppError } from "~/server/errors";
import { pgArray } from "~/server/lib/sql";
import { getOrgSettings } from "~/server/settings/settings";

/**
 * Phone numbers, one parser for every entry point: the Simulator, the contact form, the CSV
 * import, the REST API (contacts, messages, simulator) and anything else a person or a system
 * types a number into. The rules:
 *
 * - A number people type becomes E.164 (`+5511987654321`) with libphonenumber-js (metadata
 *   `max`), read in the org's default country when it has no country code, and must be a valid
 *   number; if not, the reason says why in words a person can act on.
 * - A number WhatsApp itself gave us (a stored contact's `wa_id`) is never refused later, even
 *   where the metadata disagrees (WhatsApp knows its users' numbers better than a table does):
 *   the number as typed is first compared with the stored ones. So saving a contact never
 *   re-validates its unchanged number, and a contact who wrote from `+1 555 123 4567` can be
 *   edited and answered.
 * - `tel:` URIs, WhatsApp ids (`5511…@c.us`) and the usual punctuation are read everywhere.
 */

export type TPhoneVerdict =
  { ok: true; e164: string } | { ok: false; reason: string; field: TServerText; message: TServerText };

/** Why a number is refused: a key of `contacts.phoneReason` (and `contacts.phoneRefused`) and its values. */
type TWhy = { kind: string; values?: Record<string, string> };

const REASONS: Record<string, string> = {
  INVALID_COUNTRY: "noCountryCode",
  NOT_A_NUMBER: "notANumber",
  TOO_SHORT: "tooShort",
  TOO_LONG: "tooLong",
  INVALID_LENGTH: "wrongLength",
};

/** The reason for a parse error, told apart where the text shows what went wrong. */
function reasonFor(code: string, text: string): TWhy {
  const digits = text.replace(/^tel:/i, "").replace(/[\s().-]/g, "");
  // 00, the international prefix of most of the world, dialled instead of + (the default
  // country's own prefix, such as 011 in the US, is understood already).
  if (/^00[1-9]/.test(digits)) return { kind: "startsWith00" };
  if (code === "INVALID_COUNTRY") {
    const callingCode = /^\+(\d{1,3})/.exec(digits)?.[1];
    if (callingCode) return { kind: "noSuchCountryCode", values: { code: callingCode } };
  }
  return { kind: REASONS[code] ?? "notANumber" };
}

/** A refusal: the reason as a field error and in a sentence, English and as catalogue keys. */
function refused(text: string, why: TWhy): TPhoneVerdict {
  const values = { ...why.values, number: text };
  const field = serverText(`contacts.phoneReason.${why.kind}`, values);
  return {
    ok: false,
    reason: domainText("en", field),
    field,
    message: serverText(`contacts.phoneRefused.${why.kind}`, values),
  };
}

const WA_ID_SUFFIX = /@(c\.us|s\.whatsapp\.net)$/;

/** A WhatsApp id or a `tel:` URI as a plain number text; anything else as typed (trimmed). */
function plainText(input: string): string {
  const text = input.trim();
  if (WA_ID_SUFFIX.test(text)) return `+${text.replace(WA_ID_SUFFIX, "").replace(/^\+/, "")}`;
  return text;
}

/**
 * The E.164 forms a typed number could stand for, valid or not: libphonenumber's reading, and
 * the digits as given when the text is only a `+`, digits and punctuation. Used to find the
 * number among stored contacts before judging it.
 */
export function phoneCandidates(input: string, defaultCountry: string): string[] {
  const text = plainText(input);
  const candidates = new Set<string>();
  try {
    candidates.add(parsePhoneNumberWithError(text, defaultCountry.toUpperCase() as CountryCode).number);
  } catch {
    // Not even a possible number: only its digits may still match a stored one.
  }
  const bare = text.replace(/^tel:/i, "").replace(/[\s().-]/g, "");
  if (/^\+[1-9]\d{6,14}$/.test(bare)) candidates.add(bare);
  return [...candidates];
}

/**
 * A number as E.164, or why it is refused. `known` holds numbers WhatsApp gave us (stored
 * contacts' `wa_id`): one of those is accepted as it is. Pure, so the CSV import can judge
 * thousands of rows with one look-up of the known numbers (`findKnownNumbers`).
 */
export function parsePhoneNumber(
  input: string,
  defaultCountry: string,
  known: ReadonlySet<string> = new Set(),
): TPhoneVerdict {
  const text = plainText(input);
  const found = phoneCandidates(input, defaultCountry).find((candidate) => known.has(candidate));
  if (found) return { ok: true, e164: found };
  const country = defaultCountry.toUpperCase() as CountryCode;
  try {
    const number = parsePhoneNumberWithError(text, country);
    if (number.ext) return refused(text, { kind: "extension" });
    if (!number.isValid()) {
      const length = validatePhoneNumberLength(text, country);
      return refused(
        text,
        length
          ? reasonFor(length, text)
          : /^00[1-9]/.test(text.replace(/[\s().-]/g, ""))
            ? reasonFor("", text)
            : { kind: "notValidFor", values: { country: number.country ?? `+${number.countryCallingCode}` } },
      );
    }
    return { ok: true, e164: number.number };
  } catch (error) {
    const code = error instanceof ParseError ? error.message : "NOT_A_NUMBER";
    return refused(text, reasonFor(code, text));
  }
}

/** Which of these E.164 numbers are stored contacts' numbers (any of their phone identities, in any session: WhatsApp gave them). */
export async function findKnownNumbers(db: TDbOrTx, candidates: readonly string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  // One array parameter rather than one parameter per number (an import has up to 50,000);
  // candidates are `+` and digits only, so they need no quoting.
  const rows = await db
    .selectDistinct({ waId: contactIdentities.value })
    .from(contactIdentities)
    .where(
      sql`${contactIdentities.kind} = 'phone' and ${contactIdentities.value} = any(${pgArray(
        [...new Set(candidates)],
        "text",
      )})`,
    );
  return new Set(rows.map((row) => row.waId));
}

/**
 * A number from a form or an API call as E.164, by the rules above (the org's default country,
 * stored numbers accepted as they are); a 400 naming `field` with the reason otherwise.
 */
export async function resolvePhoneNumber(db: TDbOrTx, input: string, field = "phone"): Promise<string> {
  const { defaultCountry } = await getOrgSettings(db);
  const known = await findKnownNumbers(db, phoneCandidates(input, defaultCountry));
  const verdict = parsePhoneNumber(input, defaultCountry, known);
  if (!verdict.ok) throw new AppError("BAD_REQUEST", verdict.message, { [field]: verdict.field });
  return verdict.e164;
}
