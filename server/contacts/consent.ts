import { desc, sql, type SQL } from "drizzle-orm";
import type { TDbOrTx } from "~/db/client";
import { contacts, contextProfiles } from "~/db/schema";
import { domainText, serverText } from "~/server/i18n/domain";
import { isLocale, LOCALES, type TLocale } from "~/server/i18n/locales";
export {
  DEFAULT_OPT_OUT_KEYWORDS,
  defaultOptOutKeywords,
  matchOptOutKeyword,
  normalizeConsentText,
} from "./consent-keywords";
import { orgLocale } from "~/server/teams/survey";

/**
 * Consent (issue 24; docs/consent.md): `contacts.opted_out` is the ONE source of truth for
 * "never send this contact anything we start" (campaigns, API sends). An opt-out keyword the
 * contact writes sets it at once (server/messaging/process.ts); staff and the API set or clear
 * it, and record an opt-in with its source and time (server/contacts/contacts.ts).
 */

/** How an opt-in was recorded (`contacts.opt_in_source`). */
export const OPT_IN_SOURCES = ["agent", "import", "api", "keyword", "form"] as const;
export type TOptInSource = (typeof OPT_IN_SOURCES)[number];

/** What the contact is told once opted out: the org's own text when set, else the built-in one in their language. */
export function optOutConfirmationText(locale: TLocale, custom: string): string {
  return custom.trim() !== "" ? custom.trim() : domainText(locale, serverText("consent.optOutConfirmation"));
}

/**
 * The language the bot writes to a contact in: their profile's (their own, their
 * relationship's, the default profile's), else the org's (server/teams/survey.ts `orgLocale`).
 */
export async function contactLocale(db: TDbOrTx, contactId: string): Promise<TLocale> {
  const [row] = await db
    .select({ language: contextProfiles.language })
    .from(contextProfiles)
    .innerJoin(contacts, sql`${contacts.id} = ${contactId}`)
    .where(
      sql`${contextProfiles.id} = ${contacts.profileId} or ${contacts.relationship} = any(${contextProfiles.relationships})
        or ${contextProfiles.isDefault}`,
    )
    .orderBy(
      sql`coalesce(${contextProfiles.id} = ${contacts.profileId}, false) desc`,
      sql`coalesce(${contacts.relationship} = any(${contextProfiles.relationships}), false) desc`,
      desc(contextProfiles.isDefault),
    )
    .limit(1);
  const language = row?.language;
  if (isLocale(language)) return language;
  // A profile's language may be a bare tag ("pt"): the locale it starts.
  const near = language ? LOCALES.find((locale) => locale.split("-")[0] === language.split("-")[0]) : undefined;
  return near ?? (await orgLocale(db));
}

/**
 * The condition every audience of messages we start (campaigns, segments) must add: the contact
 * has not opted out (and is not blocked). `opted_out` is the single source of truth; an opt-in
 * (`opted_in_at`) is recorded, but its absence does not exclude (a campaign to contacts who never
 * opted in is the campaign's explicit choice).
 */
export function audienceConsentSql(
  contact: { optedOut: SQL | typeof contacts.optedOut; blocked: SQL | typeof contacts.blocked } = contacts,
): SQL {
  return sql`(${contact.optedOut} = false and ${contact.blocked} = false)`;
}

/**
 * The consent columns a staff or API change writes, from the contact's current state. A value
 * that changes is the act: a new opt-out records when (and wins over an opt-in given with it,
 * the safer reading); `optedIn: true` for a contact not opted in records when and how, and
 * clears an opt-out (opting back in is only ever this explicit act of staff or the API);
 * `optedIn: false` clears the opt-in; `optedOut: false` clears an opt-out. A value already in
 * place changes nothing (an opt-in keeps its first time and source).
 */
export function consentChange(
  before: { optedOut: boolean; optedInAt: Date | null } | null,
  wanted: { optedIn?: boolean | undefined; optedOut?: boolean | undefined },
  source: TOptInSource,
  at: Date,
): TConsentColumns {
  const wasOut = before?.optedOut ?? false;
  const wasIn = before?.optedInAt != null && !wasOut;
  if (wanted.optedOut === true && !wasOut) return { optedOut: true, optedOutAt: at };
  if (wanted.optedIn === true)
    return wasIn ? {} : { optedInAt: at, optInSource: source, optedOut: false, optedOutAt: null };
  const change: TConsentColumns = {};
  if (wanted.optedIn === false && before?.optedInAt != null)
    Object.assign(change, { optedInAt: null, optInSource: null });
  if (wanted.optedOut === false && wasOut) Object.assign(change, { optedOut: false, optedOutAt: null });
  return change;
}

export type TConsentColumns = {
  optedOut?: boolean;
  optedOutAt?: Date | null;
  optedInAt?: Date | null;
  optInSource?: TOptInSource | null;
};
